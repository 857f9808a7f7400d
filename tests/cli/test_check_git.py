"""`ahq-history check` with git: who brought each head, what is published, advice, `--against`, `--upstream`.

The stories are real: a bare origin, clones for Alice and Bob, revisions written by Alembic's own
`revision` command, commits, pushes, pulls and fetches with git itself.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ahq_history.cli.main import main
from tests.support.clirun import check_json
from tests.support.gitcli import commit_all, git, head
from tests.support.gitstory import (
    ALICE,
    ALICE_FILE,
    ALICE_REV,
    BASE_FILE,
    BASE_REV,
    BOB,
    BOB_FILE,
    BOB_REV,
    Story,
    alice_pushes,
)
from tests.support.projects import add_revision, alembic_project


def heads_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {h["revision"]: h for h in report["heads"]}


def alice_commit(story: Story) -> str:
    return git(story.alice, "log", "-1", "--format=%H", "--", ALICE_FILE).strip()


# -- the two-developer story ------------------------------------------------------------------------


def test_after_a_merging_pull_check_names_who_brought_each_head(forked: Story,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    bob_commit = head(forked.bob)
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    code, report = check_json(forked.bob, capsys)
    assert code == 1
    heads = heads_by_id(report)
    assert heads[ALICE_REV]["git"]["author"] == "Alice"
    assert heads[ALICE_REV]["git"]["email"] == "alice@example.com"
    assert heads[ALICE_REV]["git"]["commit"] == alice_commit(forked)
    assert heads[ALICE_REV]["git"]["published"] is True
    assert heads[ALICE_REV]["git"]["refs"] == ["main", "origin/main"]
    assert heads[BOB_REV]["git"]["author"] == "Bob"
    assert heads[BOB_REV]["git"]["commit"] == bob_commit
    assert heads[BOB_REV]["git"]["published"] is False
    assert heads[BOB_REV]["git"]["refs"] == ["main"]
    (divergence,) = report["divergences"]
    assert divergence["forks"] == [BASE_REV]


def test_after_a_merging_pull_check_merges_bobs_local_side_and_says_status_can_tell_about_a_rebase(
        forked: Story, capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    _code, report = check_json(forked.bob, capsys)
    (divergence,) = report["divergences"]
    sides = {s["head"]: s for s in divergence["sides"]}
    assert (sides[ALICE_REV]["published"], sides[BOB_REV]["published"]) == (True, False)
    assert [g["author"] for g in sides[BOB_REV]["git"]] == ["Bob"]
    assert [g["revision"] for g in sides[BOB_REV]["git"]] == sides[BOB_REV]["revisions"] == [BOB_REV]
    # check reads no database: whether Bob's revision is applied is unknown, so nothing moves it
    assert divergence["advice"] == "merge"
    assert divergence["command"] == "ahq-history merge-heads"
    assert "`ahq-history status` reads the database and says whether it can move" in divergence["reason"]
    assert divergence["joined_by"]["commit"] == head(forked.bob)  # the merge the pull made
    assert divergence["joined_by"]["author"] == "Bob"
    assert report["next"] == "ahq-history merge-heads"


def test_after_a_rebasing_pull_bobs_rebased_commit_is_still_local(forked: Story,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--rebase", env=BOB)
    code, report = check_json(forked.bob, capsys)
    assert code == 1
    heads = heads_by_id(report)
    assert heads[BOB_REV]["git"]["commit"] == head(forked.bob)
    assert (heads[ALICE_REV]["git"]["published"], heads[BOB_REV]["git"]["published"]) == (True, False)
    (divergence,) = report["divergences"]
    assert (divergence["advice"], divergence["joined_by"]) == ("merge", None)


def test_once_bob_pushes_both_sides_are_published_and_the_advice_is_a_merge(
        forked: Story, capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    git(forked.bob, "push", "-q", "origin", "main")
    _code, report = check_json(forked.bob, capsys)
    (divergence,) = report["divergences"]
    assert [s["published"] for s in divergence["sides"]] == [True, True]
    assert (divergence["advice"], divergence["command"]) == ("merge", "ahq-history merge-heads")


def test_text_output_shows_authors_publication_and_the_command(forked: Story,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    assert main(["-c", str(forked.bob / "alembic.ini"), "check"]) == 1
    out = capsys.readouterr().out
    assert f"       by Alice in {alice_commit(forked)[:10]} (published)" in out
    assert f"  side {BOB_REV} (1 revision): add workflows  [by Bob, local]" in out
    assert f"  advice: {BOB_REV} is only on this machine, but whether a database has applied it is unknown" \
        in out
    assert "  run: ahq-history merge-heads\n  then: alembic upgrade head\n" in out
    assert out.rstrip().endswith("Next: ahq-history merge-heads")


def test_an_uncommitted_revision_is_local_with_no_commit(story: Story,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)
    _code, report = check_json(story.bob, capsys)
    git_fields = heads_by_id(report)[BOB_REV]["git"]
    assert (git_fields["commit"], git_fields["author"], git_fields["published"], git_fields["state"]) == (
        None, None, False, "uncommitted")


# -- check --against REF ----------------------------------------------------------------------------


def untouched(repo: Path) -> tuple[str, str, str]:
    """HEAD, the index file's bytes and the status, read without refreshing the index."""
    status = subprocess.run(["git", "--no-optional-locks", "status", "--porcelain", "--untracked-files=all"],
                            cwd=repo, capture_output=True, text=True, check=True).stdout
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return head(repo), index, status


