"""The heads marker file (`heads --write`, `[tool.ahq-history] heads-file`): written and recorded, verified
by `check`, kept current by `merge-heads` in the same transaction, also while a git merge holds it in
conflict. Real git, real Alembic projects, the real command line."""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import pytest

from ahq_history.core.marker import HEADER
from ahq_history.write.pyproject import set_setting
from tests.support.clirun import run_main
from tests.support.gitcli import commit_all, git, run_git
from tests.support.gitstory import ALICE, ALICE_REV, BASE_REV, BOB_REV, Story, make_story
from tests.support.projects import add_revision

PYPROJECT = '[project]\nname = "team-app"  # keep this comment\n'


def ahq(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    """`ahq-history ARGS` run from `root`, as a person in that folder runs it."""
    here = Path.cwd()
    os.chdir(root)
    try:
        return run_main(capsys, *args)
    finally:
        os.chdir(here)


def check_json(capsys: pytest.CaptureFixture[str], root: Path) -> tuple[int, dict[str, object]]:
    code, out, _ = ahq(capsys, root, "check", "--json")
    return code, json.loads(out)


def stale(report: dict[str, object]) -> list[dict[str, object]]:
    problems = report["problems"]
    assert isinstance(problems, list)
    return [p for p in problems if p["kind"] == "stale-heads-file"]


def with_marker(tmp_path: Path, capsys: pytest.CaptureFixture[str], marker: str) -> Story:
    """The two-developer story, with Alice's `heads --write MARKER` committed and pushed before Bob clones."""
    story = make_story(tmp_path)
    (story.alice / "pyproject.toml").write_text(PYPROJECT)
    code, out, _ = ahq(capsys, story.alice, "heads", "--write", marker)
    assert code == 0, out
    assert out.splitlines() == [f"Wrote {marker}: heads {BASE_REV}", "Recorded heads-file in pyproject.toml",
                                f"Next: git add {marker} pyproject.toml"]
    commit_all(story.alice, "heads marker", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    git(story.bob, "pull", "-q", "origin", "main")
    return story


def test_heads_write_records_the_setting_keeping_the_rest_of_pyproject(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = with_marker(tmp_path, capsys, "migrations/HEADS")
    assert (story.alice / "migrations/HEADS").read_text() == f"{HEADER}{BASE_REV}\n"
    assert (story.alice / "pyproject.toml").read_text() == (
        f'{PYPROJECT}\n[tool.ahq-history]\nheads-file = "migrations/HEADS"\n')
    assert check_json(capsys, story.bob)[0] == 0


@pytest.mark.parametrize("marker", ["migrations/HEADS", "migrations/versions/HEADS"])
def test_diverging_branches_conflict_in_git_and_merge_heads_resolves_the_marker(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], marker: str) -> None:
    story = with_marker(tmp_path, capsys, marker)
    add_revision(story.alice, "add audit log", ALICE_REV, head=BASE_REV)
    assert ahq(capsys, story.alice, "heads", "--write")[0] == 0  # the recorded file, rewritten
    commit_all(story.alice, "audit log", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)
    assert ahq(capsys, story.bob, "heads", "--write")[0] == 0
    commit_all(story.bob, "workflows")

    pulled = run_git(story.bob, "pull", "--no-rebase", "origin", "main")
    assert pulled.returncode == 1 and f"CONFLICT (content): Merge conflict in {marker}" in pulled.stdout
    code, report = check_json(capsys, story.bob)
    assert code == 1 and report["diverged"] is True
    [finding] = stale(report)
    assert finding["path"] == marker and finding["severity"] == "warning"
    assert finding["message"] == (f"heads file {marker} holds git conflict markers, but the heads are "
                                  f"{ALICE_REV}, {BOB_REV}; run `ahq-history merge-heads` to rewrite it")

    code, out, _ = ahq(capsys, story.bob, "merge-heads", "--yes", "--rev-id", "feed00000001")
    assert code == 0, out
    [merged] = (story.bob / "migrations/versions").glob("feed00000001_*.py")
    merge_file = merged.relative_to(story.bob).as_posix()
    assert f"Wrote {marker}: heads feed00000001" in out
    assert f"Next: git add {merge_file} {marker} && alembic upgrade head" in out
    assert (story.bob / marker).read_text() == f"{HEADER}feed00000001\n"
    git(story.bob, "add", merge_file, marker)
    git(story.bob, "commit", "-q", "--no-edit")
    code, report = check_json(capsys, story.bob)
    assert (code, report["diverged"], stale(report)) == (0, False, [])


def test_a_revision_added_without_rewriting_the_marker_is_a_finding(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = with_marker(tmp_path, capsys, "migrations/HEADS")
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)
    code, report = check_json(capsys, story.bob)
    assert code == 1 and report["diverged"] is False
    [finding] = stale(report)
    assert finding["message"] == (f"heads file migrations/HEADS names {BASE_REV}, but the heads are "
                                  f"{BOB_REV}; run `ahq-history heads --write` to rewrite it")
    assert report["next_argv"] == [["ahq-history", "heads", "--write"], ["alembic", "upgrade", "head"]]
    (story.bob / "migrations/HEADS").unlink()
    assert stale(check_json(capsys, story.bob)[1])[0]["message"].startswith(  # type: ignore[attr-defined]
        "heads file migrations/HEADS is missing")
    assert ahq(capsys, story.bob, "heads", "--write")[0] == 0
    assert check_json(capsys, story.bob)[0] == 0


def test_a_pyproject_that_cannot_be_edited_safely_gets_the_line_to_add(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = make_story(tmp_path)
    dotted = '[tool]\n"ahq-history".version-table = "alembic_version"\n'
    (story.alice / "pyproject.toml").write_text(dotted)
    code, out, _ = ahq(capsys, story.alice, "heads", "--write", "migrations/HEADS")
    assert code == 0
    assert out.splitlines()[1:] == [
        f"Not recorded: add these lines to {story.alice / 'pyproject.toml'} by hand (it could not be edited "
        "safely):", "  [tool.ahq-history]", '  heads-file = "migrations/HEADS"',
        "Next: git add migrations/HEADS"]
    assert (story.alice / "pyproject.toml").read_text() == dotted


def test_heads_write_refuses_a_revision_file_name_and_a_missing_setting(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    story = make_story(tmp_path)
    code, _, err = ahq(capsys, story.alice, "heads", "--write", "migrations/versions/heads.py")
    assert code == 2 and "cannot be the heads file" in err
    code, _, err = ahq(capsys, story.alice, "heads", "--write")
    assert code == 2 and "no heads file is recorded" in err
    assert not (story.alice / "migrations/versions/heads.py").exists()


@pytest.mark.parametrize(("text", "expected"), [
    ("", '[tool.ahq-history]\nheads-file = "H"\n'),
    ("[tool.ahq-history]\nlint = { disable = [] }\n",
     '[tool.ahq-history]\nheads-file = "H"\nlint = { disable = [] }\n'),
    ('[tool.ahq-history]\r\nheads-file = "old"  # why\r\n',
     '[tool.ahq-history]\r\nheads-file = "H"  # why\r\n'),
    ("x = 1", 'x = 1\n\n[tool.ahq-history]\nheads-file = "H"\n'),
])
def test_set_setting_is_a_small_edit(text: str, expected: str) -> None:
    edited = set_setting(text, "heads-file", "H")
    assert edited == expected
    assert tomllib.loads(edited)["tool"]["ahq-history"]["heads-file"] == "H"


def test_set_setting_gives_up_on_an_inline_table() -> None:
    assert set_setting('tool = { ahq-history = { lint = {} } }\n', "heads-file", "H") is None
