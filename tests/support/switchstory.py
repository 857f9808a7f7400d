"""Alice's story for `switch` and `sync`, built for real: `alembic init`, revisions made by `alembic
revision` whose bodies create a table and add a column, committed on `main` and `feature/nickname`, and a
SQLite database upgraded by Alembic itself."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from tests.support.dbstory import PLACEHOLDER
from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, alembic_project

if TYPE_CHECKING:
    from sqlalchemy import MetaData

USERS = "aaaa00000001"  # create users (main)
NICK = "bbbb00000001"  # add users.nickname (feature/nickname)
BIO = "bbbb00000002"  # add users.bio (feature/nickname, on NICK)
ALICE = {"GIT_AUTHOR_NAME": "Alice Adams", "GIT_AUTHOR_EMAIL": "alice@example.com"}


def with_bodies(path: Path, upgrade: str, downgrade: str) -> Path:
    """Replace the `pass` bodies Alembic's template wrote with these statements (one per line)."""
    text = path.read_text()
    for name, body in (("upgrade", upgrade), ("downgrade", downgrade)):
        lines = "".join(f"    {line}\n" for line in body.splitlines())
        head = rf"(def {name}\(\)[^\n]*\n(?:    \"\"\"[^\n]*\"\"\"\n)?)"
        text = re.sub(head + "    pass\n", rf"\g<1>{lines}", text)
    slow = "import sqlalchemy as sa\nimport time  # noqa: F401 (a downgrade may sleep)\n"
    path.write_text(text.replace("import sqlalchemy as sa\n", slow, 1))
    return path


def alice_story(root: Path, url: str = "sqlite:///app.db") -> Path:
    """main: create users; feature/nickname (Alice): add users.nickname, add users.bio. HEAD is main."""
    alembic_project(root)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace(PLACEHOLDER, f"sqlalchemy.url = {url}"))
    (root / ".gitignore").write_text("app.db\n__pycache__/\n")
    git(root, "init", "-q", "-b", "main")
    with_bodies(add_revision(root, "create users", USERS),
                "op.create_table('users', sa.Column('id', sa.Integer, primary_key=True))",
                "op.drop_table('users')")
    commit_all(root, "create users")
    git(root, "checkout", "-q", "-b", "feature/nickname")
    add_nickname(root, NICK, "nickname")
    add_nickname(root, BIO, "bio", head=NICK)
    commit_all(root, "Add nickname and bio", env=ALICE)
    git(root, "checkout", "-q", "main")
    return root


def applied_story(root: Path) -> Path:
    """Alice's story with the feature branch checked out and upgraded by Alembic (users has nickname and
    bio; the database is at BIO)."""
    from tests.support.dbstory import alembic_cli
    from tests.support.gitcli import git

    alice_story(root)
    git(root, "switch", "-q", "feature/nickname")
    alembic_cli(root, "upgrade", "head")
    return root


def add_nickname(root: Path, rev: str, column: str, head: str = "head", downgrade: str | None = None) -> Path:
    """A revision adding users.COLUMN; its downgrade drops it unless `downgrade` says otherwise."""
    return with_bodies(add_revision(root, f"add users {column}", rev, head=head),
                       f"op.add_column('users', sa.Column('{column}', sa.String(40)))",
                       downgrade or f"op.drop_column('users', '{column}')")


def columns(db: Path, table: str = "users") -> list[str]:
    """The columns of `table` as SQLite's PRAGMA table_info lists them."""
    with sqlite3.connect(db) as conn:
        return [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]


def version(db: Path) -> list[str]:
    """The rows of alembic_version (read directly: `alembic current` fails on a revision it lacks)."""
    with sqlite3.connect(db) as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]


def models(branch: str) -> MetaData:
    """The story's models on `branch`, as the app would declare them: `users(id)` on main, plus the nickname
    and bio columns on feature/nickname."""
    import sqlalchemy as sa

    metadata = sa.MetaData()
    extra = [sa.Column(name, sa.String(40)) for name in ("nickname", "bio")] if branch != "main" else []
    sa.Table("users", metadata, sa.Column("id", sa.Integer, primary_key=True), *extra)
    return metadata


def schema_problems(root: Path, url: str, branch: str) -> list[str]:
    """What the guide's `python -m backend.verify_schema` says is wrong with the database against the
    checked-out revision files and `branch`'s models (empty: at the head(s), and the schema matches)."""
    from backend.verify_schema import render, verify

    report = verify(url, models(branch), root / "migrations")
    return [] if report.ok else render(report).splitlines()
