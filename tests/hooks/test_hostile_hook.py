"""The post-merge hook after a real pull that brings hostile input: its `run:` line names a revision id that
runs `touch pwned` when pasted unquoted, and its lines quote a message, an author and a branch name that hold
terminal escapes. Pasted into `sh`, the line runs nothing; printed, no escape reaches the terminal raw."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitcli import commit_all, git, run_git
from tests.support.hookgit import ALICE, BASE, BOB, cli, team
from tests.support.hostile import (
    ANSI_RED,
    BIDI,
    HOSTILE_IDS,
    OSC_TITLE,
    Paste,
    printed_commands,
    raw_controls,
)
from tests.support.projects import add_revision

APP_BASE = "a0a0a0a0a0a0"  # carries the branch label `app`, so the advice names the heads it moves
ALICE_REV = "a1a1a1a1a1a1"
BRANCH = f"feature{BIDI}exe.txt"
EVE = {**ALICE, "GIT_AUTHOR_NAME": f"Eve {OSC_TITLE} Adams"}


def pull_with_hostile_input(tmp: Path, bob_rev: str) -> str:
    """Alice publishes a labelled base, then on branch BRANCH a revision with an escape-laden message and
    author; Bob commits `bob_rev` on the same base and pulls BRANCH (a git merge). What the pull printed."""
    _origin, alice, bob = team(tmp)
    installed = cli(bob, "hooks", "install")
    assert installed.returncode == 0, installed.stderr
    add_revision(alice, "app base", APP_BASE, head=BASE, branch_label="app")
    commit_all(alice, "app base", env=ALICE)
    git(alice, "push", "-q", "origin", "main")
    git(bob, "pull", "-q", "--no-rebase", "origin", "main")
    git(alice, "checkout", "-q", "-b", BRANCH)
    add_revision(alice, f"add audit {ANSI_RED}", ALICE_REV, head=APP_BASE)
    commit_all(alice, "audit", env=EVE)
    git(alice, "push", "-q", "origin", BRANCH)
    add_revision(bob, "add phone", bob_rev, head=APP_BASE)
    commit_all(bob, "phone", env=BOB)
    pulled = run_git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", BRANCH, env=BOB)
    assert pulled.returncode == 0, pulled.stderr
    return pulled.stdout + pulled.stderr


@pytest.mark.parametrize("bob_rev", list(HOSTILE_IDS.values()), ids=list(HOSTILE_IDS))
def test_post_merge_run_line_with_a_hostile_id_runs_nothing_when_pasted(tmp_path: Path, bob_rev: str) -> None:
    said = pull_with_hostile_input(tmp_path, bob_rev)
    paste = Paste(tmp_path)
    commands = printed_commands(said)
    (line,) = [line for line in commands if "merge-heads" in line]
    pasted = paste.run(line)
    assert not pasted.pwned, line
    assert pasted.words[0] == "merge-heads"
    assert bob_rev in pasted.words  # one word, as written
    for other in commands:  # `then:` the upgrade
        assert not paste.run(other).pwned, other


def test_escapes_in_message_author_and_branch_reach_no_post_merge_output_raw(tmp_path: Path) -> None:
    said = pull_with_hostile_input(tmp_path, "b2b2b2b2b2b2")
    assert raw_controls(said) == []
    line = next(line for line in said.splitlines() if line.startswith(f"  {ALICE_REV}"))
    commit = line.split("commit ")[1]
    assert line == (f"  {ALICE_REV}  add audit \\x1b[31mred\\x1b[0m  by Eve \\x1b]0;pwned-title\\x07 Adams "
                    f"<alice@example.com> from origin/feature\\u202eexe.txt, commit {commit}")
