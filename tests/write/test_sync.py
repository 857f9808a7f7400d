"""`ahq-history sync` after the fact: the database is at a revision this checkout lacks (the branch that had
it was even deleted); git's copy of the files, placed outside the repository, takes it back."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.dbstory import alembic_cli
from tests.support.gitcli import commit_all, git
from tests.support.switchstory import BIO, NICK, USERS, add_nickname, alice_story, columns, version


def sync(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "sync", *args)
    return code, out + err


def current(root: Path) -> str:
    words = alembic_cli(root, "current").split()
    return words[0] if words else ""


@pytest.fixture
def deleted(tmp_path: Path) -> Path:
    """Alice upgraded on feature/nickname, went back to main and deleted the branch: only the reflog has
    the revisions now."""
    root = alice_story(tmp_path / "repo")
    git(root, "switch", "-q", "feature/nickname")
    alembic_cli(root, "upgrade", "head")
    git(root, "switch", "-q", "main")
    git(root, "branch", "-q", "-D", "feature/nickname")
    return root


def scratch_folders(out: str) -> list[Path]:
    return [Path(found) for found in set(re.findall(r"-c (\S*ahq-history-sync-[^/\s]+)/alembic.ini", out))]


def test_sync_finds_a_deleted_branch_in_the_reflog_and_comes_back(deleted: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert columns(deleted / "app.db") == ["id", "nickname", "bio"]
    code, out = sync(deleted, capsys, "--yes")
    assert code == 0, out
    assert current(deleted) == USERS
    assert columns(deleted / "app.db") == ["id"]
    assert "drops column users.bio" in out and "drops column users.nickname" in out
    folders = scratch_folders(out)
    assert len(folders) == 1 and not folders[0].exists()  # the temporary copy is gone
    assert not folders[0].is_relative_to(deleted)
    assert git(deleted, "status", "--porcelain") == ""  # nothing placed in the repository
    assert "done: the database is at aaaa00000001" in out


def test_sync_dry_run_shows_the_plan_and_changes_nothing(deleted: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out = sync(deleted, capsys, "--dry-run")
    assert code == 0
    assert f"downgrade {NICK}   (-> {NICK})" in out and f"downgrade {USERS}   (-> {USERS})" in out
    assert version(deleted / "app.db") == [BIO]
    assert all(not folder.exists() for folder in scratch_folders(out))
    assert not (deleted / ".git" / "ahq-history" / "backups").exists()


def test_sync_refuses_an_empty_downgrade(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo")
    git(root, "switch", "-q", "feature/nickname")
    add_nickname(root, "cccc00000001", "email", downgrade="pass")
    commit_all(root, "add email, no way back")
    alembic_cli(root, "upgrade", "head")
    git(root, "switch", "-q", "main")
    code, out = sync(root, capsys, "--yes")
    assert code == 1
    assert "revision cccc00000001 (migrations/versions/cccc00000001_add_users_email.py) has an empty" in out
    assert f"alembic stamp {BIO}" in out
    assert version(root / "app.db") == ["cccc00000001"]


def test_sync_with_nothing_to_do_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo")
    alembic_cli(root, "upgrade", "head")
    code, out = sync(root, capsys, "--yes")
    assert code == 0
    assert "nothing to do: the database is where this checkout needs it" in out


def test_flask_migrate_switch_and_sync_run_flask_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Flask-Migrate: env.py needs the app, so the steps are `flask db downgrade/upgrade`; sync hands
    Flask-Migrate the temporary copy of migrations/ with `--directory`."""
    from tests.support.flaskapp import flask, flask_team
    from tests.support.mergeproject import add_column

    alice, _bob = flask_team(tmp_path)
    monkeypatch.setenv("FLASK_APP", "app.py")
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(alice)
    git(alice, "switch", "-q", "-c", "feature")
    flask(alice, "db", "revision", "-m", "add nickname", "--rev-id", "f000nickname")
    (path,) = (alice / "migrations" / "versions").glob("f000nickname_*.py")
    add_column(path, "users", "nickname")
    commit_all(alice, "add nickname")
    flask(alice, "db", "upgrade")
    db, url = alice / "instance" / "app.db", "sqlite:///instance/app.db"
    code, out, err = run_main(capsys, "switch", "main", "--yes", "--database-url", url)
    assert code == 0, out + err
    assert "  1. flask db downgrade f0000000base   (-> f0000000base)" in out
    assert version(db) == ["f0000000base"] and "nickname" not in columns(db)
    code, out, err = run_main(capsys, "switch", "feature", "--yes", "--database-url", url)
    assert code == 0, out + err
    assert "nickname" in columns(db)
    git(alice, "switch", "-q", "main")
    git(alice, "branch", "-q", "-D", "feature")
    code, out, err = run_main(capsys, "sync", "--yes", "--database-url", url)
    assert code == 0, out + err
    assert re.search(r"flask db downgrade --directory \S+/ahq-history-sync-\S+/migrations f0000000base", out)
    assert version(db) == ["f0000000base"] and "nickname" not in columns(db)
