"""The two-developer story of the `merge-heads` tests, with real tables: a bare origin holding a project
made by `alembic init`, Alice's and Bob's clones, a revision each on the same parent, and Bob's pull."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitcli import bare_origin_and_clones, commit_all, git
from tests.support.hookgit import ALICE, BASE, BOB
from tests.support.mergeproject import alembic_init, new_revision

ALICE_REV, BOB_REV = "a11ce0000001", "b0b000000001"


def team(tmp: Path) -> tuple[Path, Path]:
    """A bare origin holding a project with one revision (table users); Alice's and Bob's clones."""
    seed = alembic_init(tmp / "seed")
    (seed / ".gitignore").write_text("__pycache__/\n*.db\n")
    new_revision(seed, "create users", BASE, table="users")
    git(seed, "init", "-q", "-b", "main")
    commit_all(seed, "create users")
    alice, bob = bare_origin_and_clones(tmp, seed)
    return alice, bob


def alice_pushes(alice: Path) -> None:
    """Alice adds a revision on the base (table phones), commits and pushes it."""
    new_revision(alice, "add phones", ALICE_REV, table="phones")
    commit_all(alice, "add phones", ALICE)
    git(alice, "push", "-q", "origin", "main")


def story(tmp: Path, *, bob_pushes: bool = False) -> Path:
    """Alice and Bob each add a revision on the same parent; Alice pushes first; Bob pulls (a git merge)."""
    alice, bob = team(tmp)
    alice_pushes(alice)
    new_revision(bob, "add audit log", BOB_REV, table="audit_log")
    commit_all(bob, "add audit log", BOB)
    git(bob, "pull", "-q", "--no-edit", "origin", "main", env=BOB)
    if bob_pushes:
        git(bob, "push", "-q", "origin", "main")
    return bob


def bob_file(clone: Path) -> Path:
    (path,) = (clone / "migrations" / "versions").glob(f"{BOB_REV}_*.py")
    return path
