"""After a real pull between two clones, the hooks compare Bob's SQLite database (upgraded by Alembic's own
command) with what came: "database behind" and the upgrade command, nothing when no revision came, and with
`git config ahq-history.upgrade-after-pull true` the upgrade itself, run after the warning."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.support.dbstory import PLACEHOLDER, alembic_cli
from tests.support.gitcli import commit_all, git, run_git
from tests.support.hookgit import ALICE, BASE, cli, team
from tests.support.projects import add_revision

AUDIT = "a0d170000001"
PHONE = "a0d170000002"


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path]:
    """Alice's and Bob's clones; Bob has the hooks, and his own database at the base revision."""
    _origin, alice, bob = team(tmp_path)
    ini = bob / "alembic.ini"  # his local URL (a change the pulls below never touch)
    ini.write_text(ini.read_text().replace(PLACEHOLDER, "sqlalchemy.url = sqlite:///app.db"))
    (bob / ".git" / "info" / "exclude").write_text("app.db\n")
    alembic_cli(bob, "upgrade", "head")
    assert cli(bob, "hooks", "install").returncode == 0
    return alice, bob


def _alice_pushes(alice: Path, message: str, rev_id: str | None = None) -> None:
    if rev_id is None:
        (alice / "NOTES").write_text(message + "\n")
    else:
        add_revision(alice, message, rev_id)
    commit_all(alice, message, env=ALICE)
    git(alice, "push", "-q", "origin", "main")


def _applied(bob: Path) -> list[str]:
    with sqlite3.connect(bob / "app.db") as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]


def test_fast_forward_pull_that_brings_a_revision_says_database_behind(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    _alice_pushes(alice, "add audit log", AUDIT)
    pulled = run_git(bob, "pull", "-q", "--ff-only")
    assert pulled.returncode == 0, pulled.stderr
    said = pulled.stdout + pulled.stderr
    assert (f"ahq-history: database behind: 1 revision to apply after this pull ({AUDIT} add audit log).\n"
            "  Run: alembic upgrade head\n") in said
    assert _applied(bob) == [BASE]  # said, not done


def test_pull_that_brings_no_revision_says_nothing_about_the_database(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    _alice_pushes(alice, "add audit log", AUDIT)
    assert "database behind" in run_git(bob, "pull", "-q", "--ff-only").stderr
    _alice_pushes(alice, "notes only")
    pulled = run_git(bob, "pull", "-q", "--ff-only")
    assert pulled.returncode == 0, pulled.stderr
    assert "ahq-history" not in pulled.stdout + pulled.stderr


def test_after_the_upgrade_a_pull_without_revisions_is_quiet(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    add_revision(alice, "add audit log", AUDIT)
    commit_all(alice, "add audit log", env=ALICE)
    _alice_pushes(alice, "add phone", PHONE)
    pulled = run_git(bob, "pull", "-q", "--ff-only")
    assert "2 revisions to apply after this pull" in pulled.stderr
    alembic_cli(bob, "upgrade", "head")
    _alice_pushes(alice, "notes only")
    assert "database" not in run_git(bob, "pull", "-q", "--ff-only").stderr


def test_upgrade_after_pull_runs_the_upgrade_once_the_warning_is_said(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    git(bob, "config", "ahq-history.upgrade-after-pull", "true")
    _alice_pushes(alice, "add audit log", AUDIT)
    pulled = run_git(bob, "pull", "-q", "--ff-only")
    assert pulled.returncode == 0, pulled.stderr
    said = pulled.stdout + pulled.stderr
    warned = said.index("ahq-history: database behind: 1 revision")
    ran = said.index("ahq-history: ahq-history.upgrade-after-pull is set: running alembic upgrade head")
    assert warned < ran
    assert _applied(bob) == [AUDIT]


def test_a_wrong_upgrade_after_pull_value_is_named_and_nothing_runs(clones: tuple[Path, Path]) -> None:
    alice, bob = clones
    git(bob, "config", "ahq-history.upgrade-after-pull", "sometimes")
    _alice_pushes(alice, "add audit log", AUDIT)
    said = run_git(bob, "pull", "-q", "--ff-only").stderr
    assert "database behind: 1 revision" in said
    assert "not run: git config ahq-history.upgrade-after-pull must be true or false" in said
    assert _applied(bob) == [BASE]
