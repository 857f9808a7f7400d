"""The blocking gates with real git: `hooks install --pre-push` refuses a push that would leave two heads on
the remote, `--pre-commit` refuses a commit that stages a second head (the index is judged, not the work
tree), and a gate that cannot judge (past its budget, no Python, a broken configuration) refuses too, each
naming the `--no-verify` bypass."""

from __future__ import annotations

import io
import sys
import threading
from pathlib import Path

import pytest

from ahq_history.hooks.gate import run_gate
from tests.support.gitcli import commit_all, git, head, run_git
from tests.support.hookgit import ALICE, BOB, bob_after_pull, cli, project_repo, team
from tests.support.projects import add_revision

PUSH_BYPASS = "  to push anyway: git push --no-verify"
COMMIT_BYPASS = "  to commit anyway: git commit --no-verify"


def install_gates(clone: Path, *flags: str) -> str:
    done = cli(clone, "hooks", "install", *flags)
    assert done.returncode == 0, done.stderr
    return done.stdout


def remote_main(clone: Path) -> str:
    return git(clone, "ls-remote", "origin", "refs/heads/main").split()[0]


# --- pre-push --------------------------------------------------------------------------------------------


def test_a_push_that_would_leave_two_heads_on_the_remote_is_refused_with_the_advice(tmp_path: Path) -> None:
    bob = bob_after_pull(tmp_path)
    install_gates(bob, "--pre-push")
    before = remote_main(bob)

    pushed = run_git(bob, "push", "origin", "main")

    assert pushed.returncode != 0
    assert remote_main(bob) == before
    lines = pushed.stderr.splitlines()
    assert lines[0].startswith(f"ahq-history (pre-push gate): refused: the revision files origin main would "
                               f"hold ({head(bob)[:10]}) have 2 Alembic heads")
    assert "  a1a1a1a1a1a1  add audit log" in lines
    assert "  b2b2b2b2b2b2  add users phone" in lines
    assert "  run: ahq-history merge-heads" in lines
    assert PUSH_BYPASS in lines


def test_the_push_passes_once_merge_heads_joined_them(tmp_path: Path) -> None:
    bob = bob_after_pull(tmp_path)
    install_gates(bob, "--pre-push")
    assert run_git(bob, "push", "origin", "main").returncode != 0

    merged = cli(bob, "merge-heads", "--yes", "--rev-id", "c3c3c3c3c3c3")
    assert merged.returncode == 0, merged.stderr
    commit_all(bob, "merge heads", env=BOB)
    pushed = run_git(bob, "push", "origin", "main")

    assert pushed.returncode == 0, pushed.stderr
    assert remote_main(bob) == head(bob)


def test_a_push_that_keeps_one_head_passes_silently(tmp_path: Path) -> None:
    _origin, alice, _bob = team(tmp_path)
    install_gates(alice, "--pre-push")
    add_revision(alice, "add audit log", "a1a1a1a1a1a1")
    commit_all(alice, "audit log", env=ALICE)

    pushed = run_git(alice, "push", "origin", "main")

    assert pushed.returncode == 0
    assert "ahq-history" not in pushed.stderr
    assert remote_main(alice) == head(alice)


def test_a_new_branch_with_two_heads_is_refused(tmp_path: Path) -> None:
    bob = bob_after_pull(tmp_path)
    install_gates(bob, "--pre-push")

    pushed = run_git(bob, "push", "origin", "HEAD:refs/heads/feature")

    assert pushed.returncode != 0
    assert "origin feature would hold" in pushed.stderr
    assert run_git(bob, "ls-remote", "--exit-code", "origin", "refs/heads/feature").returncode == 2


# --- pre-commit ------------------------------------------------------------------------------------------


