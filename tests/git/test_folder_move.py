"""A versions folder moved with `git mv` (issue 15): identity is the revision id, not the path. Revisions
keep their real author, commit and date across the move, and a branch older than the move is the same
revision, while two different files with one id are still a problem."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.support.clirun import check_json, run_main
from tests.support.gitcli import commit_all, git, head
from tests.support.gitstory import ALICE, ALICE_REV, BASE_REV, BOB, BOB_REV, Story, alice_pushes
from tests.support.projects import add_revision

CAROL = {"GIT_AUTHOR_NAME": "Carol", "GIT_AUTHOR_EMAIL": "carol@example.com",
         "GIT_COMMITTER_NAME": "Carol", "GIT_COMMITTER_EMAIL": "carol@example.com"}
EARLY_REV = "ea51e0000001"  # Alice's, on a branch made before the move
BOB2_REV = "b0b000000002"  # Bob's, after the move


def at(day: int, who: dict[str, str]) -> dict[str, str]:
    """`who` committing on 2026-02-DAY, so that every commit has a date of its own."""
    return {**who, "GIT_AUTHOR_DATE": f"2026-02-{day:02d}T10:00:00+00:00",
            "GIT_COMMITTER_DATE": f"2026-02-{day:02d}T10:00:00+00:00"}


def move_versions(root: Path) -> None:
    """`git mv migrations/versions db/versions` and the config naming the new folder."""
    (root / "db").mkdir()
    git(root, "mv", "migrations/versions", "db/versions")
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("script_location = %(here)s/migrations",
                                           "script_location = %(here)s/migrations\n"
                                           "version_locations = %(here)s/db/versions"))


def moved_story(story: Story) -> dict[str, str]:
    """Alice and Bob add revisions; Alice branches `early` and adds one; Carol moves the folder; Bob adds one
    after the move; Alice merges `early` after the move (two heads). Returns the adding commit per id."""
    alice_pushes(story)
    commits = {BASE_REV: head(story.alice), ALICE_REV: head(story.alice)}
    commits[BASE_REV] = git(story.alice, "rev-list", "--max-parents=0", "HEAD").strip()
    git(story.bob, "pull", "-q", "--ff-only")
    add_revision(story.bob, "add workflows", BOB_REV)
    commits[BOB_REV] = commit_all(story.bob, "workflows", at(3, BOB))
    git(story.bob, "push", "-q", "origin", "main")
    git(story.alice, "pull", "-q", "--ff-only")
    git(story.alice, "switch", "-q", "-c", "early")
    add_revision(story.alice, "add early", EARLY_REV)
    commits[EARLY_REV] = commit_all(story.alice, "early", at(4, ALICE))
    git(story.alice, "push", "-q", "origin", "early")
    git(story.alice, "switch", "-q", "main")
    move_versions(story.bob)
    commit_all(story.bob, "move the versions folder", at(5, CAROL))
    add_revision(story.bob, "add workflow runs", BOB2_REV)
    commits[BOB2_REV] = commit_all(story.bob, "workflow runs", at(6, BOB))
    git(story.bob, "push", "-q", "origin", "main")
    git(story.alice, "pull", "-q", "--ff-only")
    git(story.alice, "-c", "merge.directoryRenames=true", "merge", "-q", "--no-edit", "early",
        env=at(7, ALICE))
    assert (story.alice / f"db/versions/{EARLY_REV}_add_early.py").is_file()
    return commits


def history_git(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, dict[str, Any]]:
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "history", "--json")
    assert code == 0, out
    return {row["id"]: row["git"] for row in json.loads(out)["revisions"]}


def test_every_revision_keeps_its_author_commit_and_date_across_a_folder_move(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    commits = moved_story(story)
    found = history_git(story.alice, capsys)
    assert {rid: (git_["author"], git_["commit"]) for rid, git_ in found.items()} == {
        BASE_REV: ("Alice", commits[BASE_REV]), ALICE_REV: ("Alice", commits[ALICE_REV]),
        BOB_REV: ("Bob", commits[BOB_REV]), EARLY_REV: ("Alice", commits[EARLY_REV]),
        BOB2_REV: ("Bob", commits[BOB2_REV])}
    assert (found[BOB_REV]["date"], found[EARLY_REV]["date"]) == ("2026-02-03T10:00:00+00:00",
                                                                  "2026-02-04T10:00:00+00:00")


def test_heads_after_a_folder_move_name_their_real_authors_and_no_duplicate_id(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    commits = moved_story(story)
    code, report = check_json(story.alice, capsys)
    assert code == 1  # the two heads diverge
    heads = {h["revision"]: (h["git"]["author"], h["git"]["commit"], h["git"]["date"])
             for h in report["heads"]}
    assert heads == {EARLY_REV: ("Alice", commits[EARLY_REV], "2026-02-04T10:00:00+00:00"),
                     BOB2_REV: ("Bob", commits[BOB2_REV], "2026-02-06T10:00:00+00:00")}
    assert [p for p in report["problems"] if p["kind"] == "same-id-on-branches"] == []


def test_a_branch_older_than_the_move_is_the_same_revision_even_when_rebased(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    moved_story(story)
    git(story.alice, "reset", "-q", "--hard", "origin/main")
    git(story.alice, "switch", "-q", "-c", "rebased", "origin/early")
    git(story.alice, "-c", "merge.directoryRenames=true", "rebase", "-q", "origin/main", env=at(8, ALICE))
    code, report = check_json(story.alice, capsys)
    assert code == 1
    assert [p for p in report["problems"] if p["kind"] == "same-id-on-branches"] == []


def test_two_different_files_with_one_id_are_still_a_duplicate_after_a_move(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    moved_story(story)
    git(story.bob, "switch", "-q", "-c", "other", "HEAD~1")  # the move, before Bob's second revision
    add_revision(story.bob, "add other runs", BOB2_REV)
    commit_all(story.bob, "other runs", at(9, CAROL))
    git(story.bob, "push", "-q", "origin", "other")
    git(story.alice, "fetch", "-q")
    _code, report = check_json(story.alice, capsys)
    same = [p for p in report["problems"] if p["kind"] == "same-id-on-branches"]
    assert [p["revisions"] for p in same] == [[BOB2_REV]], same
    assert "Carol" in same[0]["message"]


def test_a_branch_older_than_the_move_fetched_after_a_cached_check_keeps_its_author(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    commits = moved_story(story)
    assert check_json(story.bob, capsys)[0] == 0  # the cache now follows the older folder too
    git(story.bob, "fetch", "-q")
    git(story.bob, "-c", "merge.directoryRenames=true", "merge", "-q", "--no-edit", "origin/early",
        env=at(10, BOB))
    code, report = check_json(story.bob, capsys)
    heads = {h["revision"]: (h["git"]["author"], h["git"]["commit"]) for h in report["heads"]}
    assert (code, heads) == (1, {EARLY_REV: ("Alice", commits[EARLY_REV]),
                                 BOB2_REV: ("Bob", commits[BOB2_REV])})
