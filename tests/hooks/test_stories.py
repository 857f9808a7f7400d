"""The hooks in real pulls: git's facts about which hook fires when, Alice and Bob's divergence, and a
hook that never makes git fail. Every story uses a bare origin and clones; the hooks run the CLI."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.gitcli import commit_all, git, run_git
from tests.support.hookgit import ALICE, BASE, BOB, THIS_CHECKOUT, cli, team
from tests.support.projects import add_revision

ALICE_REV = "a11ce0000001"
BOB_REV = "b0b000000001"
DEBUG = {"AHQ_HISTORY_HOOK_DEBUG": "1"}
Clones = tuple[Path, Path, Path]  # origin, alice, bob


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    origin, alice, bob = team(tmp_path)
    installed = cli(bob, "hooks", "install")
    assert installed.returncode == 0, installed.stderr
    return origin, alice, bob


def _alice_pushes(alice: Path) -> None:
    add_revision(alice, "add audit log", ALICE_REV, head=BASE)
    commit_all(alice, "Add the audit log", env=ALICE)
    git(alice, "push", "-q", "origin", "main")


def _bob_commits(bob: Path) -> None:
    add_revision(bob, "add user phone", BOB_REV, head=BASE)
    commit_all(bob, "Add a phone number to users", env=BOB)


def _conflicting_readmes(alice: Path, bob: Path) -> None:
    """Alice pushes her README; Bob commits his own: his next pull conflicts."""
    (alice / "README").write_text("Alice's words\n")
    commit_all(alice, "readme", env=ALICE)
    git(alice, "push", "-q")
    (bob / "README").write_text("Bob's words\n")
    commit_all(bob, "readme", env=BOB)


@pytest.fixture
def bob(clones: Clones) -> Path:
    """Bob's clone with the hooks: Alice pushed a revision, Bob committed his own on the same parent."""
    _, alice, bob = clones
    _alice_pushes(alice)
    _bob_commits(bob)
    return bob


def _ahq_lines(output: str) -> list[str]:
    """What the hooks said (git's own progress lines left out)."""
    return [line for line in output.splitlines() if line.startswith(("ahq-history", "  ", "Run:"))]


# --- git's facts ---------------------------------------------------------------------------------------


def test_fast_forward_pull_fires_post_merge(clones: Clones) -> None:
    _, alice, bob = clones
    _alice_pushes(alice)
    pulled = run_git(bob, "pull", "-q", env=DEBUG)
    assert pulled.returncode == 0
    assert "ahq-history: post-merge hook acts on pull" in pulled.stderr


def test_fast_forward_pull_with_rebase_fires_post_merge(clones: Clones) -> None:
    _, alice, bob = clones
    _alice_pushes(alice)
    pulled = run_git(bob, "pull", "-q", "--rebase", env=DEBUG)
    assert pulled.returncode == 0
    assert "ahq-history: post-merge hook acts on pull" in pulled.stderr
    assert "post-rewrite" not in pulled.stderr


def test_rebasing_pull_skips_post_checkout_and_acts_on_post_rewrite(clones: Clones) -> None:
    _, alice, bob = clones
    _alice_pushes(alice)
    (bob / "notes.txt").write_text("Bob's notes\n")
    commit_all(bob, "notes", env=BOB)
    pulled = run_git(bob, "pull", "-q", "--rebase", env=DEBUG)
    assert pulled.returncode == 0
    said = [line for line in pulled.stderr.splitlines() if line.startswith("ahq-history: post-")]
    waiting = "rebase in progress: post-rewrite will look at the result"
    assert said[0] == f"ahq-history: post-checkout hook skipped ({waiting})"
    assert f"ahq-history: post-commit hook skipped ({waiting})" in said
    assert said[-1].startswith("ahq-history: post-rewrite hook acts on rebase")
    assert not any("post-merge" in line for line in said)


