"""`db/scratch.py`: scratch databases created for `verify` and removed after it, on SQLite and real servers;
a database it did not create is never dropped."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ahq_history.config.project import find_project
from ahq_history.core.errors import UsageError
from ahq_history.db.read import DatabaseUrl
from ahq_history.db.scratch import MARKER, ScratchSpec, scratch_database, scratch_spec
from tests.support.mergeproject import forked, set_option


def _databases(url: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    query = ("SELECT datname FROM pg_database" if url.startswith("postgresql")
             else "SELECT schema_name FROM information_schema.schemata")
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text(query)).scalars())
    finally:
        engine.dispose()


def test_sqlite_scratch_holds_the_marker_and_is_removed() -> None:
    with scratch_database(ScratchSpec(None, "sqlite")) as scratch:
        path = Path(scratch.url.removeprefix("sqlite:///"))
        with sqlite3.connect(path) as connection:
            assert connection.execute(f"SELECT token FROM {MARKER}").fetchall() == [(scratch.token,)]
        connection.close()
    assert not path.exists() and not path.parent.exists()


@pytest.mark.parametrize("server", ["postgresql_url", "mariadb_url"])
def test_server_scratch_is_created_marked_and_dropped(server: str, request: pytest.FixtureRequest) -> None:
    import sqlalchemy as sa

    url: str = request.getfixturevalue(server)
    spec = ScratchSpec(DatabaseUrl(url, "--scratch-server"), "postgresql" if "postgresql" in url else "mysql")
    with scratch_database(spec) as scratch:
        name = scratch.url.rsplit("/", 1)[1]
        assert name.startswith("ahq_verify_") and name in _databases(url)
        engine = sa.create_engine(scratch.url)
        with engine.connect() as connection:
            assert connection.execute(sa.text(f"SELECT token FROM {MARKER}")).scalar() == scratch.token
        engine.dispose()
    assert name not in _databases(url)


def test_a_name_that_exists_is_refused_and_never_dropped(postgresql_url: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import sqlalchemy as sa

    taken = "ahq_verify_" + "ab" * 6
    engine = sa.create_engine(postgresql_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{taken}"')
    try:
        monkeypatch.setattr("ahq_history.db.scratch.secrets.token_hex", lambda n: "ab" * n)
        spec = ScratchSpec(DatabaseUrl(postgresql_url, "--scratch-server"), "postgresql")
        refused = pytest.raises(UsageError, match=f"a database named {taken} already exists")
        with refused, scratch_database(spec):
            pass
        assert taken in _databases(postgresql_url)
    finally:
        with engine.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{taken}"')
        engine.dispose()


def test_a_sqlite_project_gets_sqlite_and_an_unnamed_one_a_note(tmp_path: Path) -> None:
    root = forked(tmp_path / "app")
    project = find_project(config=root / "alembic.ini")
    unnamed = scratch_spec(project, None, None, environ={})
    assert unnamed.server is None and unnamed.notes[0].startswith("the project's database cannot be named")
    named = scratch_spec(project, "sqlite:///app.db", None, environ={})
    assert named.server is None and named.notes == ()


def test_a_mariadb_project_refuses_a_postgresql_scratch_server(tmp_path: Path) -> None:
    root = forked(tmp_path / "app")
    set_option(root, "sqlalchemy.url = mysql+pymysql://app@db.example/app")
    project = find_project(config=root / "alembic.ini")
    with pytest.raises(UsageError, match=r"the project's database is mysql .*a postgresql scratch server"):
        scratch_spec(project, None, "postgresql://postgres@127.0.0.1/postgres", environ={})
    assert scratch_spec(project, None, "mariadb+pymysql://root@127.0.0.1/test", environ={}).dialect == "mysql"
