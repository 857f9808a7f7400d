"""The post-checkout warning about the database: said when a switch leaves it behind or at a revision the
branch lacks, silent otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.db.warn import database_warning
from tests.support.dbstory import AUDIT, BASE, WORKFLOWS, alembic_cli, alembic_upgrade, bob_story
from tests.support.gitcli import git
from tests.support.projects import add_revision, alembic_project


def warning(root: Path, timeout: float = 1.0) -> str | None:
    loaded = load(root / "alembic.ini")
    return database_warning(loaded.project, loaded.graph, timeout=timeout)


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return bob_story(tmp_path / "repo")


def test_switch_to_a_branch_without_the_database_revision_warns(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    alembic_cli(story, "upgrade", "head")
    git(story, "checkout", "-q", "main")
    assert warning(story) == (
        f"ahq-history: the database is at {AUDIT}, which this branch does not have.\n"
        "  Run `ahq-history sync` to bring it back to this branch (`ahq-history status` shows the branch "
        "that has it and the commands)."
    )


def test_switch_to_a_branch_with_more_revisions_warns_behind(story: Path) -> None:
    git(story, "checkout", "-q", "feature/audit")
    add_revision(story, "add audit index", "bbbb00000002")
    add_revision(story, "add audit user", "bbbb00000003")
    add_revision(story, "add audit ip", "bbbb00000004")
    alembic_cli(story, "upgrade", BASE)
    assert warning(story) == (
        "ahq-history: the database is behind this branch by 4 revisions "
        f"({AUDIT} add audit log, bbbb00000002 add audit index, bbbb00000003 add audit user and 1 more).\n"
        "  Run: alembic upgrade head"
    )


def test_database_at_the_head_is_silent(story: Path) -> None:
    alembic_cli(story, "upgrade", "head")
    assert warning(story) is None


def test_database_never_upgraded_is_silent(story: Path) -> None:
    assert warning(story) is None
    assert not (story / "app.db").exists()


def test_no_database_url_is_silent(tmp_path: Path) -> None:
    root = alembic_project(tmp_path / "plain")
    add_revision(root, "create users", BASE)
    assert warning(root) is None


def test_unreachable_database_is_silent(story: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres@127.0.0.1:1/x")
    assert warning(story) is None


def test_unusable_url_is_silent(story: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "nosuchdb://x/y")
    assert warning(story) is None


def test_server_database_behind_warns(story: Path, postgresql_url: str,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_upgrade(story, postgresql_url, BASE)
    monkeypatch.setenv("DATABASE_URL", postgresql_url)
    assert warning(story) == (
        f"ahq-history: the database is behind this branch by 1 revision ({WORKFLOWS} add workflows).\n"
        "  Run: alembic upgrade head"
    )


def test_server_whose_password_holds_a_url_character_is_still_asked(story: Path, postgresql_url: str,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_upgrade(story, postgresql_url, BASE)
    monkeypatch.setenv("DATABASE_URL", postgresql_url.replace("postgres@", "postgres:pa#ss@"))  # trust auth
    assert warning(story) == (
        f"ahq-history: the database is behind this branch by 1 revision ({WORKFLOWS} add workflows).\n"
        "  Run: alembic upgrade head"
    )