def test_amend_fires_post_rewrite_amend_which_stays_quiet(clones: Clones) -> None:
    _, _, bob = clones
    amended = run_git(bob, "commit", "-q", "--amend", "-m", "create users, again", env=DEBUG)
    assert amended.returncode == 0
    assert ("ahq-history: post-rewrite hook skipped (post-rewrite amend: only a rebase brings other commits)"
            in amended.stderr)


def test_conflicted_pull_fires_nothing_and_the_concluding_commit_acts(clones: Clones) -> None:
    _, alice, bob = clones
    _conflicting_readmes(alice, bob)
    pulled = run_git(bob, "pull", "-q", "--no-rebase", env=DEBUG)
    assert pulled.returncode != 0
    assert "ahq-history:" not in pulled.stderr
    (bob / "README").write_text("Both\n")
    git(bob, "add", "README")
    concluded = run_git(bob, "commit", "-q", "--no-edit", env=DEBUG)
    assert concluded.returncode == 0
    assert [line for line in concluded.stderr.splitlines() if line.startswith("ahq-history")] == [
        f"ahq-history: post-commit hook acts on merge commit {git(bob, 'rev-parse', 'HEAD^1').strip()[:10]}.."
        f"{git(bob, 'rev-parse', 'HEAD').strip()[:10]}"]


def test_branch_switch_acts_and_a_file_checkout_does_not(clones: Clones) -> None:
    _, _, bob = clones
    git(bob, "checkout", "-q", "-b", "feature")
    (bob / "notes.txt").write_text("x\n")
    commit_all(bob, "notes")
    switched = run_git(bob, "checkout", "-q", "main", env=DEBUG)
    assert "ahq-history: post-checkout hook acts on branch switch" in switched.stderr
    (bob / "alembic.ini").write_text("changed\n")
    restored = run_git(bob, "checkout", "-q", "--", "alembic.ini", env=DEBUG)
    assert "ahq-history: post-checkout hook skipped (file checkout, not a branch switch)" in restored.stderr


# --- Alice and Bob ---------------------------------------------------------------------------------------


def _assert_names_both_heads(said: list[str]) -> None:
    """The warning: the fork, each head with its message and who brought it from where, the command."""
    assert said[0] == f"ahq-history: 2 migration heads since {BASE}:"
    alice = next(line for line in said if ALICE_REV in line)
    bob = next(line for line in said if BOB_REV in line)
    assert re.fullmatch(rf"  {ALICE_REV}  add audit log  by Alice Archer <alice@example.com> "
                        r"from origin/main, commit [0-9a-f]{12} \(published\)", alice), alice
    assert re.fullmatch(rf"  {BOB_REV}  add user phone  by Bob Builder <bob@example.com> from main, "
                        r"commit [0-9a-f]{12} \(local\)", bob), bob
    assert said[-2:] == ["  run: ahq-history merge-heads", "  then: alembic upgrade head"]


def test_pull_that_merges_warns_about_both_heads(bob: Path) -> None:
    pulled = run_git(bob, "pull", "--no-rebase", "-q")
    assert pulled.returncode == 0
    _assert_names_both_heads(_ahq_lines(pulled.stderr))


def test_pull_that_rebases_warns_about_both_heads_once(bob: Path) -> None:
    pulled = run_git(bob, "pull", "--rebase", "-q")
    assert pulled.returncode == 0
    said = _ahq_lines(pulled.stderr)
    _assert_names_both_heads(said)
    assert "\n".join(said).count(ALICE_REV) == 1


def test_rebasing_pull_warning_starts_below_gits_progress_line(bob: Path) -> None:
    # Not quiet: git writes `Rebasing (1/1)\r` without a newline. Bytes, so that no `\r` is translated.
    pulled = subprocess.run(["git", "pull", "--rebase"], cwd=bob, capture_output=True, check=False)
    assert pulled.returncode == 0
    said = pulled.stderr.decode()
    assert "\rahq-history" not in said
    assert f"\nahq-history: 2 migration heads since {BASE}:\n" in said


