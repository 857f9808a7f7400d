"""db/applied.py: which database the migrations run against, and what it has applied, on projects made by
`alembic init` and `flask db init` and on real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.core.errors import UnreachableError
from ahq_history.db.applied import applied_state, name_database, read_named_rows
from ahq_history.db.read import NoDatabaseUrl
from tests.support.mergeproject import alembic_init, set_option
from tests.support.sqlitedb import database

APP_ONLY = "env.py takes its connection from the application (current_app"


def test_flask_migrate_url_only_in_the_app_is_unknown_never_nothing_applied(flask_project: Path) -> None:
    loaded = load(flask_project / "migrations" / "alembic.ini")
    state = applied_state(loaded.project, loaded.graph, environ={})
    assert state.kind == "unknown"
    assert state.where.startswith(APP_ONLY)
    assert "nothing applied" not in state.note()


def test_an_ini_url_that_env_py_ignores_is_not_read(flask_project: Path) -> None:
    ini = flask_project / "migrations" / "alembic.ini"
    ini.write_text(ini.read_text().replace("[alembic]\n", "[alembic]\nsqlalchemy.url = sqlite:///other.db\n"))
    loaded = load(ini)
    assert name_database(loaded.project, environ={}).why.startswith(APP_ONLY)


def test_database_url_names_the_database_even_when_env_py_uses_the_app(flask_project: Path) -> None:
    url = database(flask_project / "app.db", "f00000000one")
    loaded = load(flask_project / "migrations" / "alembic.ini")
    state = applied_state(loaded.project, loaded.graph, environ={"DATABASE_URL": url})
    assert state.kind == "read"
    assert state.revisions == {"f0000000base", "f00000000one"}
    assert state.where == (f"database {url} (the DATABASE_URL environment variable): applied: f00000000one")


def test_the_alembic_init_placeholder_is_no_database_not_nothing_applied(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    loaded = load(root / "alembic.ini")
    state = applied_state(loaded.project, loaded.graph, environ={})
    assert (state.kind, state.where) == ("unknown", "no database URL is configured: alembic.ini has no "
                                                    "sqlalchemy.url")


def test_the_ini_url_is_read_when_env_py_reads_it(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    url = database(tmp_path / "app.db")
    set_option(root, f"sqlalchemy.url = {url}")
    loaded = load(root / "alembic.ini")
    state = applied_state(loaded.project, loaded.graph, environ={})
    assert (state.kind, state.revisions) == ("read", frozenset())
    assert state.where == f"database {url} (sqlalchemy.url in alembic.ini): nothing applied"


def test_the_variable_env_py_reads_names_the_database(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    env = root / "migrations" / "env.py"
    env.write_text("import os\n" + env.read_text().replace('config.get_main_option("sqlalchemy.url")',
                                                           'os.environ["MYAPP_DB"]'))
    url = database(tmp_path / "app.db")
    loaded = load(root / "alembic.ini")
    found = name_database(loaded.project, environ={"MYAPP_DB": url})
    assert found.url is not None
    assert found.url.source == "the MYAPP_DB environment variable (env.py reads it)"
    assert name_database(loaded.project, environ={}).why == (
        "env.py reads the database URL from the environment variable MYAPP_DB, which is not set here")


def test_no_db_check_is_unchecked_and_names_its_option(flask_project: Path) -> None:
    loaded = load(flask_project / "migrations" / "alembic.ini")
    state = applied_state(loaded.project, loaded.graph, check=False)
    assert (state.kind, state.options) == ("unchecked", ("--no-db-check",))
    assert state.applied("f00000000one") is False


def test_a_named_database_that_does_not_answer_is_unreachable(flask_project: Path) -> None:
    broken = flask_project / "broken.db"
    broken.write_bytes(b"not a database at all" * 100)
    loaded = load(flask_project / "migrations" / "alembic.ini")
    with pytest.raises(UnreachableError):
        applied_state(loaded.project, loaded.graph, database_url=f"sqlite:///{broken}")


def test_an_explicit_url_without_a_secret_is_repeated_for_the_command(flask_project: Path) -> None:
    url = database(flask_project / "app.db")
    loaded = load(flask_project / "migrations" / "alembic.ini")
    state = applied_state(loaded.project, loaded.graph, database_url=url)
    assert (state.options, state.repeatable) == (("--database-url", url), True)


def test_status_rows_without_a_nameable_database_say_why_and_how_to_name_one(flask_project: Path) -> None:
    loaded = load(flask_project / "migrations" / "alembic.ini")
    with pytest.raises(NoDatabaseUrl) as caught:
        read_named_rows(loaded.project, environ={})
    assert caught.value.message.startswith(
        f"cannot tell which database the migrations run against: {APP_ONLY}")
    assert caught.value.hint is not None and caught.value.hint.startswith("pass --database-url URL")
