"""Real repositories for the hook tests: a bare origin, clones, Alembic projects made by Alembic itself,
and the CLI run as a subprocess so that the hooks git starts find the same Python."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, shared_project

ROOT = Path(__file__).resolve().parents[2]
BASE = "0a0a0a0a0001"  # create users: on main before anyone forks
ALICE = {"GIT_AUTHOR_NAME": "Alice Archer", "GIT_AUTHOR_EMAIL": "alice@example.com"}
BOB = {"GIT_AUTHOR_NAME": "Bob Builder", "GIT_AUTHOR_EMAIL": "bob@example.com"}
# The tests import ahq_history from this checkout (PYTHONPATH), so the hooks say to reinstall it.
THIS_CHECKOUT = f"pip install -e {shlex.quote(str(ROOT))} && ahq-history hooks install"


def cli(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`ahq-history ARGS` run in `cwd` with this test's Python."""
    return subprocess.run([sys.executable, "-m", "ahq_history", *args], cwd=cwd, capture_output=True,
                          text=True, input=stdin if stdin is not None else "")


def project_repo(root: Path) -> Path:
    """A git repository holding a fresh `alembic init` project with one committed revision."""
    shared_project(root)  # clones need their own script_location
    (root / ".gitignore").write_text("__pycache__/\n")
    git(root, "init", "-q", "-b", "main")
    add_revision(root, "create users", BASE)
    commit_all(root, "create users")
    return root


def team(tmp: Path) -> tuple[Path, Path, Path]:
    """A bare origin holding the project, and Alice's and Bob's clones of it."""
    seed = project_repo(tmp / "seed")
    origin = tmp / "origin.git"
    git(tmp, "clone", "-q", "--bare", str(seed), str(origin))
    alice, bob = tmp / "alice", tmp / "bob"
    for clone in (alice, bob):
        git(tmp, "clone", "-q", str(origin), str(clone))
    return origin, alice, bob


def bob_after_pull(tmp: Path) -> Path:
    """Alice pushed "add audit log"; Bob committed "add users phone" on the same parent and pulled
    (a git merge): two Alembic heads in Bob's clone, Alice's published and Bob's local."""
    _origin, alice, bob = team(tmp)
    add_revision(alice, "add audit log", "a1a1a1a1a1a1")
    commit_all(alice, "audit log", env=ALICE)
    git(alice, "push", "-q", "origin", "main")
    add_revision(bob, "add users phone", "b2b2b2b2b2b2")
    commit_all(bob, "users phone", env=BOB)
    git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", env=BOB)
    return bob


def write_hook(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)
    return path