def test_against_predicts_the_divergence_before_the_merge(forked: Story,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "fetch", "-q")
    (forked.bob / "notes.txt").write_text("an untracked file stays untracked\n")
    stamp = (forked.bob / BOB_FILE).stat().st_mtime + 60
    os.utime(forked.bob / BOB_FILE, (stamp, stamp))  # stale stat data: `git status` would rewrite the index
    before = untouched(forked.bob)
    assert check_json(forked.bob, capsys)[0] == 0  # nothing diverges yet in Bob's own tree
    code, report = check_json(forked.bob, capsys, "--against", "origin/main")
    assert code == 1
    assert sorted(heads_by_id(report)) == sorted([ALICE_REV, BOB_REV])
    assert heads_by_id(report)[ALICE_REV]["git"]["author"] == "Alice"
    assert heads_by_id(report)[ALICE_REV]["git"]["published"] is True
    assert report["divergences"][0]["forks"] == [BASE_REV]
    assert report["divergences"][0]["advice"] == "merge"
    assert report["against"] == {
        "ref": "origin/main", "commit": git(forked.bob, "rev-parse", "origin/main").strip(),
        "merge_base": git(forked.bob, "merge-base", "HEAD", "origin/main").strip(),
        "taken": [ALICE_FILE], "removed": [], "conflicts": []}
    assert untouched(forked.bob) == before