def test_a_commit_that_stages_a_second_head_is_refused(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit")
    before = head(repo)
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    add_revision(repo, "add users phone", "b2b2b2b2b2b2", head="0a0a0a0a0001", splice=True)
    git(repo, "add", "-A")

    committed = run_git(repo, "commit", "-m", "two heads")

    assert committed.returncode == 1
    assert head(repo) == before
    lines = committed.stderr.splitlines()
    assert lines[0] == ("ahq-history (pre-commit gate): refused: the staged revision files have 2 Alembic "
                        "heads that no branch label separates (`upgrade head` fails on them):")
    assert "  then `git add` the new revision file and commit again" in lines
    assert COMMIT_BYPASS in lines


def test_an_unrelated_commit_passes_over_an_unstaged_second_head(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit")
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    commit_all(repo, "audit log")
    add_revision(repo, "add users phone", "b2b2b2b2b2b2", head="0a0a0a0a0001", splice=True)  # not staged
    (repo / "README").write_text("notes\n")
    git(repo, "add", "README")

    committed = run_git(repo, "commit", "-m", "notes")

    assert committed.returncode == 0, committed.stderr
    assert "ahq-history" not in committed.stderr
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["README"]


def test_a_partial_commit_is_judged_on_what_it_records(tmp_path: Path) -> None:
    """`git commit PATH` records HEAD plus PATH (git hands the hook a temporary index): a second head that
    is staged but not part of this commit does not stop it."""
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit")
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    commit_all(repo, "audit log")
    add_revision(repo, "add users phone", "b2b2b2b2b2b2", head="0a0a0a0a0001", splice=True)
    (repo / "README").write_text("notes\n")
    git(repo, "add", "-A")

    assert run_git(repo, "commit", "-m", "notes", "README").returncode == 0
    assert run_git(repo, "commit", "-m", "second head").returncode == 1


def test_a_commit_that_breaks_the_graph_is_refused(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit")
    path = add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    text = path.read_text()
    path.write_text(text.replace("= '0a0a0a0a0001'", "= 'nowhere00000'"))  # down_revision: a dangling parent
    git(repo, "add", "-A")

    committed = run_git(repo, "commit", "-m", "dangling")

    assert committed.returncode == 1  # git's refusal, whatever the hook's code
    assert run_gate("pre-commit", [], stdin=io.StringIO(), err=io.StringIO(), start=repo, environ={}) == 3
    assert committed.stderr.startswith("ahq-history (pre-commit gate): the staged revision files break the "
                                       "revision graph:\n")
    assert "nowhere00000" in committed.stderr
    assert COMMIT_BYPASS in committed.stderr.splitlines()


def test_hooks_install_alone_adds_no_gate(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo)
    hooks = repo / ".git" / "hooks"
    assert not (hooks / "pre-commit").exists()
    assert not (hooks / "pre-push").exists()


def test_uninstall_removes_the_gates(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit", "--pre-push")
    assert (repo / ".git" / "hooks" / "pre-push").exists()

    assert cli(repo, "hooks", "uninstall").returncode == 0

    assert not (repo / ".git" / "hooks" / "pre-commit").exists()
    assert not (repo / ".git" / "hooks" / "pre-push").exists()


# --- a gate that cannot judge refuses --------------------------------------------------------------------


class StuckInput(io.StringIO):
    """A pre-push stdin that git never ends (until the test releases it)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()

    def read(self, size: int | None = -1) -> str:
        self.release.wait(60)
        return ""


def test_a_gate_past_its_budget_refuses_and_names_the_bypass(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    stuck, err = StuckInput(), io.StringIO()
    try:
        code = run_gate("pre-push", ["origin", "url"], stdin=stuck, err=err, start=repo,
                        environ={"AHQ_GATE_BUDGET": "0.3"})
        assert not stuck.release.is_set()  # it answered while the work was still blocked
    finally:
        stuck.release.set()

    assert code == 2
    assert err.getvalue() == (
        "ahq-history (pre-push gate): gave up after 0.3 s without an answer, so git stops here; run "
        "`ahq-history check` (budget: AHQ_GATE_BUDGET or git config ahq-history.gate-budget)\n"
        f"{PUSH_BYPASS}\n")


def test_a_real_commit_past_the_gate_budget_is_refused(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit")
    git(repo, "config", "ahq-history.gate-budget", "0.001")  # no gate answers within a millisecond
    (repo / "README").write_text("notes\n")
    git(repo, "add", "README")
    before = head(repo)

    committed = run_git(repo, "commit", "-m", "notes")

    assert committed.returncode == 1
    assert "(pre-commit gate): gave up after 0.001 s" in committed.stderr
    assert COMMIT_BYPASS in committed.stderr.splitlines()
    assert head(repo) == before


def test_a_gate_with_a_configuration_that_names_no_project_refuses(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    err = io.StringIO()

    code = run_gate("pre-commit", [], config=str(repo / "missing.ini"), stdin=io.StringIO(), err=err,
                    start=repo, environ={})

    assert code == 2
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("ahq-history (pre-commit gate): ")
    assert "missing.ini" in lines[0]
    assert lines[1:] == ["  nothing was judged, so git stops here", COMMIT_BYPASS]


def test_a_repository_without_an_alembic_project_passes_quietly(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    err = io.StringIO()

    code = run_gate("pre-commit", [], stdin=io.StringIO(), err=err, start=tmp_path, environ={})

    assert (code, err.getvalue()) == (0, "")


def test_a_gate_whose_python_is_gone_refuses(tmp_path: Path) -> None:
    repo = project_repo(tmp_path / "repo")
    install_gates(repo, "--pre-commit")
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text(hook.read_text().replace(f"AHQ_PYTHON={sys.executable}", "AHQ_PYTHON=/gone/python"))
    (repo / "README").write_text("notes\n")
    git(repo, "add", "README")

    committed = run_git(repo, "commit", "-m", "notes")

    assert committed.returncode == 1
    assert "the pre-commit gate's Python (/gone/python) is gone" in committed.stderr
    assert "git commit --no-verify" in committed.stderr


@pytest.mark.parametrize("gate", ["pre-commit", "pre-push"])
def test_a_refusing_legacy_hook_still_blocks(tmp_path: Path, gate: str) -> None:
    _origin, alice, _bob = team(tmp_path)
    legacy = alice / ".git" / "hooks" / gate
    legacy.write_text("#!/bin/sh\necho legacy refuses >&2\nexit 7\n")
    legacy.chmod(0o755)
    install_gates(alice, f"--{gate}")
    (alice / "README").write_text("notes\n")
    git(alice, "add", "README")

    if gate == "pre-commit":
        done = run_git(alice, "commit", "-m", "notes")
    else:
        git(alice, "commit", "-q", "-m", "notes")
        done = run_git(alice, "push", "origin", "main")

    assert done.returncode != 0
    assert "legacy refuses" in done.stderr
    assert "ahq-history" not in done.stderr  # the legacy hook's refusal ends it: ours is not asked