def test_concluding_a_conflicted_merge_warns_about_both_heads(clones: Clones) -> None:
    _, alice, bob = clones
    _alice_pushes(alice)
    _bob_commits(bob)
    _conflicting_readmes(alice, bob)
    assert run_git(bob, "pull", "-q", "--no-rebase").returncode != 0
    (bob / "README").write_text("Both\n")
    git(bob, "add", "README")
    concluded = run_git(bob, "commit", "-q", "--no-edit")
    assert concluded.returncode == 0
    _assert_names_both_heads(_ahq_lines(concluded.stderr))


def test_squash_pull_warns_about_the_heads_in_the_work_tree(bob: Path) -> None:
    pulled = run_git(bob, "pull", "-q", "--squash")
    assert pulled.returncode == 0
    said = _ahq_lines(pulled.stderr)
    assert said[0] == "ahq-history: 2 migration heads in the work tree:"
    assert any(line.startswith(f"  {ALICE_REV}  add audit log") for line in said)
    assert any(line.startswith(f"  {BOB_REV}  add user phone") for line in said)
    assert said[-1].startswith("  run: ahq-history merge-heads")


def test_pull_without_divergence_is_quiet(clones: Clones) -> None:
    _, alice, bob = clones
    _alice_pushes(alice)
    pulled = run_git(bob, "pull", "-q")
    assert pulled.returncode == 0
    assert pulled.stderr == ""


def test_pull_that_brings_no_revision_file_is_quiet_even_when_diverged(clones: Clones) -> None:
    _, alice, bob = clones
    _alice_pushes(alice)
    _bob_commits(bob)
    assert run_git(bob, "pull", "-q", "--no-rebase").returncode == 0
    (alice / "README").write_text("docs\n")
    git(alice, "pull", "-q")
    commit_all(alice, "docs", env=ALICE)
    git(alice, "push", "-q")
    pulled = run_git(bob, "pull", "-q", "--no-rebase")
    assert pulled.returncode == 0
    assert pulled.stderr == ""


# --- a hook never makes git fail ---------------------------------------------------------------------------


def test_pull_succeeds_when_the_recorded_interpreter_is_gone(clones: Clones) -> None:
    _, alice, bob = clones
    hook = bob / ".git" / "hooks" / "post-merge"
    hook.write_text(hook.read_text().replace(f"AHQ_PYTHON={_quoted_python()}", "AHQ_PYTHON=/gone/bin/python"))
    _alice_pushes(alice)
    pulled = run_git(bob, "pull", "-q")
    assert pulled.returncode == 0
    assert pulled.stderr.strip() == (
        "ahq-history: the post-merge hook's Python (/gone/bin/python) is gone; reinstall: "
        f"{THIS_CHECKOUT}")


def test_pull_succeeds_when_the_recorded_interpreter_cannot_run_ahq_history(clones: Clones) -> None:
    _, alice, bob = clones
    broken = shutil.which("false")
    assert broken is not None
    from ahq_history.hooks import install as hooks

    hooks.install(bob, python=broken)
    _alice_pushes(alice)
    pulled = run_git(bob, "pull", "-q")
    assert pulled.returncode == 0
    assert pulled.stderr.strip() == (
        f"ahq-history: {broken} cannot run ahq-history; reinstall: {THIS_CHECKOUT}")


def test_pull_succeeds_when_the_history_cache_is_damaged(clones: Clones) -> None:
    _, alice, bob = clones
    cached = [p for p in (bob / ".git" / "ahq-history").rglob("*") if p.is_file()]
    assert cached, "hooks install warms the cache"
    for path in cached:
        path.write_text("{not json")
    _alice_pushes(alice)
    _bob_commits(bob)
    pulled = run_git(bob, "pull", "-q", "--no-rebase")
    assert pulled.returncode == 0
    _assert_names_both_heads(_ahq_lines(pulled.stderr))