def test_against_counts_uncommitted_revision_files_as_ours(story: Story,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    alice_pushes(story)
    add_revision(story.bob, "add workflows", BOB_REV, head=BASE_REV)  # never committed
    git(story.bob, "fetch", "-q")
    code, report = check_json(story.bob, capsys, "--against", "origin/main")
    assert code == 1
    assert heads_by_id(report)[BOB_REV]["git"]["state"] == "uncommitted"


def test_against_sees_a_revision_the_ref_deleted(forked: Story, capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)  # Bob has Alice's file now
    git(forked.alice, "rm", "-q", ALICE_FILE)
    commit_all(forked.alice, "drop the audit log again", ALICE)
    git(forked.alice, "push", "-q", "origin", "main")
    git(forked.bob, "fetch", "-q")
    code, report = check_json(forked.bob, capsys, "--against", "origin/main")
    assert report["against"]["removed"] == [ALICE_FILE]
    assert [h["revision"] for h in report["heads"]] == [BOB_REV]
    assert code == 0


def test_against_reports_a_revision_file_changed_on_both_sides(forked: Story,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    base_file = forked.bob / BASE_FILE
    base_file.write_text(base_file.read_text() + "\n# Bob's note\n")
    alice_base = forked.alice / BASE_FILE
    alice_base.write_text(alice_base.read_text() + "\n# Alice's note\n")
    commit_all(forked.alice, "note", ALICE)
    git(forked.alice, "push", "-q", "origin", "main")
    git(forked.bob, "fetch", "-q")
    code, report = check_json(forked.bob, capsys, "--against", "origin/main")
    assert code == 3
    (conflict,) = [p for p in report["problems"] if p["kind"] == "merge-conflict"]
    assert conflict["message"] == (f"revision {BASE_REV} ({BASE_FILE}) is changed differently here and on "
                                   "origin/main: merging origin/main will stop on a conflict in it")
    assert report["against"]["conflicts"] == [BASE_FILE]


def test_against_an_unknown_ref_exits_2_with_a_fetch_hint(story: Story,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(story.bob, capsys, "--against", "origin/nope")
    assert code == 2
    assert report["error"]["message"] == "git has no branch, tag or commit named 'origin/nope'"
    assert report["error"]["hint"] == ("run `git fetch origin` (or check the name with `git branch -a`), "
                                       "then try again")


def test_against_an_unknown_branch_with_a_slash_names_no_remote_that_is_not_one(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(story.bob, capsys, "--against", "feature/nope")
    assert code == 2
    assert report["error"]["hint"] == ("run `git fetch --all` (or check the name with `git branch -a`), "
                                       "then try again")


# -- --upstream ---------------------------------------------------------------------------------------


def test_upstream_narrows_what_counts_as_published(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    add_revision(story.alice, "add audit log", ALICE_REV, head=BASE_REV)
    commit_all(story.alice, "audit log", ALICE)
    git(story.alice, "push", "-q", "origin", "main:feature")
    _code, report = check_json(story.alice, capsys)
    assert heads_by_id(report)[ALICE_REV]["git"]["published"] is True  # origin/feature holds it
    _code, report = check_json(story.alice, capsys, "--upstream", "origin/main")
    assert heads_by_id(report)[ALICE_REV]["git"]["published"] is False
    assert report["git"]["upstream"] == "origin/main"


def test_an_unknown_upstream_exits_2(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check_json(story.alice, capsys, "--upstream", "origin/gone")
    assert (code, report["error"]["kind"]) == (2, "UnreachableError")


# -- history warnings ---------------------------------------------------------------------------------


def test_a_deleted_revision_file_is_answered_with_its_commit_and_author(
        forked: Story, capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.alice, "rm", "-q", BASE_FILE)
    deleting = commit_all(forked.alice, "remove the first migration", ALICE)
    git(forked.alice, "push", "-q", "origin", "main")
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    code, report = check_json(forked.bob, capsys)
    assert code == 3  # Bob's revision names a parent that no file defines
    (warning,) = [p for p in report["problems"] if p["kind"] == "deleted-revision"]
    assert warning["severity"] == "warning"
    assert warning["message"] == (
        f"revision {BASE_REV} was deleted in commit {deleting[:12]} by Alice "
        f"<alice@example.com> on 2026-01-01; revision {ALICE_REV} still names it")


def test_deleting_a_published_revision_file_locally_is_a_warning(story: Story,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    alice_pushes(story)
    (story.alice / ALICE_FILE).unlink()
    _code, report = check_json(story.alice, capsys)
    (warning,) = [p for p in report["problems"] if p["kind"] == "deleted-revision"]
    assert warning["message"] == (f"revision {ALICE_REV} was deleted in the work tree (not "
                                  "committed); it was published, so databases may have it applied")


def test_the_same_revision_id_on_two_branches_is_a_warning(story: Story,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    git(story.bob, "checkout", "-qb", "feature")
    add_revision(story.bob, "feature table", "cafe00000001", head=BASE_REV)
    feature_commit = commit_all(story.bob, "feature", BOB)
    git(story.bob, "push", "-q", "origin", "feature")
    git(story.bob, "checkout", "-q", "main")
    add_revision(story.bob, "main table", "cafe00000001", head=BASE_REV)
    commit_all(story.bob, "main", BOB)
    _code, report = check_json(story.bob, capsys)
    (warning,) = [p for p in report["problems"] if p["kind"] == "same-id-on-branches"]
    assert warning["message"] == (
        "revision id cafe00000001 is added on two branches: migrations/versions/cafe00000001_main_table.py "
        f"on here (commit {head(story.bob)[:12]} by Bob); migrations/versions/cafe00000001_feature_table.py "
        f"on feature (commit {feature_commit[:12]} by Bob); give one of them a new id before they meet")


def test_editing_a_published_revision_is_a_warning(forked: Story, capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    path = forked.bob / ALICE_FILE
    path.write_text(path.read_text().replace("pass", "op.execute('SELECT 1')", 1))
    _code, report = check_json(forked.bob, capsys)
    (warning,) = [p for p in report["problems"] if p["kind"] == "edited-after-publish"]
    assert warning["message"] == (
        f"revision {ALICE_REV} was edited after it was published (in commit {alice_commit(forked)[:12]} by "
        "Alice); an uncommitted change changes it, and databases that already applied it will not run it "
        "again")


def test_renaming_a_published_revision_file_is_no_edit(story: Story,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    git(story.bob, "mv", BASE_FILE, "migrations/versions/create_users.py")
    commit_all(story.bob, "shorter name", BOB)
    _code, report = check_json(story.bob, capsys)
    assert [p["kind"] for p in report["problems"]] == []


def test_reparenting_a_published_revision_is_a_warning(forked: Story,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    git(forked.bob, "pull", "-q", "--no-rebase", "--no-edit", env=BOB)
    path = forked.bob / ALICE_FILE
    path.write_text(path.read_text().replace(f"down_revision: Union[str, Sequence[str], None] = '{BASE_REV}'",
                                             f"down_revision: Union[str, Sequence[str], None] = '{BOB_REV}'"))
    editing = commit_all(forked.bob, "stack audit log on workflows", BOB)
    code, report = check_json(forked.bob, capsys)
    assert code == 0
    (warning,) = [p for p in report["problems"] if p["kind"] == "reparented-after-publish"]
    assert warning["message"] == (
        f"revision {ALICE_REV} was published in commit {alice_commit(forked)[:12]} by Alice with "
        f"down_revision {BASE_REV} and commit {editing[:12]} by Bob <bob@example.com> changes it to "
        f"{BOB_REV}: databases that applied it record a different history; re-parent only what nobody "
        "else has")


# -- where git cannot tell ----------------------------------------------------------------------------


def test_a_shallow_clone_gives_no_provenance_beyond_its_boundary(forked: Story, tmp_path: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{forked.origin}", str(shallow))
    _code, report = check_json(shallow, capsys)
    alice = heads_by_id(report)[ALICE_REV]["git"]
    assert (alice["commit"], alice["author"], alice["last_commit"]) == (None, None, None)
    assert alice["published"] is True  # the boundary commit itself is on origin/main
    assert report["git"]["shallow"] is True


def test_a_deeper_shallow_clone_knows_the_commits_inside_it(forked: Story, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{forked.origin}", str(shallow))
    _code, report = check_json(shallow, capsys)
    assert heads_by_id(report)[ALICE_REV]["git"]["commit"] == alice_commit(forked)


def test_editing_a_file_older_than_a_shallow_clone_is_still_a_warning(
        forked: Story, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{forked.origin}", str(shallow))
    path = shallow / ALICE_FILE
    path.write_text(path.read_text().replace("pass", "op.execute('SELECT 1')", 1))
    _code, report = check_json(shallow, capsys)
    (warning,) = [p for p in report["problems"] if p["kind"] == "edited-after-publish"]
    assert warning["message"] == (
        f"revision {ALICE_REV} was edited after it was published (before this shallow clone's oldest "
        "commit); an uncommitted change changes it, and databases that already applied it will not run it "
        "again")


def test_without_a_remote_publication_is_unknown_and_the_advice_is_merge(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "solo"
    git(tmp_path, "init", "-q", str(root))
    alembic_project(root)
    add_revision(root, "create users", BASE_REV)
    add_revision(root, "add audit log", ALICE_REV, head=BASE_REV)
    add_revision(root, "add workflows", BOB_REV, head=BASE_REV, splice=True)
    commit_all(root, "everything", ALICE)
    code, report = check_json(root, capsys)
    assert code == 1
    assert [h["git"]["published"] for h in report["heads"]] == [None, None]
    (divergence,) = report["divergences"]
    assert (divergence["advice"], divergence["command"]) == ("merge", "ahq-history merge-heads")
    assert report["notes"] == ["no remote-tracking branch: whether a revision is published is unknown"]


def test_outside_git_everything_works_with_null_git_fields_and_one_note(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alembic_project(tmp_path / "plain")
    add_revision(root, "create users", BASE_REV)
    add_revision(root, "add audit log", ALICE_REV, head=BASE_REV)
    add_revision(root, "add workflows", BOB_REV, head=BASE_REV, splice=True)
    code, report = check_json(root, capsys)
    assert code == 1
    assert [h["git"] for h in report["heads"]] == [None, None]
    assert report["git"] is None
    assert report["notes"] == [f"{root} is not in a git repository: no git facts"]
    assert report["divergences"][0]["advice"] == "merge"


def test_without_a_git_binary_the_graph_features_still_work(forked: Story) -> None:
    bin_folder = Path(sys.executable).parent
    env = {**os.environ, "PATH": str(bin_folder)}
    env.pop("GIT_PYTHON_GIT_EXECUTABLE", None)
    done = subprocess.run([sys.executable, "-m", "ahq_history", "check", "--json", "--no-cache"],
                          cwd=forked.bob, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [h["revision"] for h in report["heads"]] == [BOB_REV]
    assert report["heads"][0]["git"] is None
    (note,) = report["notes"]
    assert note.startswith("git cannot be run: ")


def _add_phone(path: Path) -> None:
    path.write_text(path.read_text().replace(
        'def upgrade() -> None:\n    """Upgrade schema."""\n    pass',
        'def upgrade() -> None:\n    """Upgrade schema."""\n'
        "    op.add_column('users', sa.Column('phone', sa.String(32)))"))


def test_against_reports_conflicts_with_the_revisions_only_the_ref_has(
        story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    _add_phone(add_revision(story.alice, "add users phone", ALICE_REV, head=BASE_REV))
    commit_all(story.alice, "phone", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    _add_phone(add_revision(story.bob, "add users phone too", BOB_REV, head=BASE_REV))
    commit_all(story.bob, "phone too", BOB)
    git(story.bob, "fetch", "-q")
    code, report = check_json(story.bob, capsys, "--against", "origin/main")
    assert code == 1
    (conflict,) = report["divergences"][0]["conflicts"]
    assert (conflict["kind"], conflict["table"], conflict["column"]) == ("both-add-column", "users", "phone")
    assert sorted(r["revision"] for r in conflict["revisions"]) == [ALICE_REV, BOB_REV]
    assert report["next"].startswith("git merge origin/main (or git pull), then ahq-history merge-heads")