def test_pull_succeeds_when_a_pulled_revision_file_is_corrupt(clones: Clones) -> None:
    _, alice, bob = clones
    path = add_revision(alice, "add audit log", ALICE_REV, head=BASE)
    path.write_text(path.read_text().replace("def upgrade()", "def upgrade(:"))
    commit_all(alice, "broken revision", env=ALICE)
    git(alice, "push", "-q")
    _bob_commits(bob)
    pulled = run_git(bob, "pull", "-q", "--no-rebase")
    assert pulled.returncode == 0
    assert all(line.startswith(("ahq-history", "  ", "Run:")) for line in pulled.stderr.splitlines())


def test_pull_succeeds_in_a_shallow_clone(clones: Clones, tmp_path: Path) -> None:
    origin, alice, _ = clones
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(shallow))
    assert cli(shallow, "hooks", "install").returncode == 0
    _alice_pushes(alice)
    _bob_commits(shallow)
    pulled = run_git(shallow, "pull", "-q", "--no-rebase")
    assert pulled.returncode == 0, pulled.stderr
    said = "\n".join(_ahq_lines(pulled.stderr))
    assert ALICE_REV in said and BOB_REV in said


def test_pull_succeeds_when_the_project_configuration_is_broken(clones: Clones) -> None:
    _, alice, bob = clones
    (alice / "alembic.ini").write_text("[alembic\nscript_location = migrations\n")
    commit_all(alice, "break the ini", env=ALICE)
    git(alice, "push", "-q")
    pulled = run_git(bob, "pull", "-q")
    assert pulled.returncode == 0
    assert len(pulled.stderr.splitlines()) <= 1


def _quoted_python() -> str:
    import sys

    return shlex.quote(sys.executable)


def test_hook_run_by_hand_exits_0_outside_a_repository(tmp_path: Path) -> None:
    done = cli(tmp_path, "check", "--hook", "post-merge", "0")
    assert done.returncode == 0
    assert done.stdout == "" and done.stderr == ""
    assert os.listdir(tmp_path) == []


# --- the database after a branch switch (post-checkout) ----------------------------------------------------


@pytest.fixture
def bob_repo(tmp_path: Path) -> Path:
    """Bob's repository (tests/dbstory.py) with the hooks installed, on feature/audit, his SQLite database
    upgraded to his revision."""
    from tests.support.dbstory import alembic_cli, bob_story

    root = bob_story(tmp_path / "bob")
    assert cli(root, "hooks", "install").returncode == 0
    git(root, "checkout", "-q", "feature/audit")
    alembic_cli(root, "upgrade", "head")
    return root


def test_switch_to_a_branch_without_the_database_revision_warns(bob_repo: Path) -> None:
    from tests.support.dbstory import AUDIT

    switched = run_git(bob_repo, "checkout", "-q", "main")
    assert switched.returncode == 0
    assert switched.stderr.splitlines() == [
        f"ahq-history: the database is at {AUDIT}, which this branch does not have.",
        "  Run `ahq-history sync` to bring it back to this branch (`ahq-history status` shows the branch "
        "that has it and the commands).",
    ]


def test_switch_back_to_the_branch_the_database_matches_is_quiet(bob_repo: Path) -> None:
    git(bob_repo, "checkout", "-q", "main")
    switched = run_git(bob_repo, "checkout", "-q", "feature/audit")
    assert switched.returncode == 0
    assert switched.stderr == ""


def test_switch_with_an_unreachable_database_is_quiet(bob_repo: Path) -> None:
    ini = bob_repo / "alembic.ini"
    ini.write_text(ini.read_text().replace("sqlalchemy.url = sqlite:///app.db",
                                           "sqlalchemy.url = postgresql://nobody@127.0.0.1:9/none"))
    switched = run_git(bob_repo, "checkout", "-q", "main")
    assert switched.returncode == 0
    assert switched.stderr == ""
