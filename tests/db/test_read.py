"""Reading `alembic_version`: where the URL comes from, SQLite read-only, PostgreSQL, MariaDB, unreachable."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ahq_history.config.project import Project
from ahq_history.core.errors import ConfigError, UnreachableError
from ahq_history.db.read import (
    NO_FILE_NOTE,
    DatabaseUrl,
    VersionRows,
    read_version_rows,
    resolve_url,
    version_table_settings,
)


def project(root: Path, *, ini_url: str | None = None, settings: dict[str, object] | None = None) -> Project:
    return Project(
        root=root, config_path=root / "alembic.ini", layout="alembic-ini",
        script_location=root / "migrations", version_locations=(root / "migrations" / "versions",),
        database_url=ini_url, settings=settings or {},
    )


def sqlite_db(path: Path, *rows: str, table: str = "alembic_version") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute(f"CREATE TABLE {table} (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.executemany(f"INSERT INTO {table} VALUES (?)", [(r,) for r in rows])
    conn.close()
    return path


def read(url: str, root: Path, **kwargs: Any) -> VersionRows:
    return read_version_rows(DatabaseUrl(url, "--database-url"), root, **kwargs)


# -- where the URL comes from ---------------------------------------------------------------------------


def test_explicit_url_wins_over_everything(tmp_path: Path) -> None:
    p = project(tmp_path, ini_url="sqlite:///ini.db", settings={"database-url": "sqlite:///py.db"})
    found = resolve_url(p, "sqlite:///cli.db", {"DATABASE_URL": "sqlite:///env.db"})
    assert (found.url, found.source) == ("sqlite:///cli.db", "--database-url")


def test_environment_wins_over_pyproject_and_ini(tmp_path: Path) -> None:
    p = project(tmp_path, ini_url="sqlite:///ini.db", settings={"database-url": "sqlite:///py.db"})
    found = resolve_url(p, None, {"DATABASE_URL": "sqlite:///env.db"})
    assert (found.url, found.source) == ("sqlite:///env.db", "the DATABASE_URL environment variable")


def test_pyproject_setting_wins_over_the_ini(tmp_path: Path) -> None:
    p = project(tmp_path, ini_url="sqlite:///ini.db", settings={"database-url": "sqlite:///py.db"})
    found = resolve_url(p, None, {})
    assert found.url == "sqlite:///py.db"
    assert found.source == "[tool.ahq-history] database-url in pyproject.toml"


def test_ini_url_is_the_last_resort(tmp_path: Path) -> None:
    found = resolve_url(project(tmp_path, ini_url="sqlite:///ini.db"), None, {})
    assert (found.url, found.source) == ("sqlite:///ini.db", "sqlalchemy.url in alembic.ini")


def test_no_url_anywhere_is_a_config_error_with_a_hint(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        resolve_url(project(tmp_path), None, {"DATABASE_URL": "  "})
    assert caught.value.message == "no database URL is configured"
    assert caught.value.hint == (
        'pass --database-url URL, set DATABASE_URL, or add database-url = "sqlite:///instance/app.db" '
        "under [tool.ahq-history] in pyproject.toml"
    )
    assert caught.value.exit_code == 2


def test_heroku_style_postgres_scheme_means_postgresql(tmp_path: Path) -> None:
    assert resolve_url(project(tmp_path), "postgres://u@h/db", {}).url == "postgresql://u@h/db"


def test_version_table_can_be_renamed_in_pyproject(tmp_path: Path) -> None:
    p = project(tmp_path, settings={"version-table": "ahq_versions", "version-table-schema": "meta"})
    assert version_table_settings(p) == ("ahq_versions", "meta")
    assert version_table_settings(project(tmp_path)) == ("alembic_version", None)


def test_importing_the_module_does_not_import_sqlalchemy() -> None:
    code = "import sys, ahq_history.db.read; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# -- SQLite ---------------------------------------------------------------------------------------------


def test_sqlite_relative_path_resolves_from_the_project_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_db(tmp_path / "instance" / "app.db", "bbbb00000002", "aaaa00000001")
    monkeypatch.chdir(tmp_path / "instance")  # the current folder must not matter
    rows = read("sqlite:///instance/app.db", tmp_path)
    assert rows.revisions == ("aaaa00000001", "bbbb00000002")
    assert (rows.dialect, rows.note) == ("sqlite", None)


def test_missing_sqlite_file_holds_nothing_and_is_not_created(tmp_path: Path) -> None:
    rows = read("sqlite:///instance/app.db", tmp_path)
    assert (rows.revisions, rows.note) == ((), NO_FILE_NOTE)
    assert NO_FILE_NOTE == "database file does not exist yet: nothing applied"
    assert not (tmp_path / "instance").exists()


def test_sqlite_read_leaves_the_file_byte_for_byte(tmp_path: Path) -> None:
    path = sqlite_db(tmp_path / "app.db", "aaaa00000001")
    before = path.read_bytes()
    read(f"sqlite:///{path}", tmp_path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]  # no journal or wal left behind


def test_sqlite_read_of_a_wal_database_creates_no_file(tmp_path: Path) -> None:
    path = sqlite_db(tmp_path / "app.db", "aaaa00000001")
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode=wal")  # kept in the file; -wal and -shm go when it closes
    conn.close()
    assert read(f"sqlite:///{path}", tmp_path).revisions == ("aaaa00000001",)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["app.db"]


def test_sqlite_read_sees_rows_still_in_the_wal_file(tmp_path: Path) -> None:
    path = sqlite_db(tmp_path / "app.db", "aaaa00000001")
    writer = sqlite3.connect(path)
    try:
        writer.execute("PRAGMA journal_mode=wal")
        writer.execute("PRAGMA wal_autocheckpoint=0")  # the new row stays in app.db-wal
        with writer:
            writer.execute("UPDATE alembic_version SET version_num = 'bbbb00000002'")
        assert read(f"sqlite:///{path}", tmp_path).revisions == ("bbbb00000002",)
    finally:
        writer.close()


def test_sqlite_without_version_table_holds_nothing(tmp_path: Path) -> None:
    sqlite_db(tmp_path / "app.db", table="users")
    rows = read("sqlite:///app.db", tmp_path)
    assert (rows.revisions, rows.note) == ((), "no alembic_version table: nothing applied")


def test_sqlite_renamed_version_table(tmp_path: Path) -> None:
    sqlite_db(tmp_path / "app.db", "aaaa00000001", table="ahq_versions")
    assert read("sqlite:///app.db", tmp_path, version_table="ahq_versions").revisions == ("aaaa00000001",)


def test_sqlite_path_with_spaces_and_url_characters(tmp_path: Path) -> None:
    path = sqlite_db(tmp_path / "my data #1 (copy)" / "app.db", "aaaa00000001")
    assert read(f"sqlite:///{path}", tmp_path).revisions == ("aaaa00000001",)


def test_in_memory_sqlite_holds_nothing(tmp_path: Path) -> None:
    assert read("sqlite://", tmp_path).note == "in-memory SQLite database: nothing applied"


def test_file_that_is_not_a_database_is_unreachable_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "app.db").write_text("hello, I am not SQLite\n" * 100)
    with pytest.raises(UnreachableError) as caught:
        read("sqlite:///app.db", tmp_path)
    assert caught.value.message == (
        "cannot read the database sqlite:///app.db (from --database-url): file is not a database"
    )
    assert caught.value.hint == "check that the file is a SQLite database, or pass --database-url"


def test_url_that_does_not_parse_is_named_by_its_source_never_shown(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read("not a url s3cret", tmp_path)
    assert caught.value.message == (
        "the database URL from --database-url does not parse: "
        "it is not dialect+driver://user:password@host:port/database"
    )
    assert caught.value.exit_code == 2


def test_url_whose_port_is_not_a_number_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read("postgresql://bob:s3cret@db.local:54x2/app", tmp_path)
    assert caught.value.message == (
        "the database URL from --database-url does not parse: its port is not a number"
    )


def test_sqlite_path_naming_an_unknown_home_folder_is_taken_as_written(tmp_path: Path) -> None:
    rows = read("sqlite:///~nosuchuser4ahq/app.db", tmp_path)
    assert (rows.revisions, rows.note) == ((), NO_FILE_NOTE)


def test_unknown_dialect_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        read("nosuchdb://x/y", tmp_path)
    assert caught.value.message == (
        "unknown database dialect 'nosuchdb' in nosuchdb://x/y (from --database-url)"
    )


# -- drivers and unreachable servers --------------------------------------------------------------------


def test_missing_postgresql_driver_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("psycopg2", "psycopg"):
        monkeypatch.setitem(sys.modules, module, None)  # as if not installed
    with pytest.raises(ConfigError) as caught:
        read("postgresql://u@127.0.0.1/x", tmp_path)
    assert caught.value.message.startswith("the database driver for 'postgresql' is not installed")
    assert caught.value.hint == "pip install 'ahq-history[postgresql]'"


def test_missing_explicit_driver_names_it(tmp_path: Path) -> None:
    if _installed("pg8000"):
        pytest.skip("pg8000 is installed here")
    with pytest.raises(ConfigError) as caught:
        read("postgresql+pg8000://u@127.0.0.1/x", tmp_path)
    assert caught.value.hint == (
        "install the driver module 'pg8000', or pip install 'ahq-history[postgresql]' and drop '+pg8000'"
    )


def _installed(module: str) -> bool:
    from importlib.util import find_spec

    return find_spec(module) is not None


def test_unreachable_postgresql_is_one_line_without_the_password(tmp_path: Path) -> None:
    with pytest.raises(UnreachableError) as caught:
        read("postgresql://postgres:s3cret@127.0.0.1:1/x", tmp_path, timeout=2)
    message = caught.value.message
    assert message.startswith(
        "cannot read the database postgresql://postgres:***@127.0.0.1:1/x (from --database-url): "
    )
    assert "Connection refused" in message
    assert "\n" not in message and "s3cret" not in message
    assert caught.value.exit_code == 2


def test_a_short_password_is_not_cut_out_of_the_drivers_words(tmp_path: Path) -> None:
    with pytest.raises(UnreachableError) as caught:
        read("postgresql://postgres:o@127.0.0.1:1/x", tmp_path, timeout=2)
    assert caught.value.message.startswith(
        "cannot read the database postgresql://postgres:***@127.0.0.1:1/x (from --database-url): "
        'connection to server at "127.0.0.1", port 1 failed: Connection refused'
    )


def test_unreachable_mariadb_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UnreachableError) as caught:
        read("mysql+pymysql://root:s3cret@127.0.0.1:1/x", tmp_path, timeout=2)
    assert caught.value.message == (
        "cannot read the database mysql+pymysql://root:***@127.0.0.1:1/x (from --database-url): "
        "Can't connect to MySQL server on '127.0.0.1' ([Errno 111] Connection refused) (error 2003)"
    )


def test_plain_postgresql_url_uses_the_installed_driver(postgresql_url: str, tmp_path: Path) -> None:
    plain = postgresql_url.replace("postgresql+psycopg2://", "postgresql://")
    assert read(plain, tmp_path).note == "no alembic_version table: nothing applied"


# -- server databases -----------------------------------------------------------------------------------


def execute(url: str, *statements: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in statements:
            conn.exec_driver_sql(statement)
    engine.dispose()


def version_table(url: str, *rows: str) -> None:
    """An alembic_version table on the server at `url` holding `rows`, in that order."""
    values = ", ".join(f"('{row}')" for row in rows)
    execute(url, "CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)",
            f"INSERT INTO alembic_version VALUES {values}")


def test_postgresql_rows_are_read(postgresql_url: str, tmp_path: Path) -> None:
    version_table(postgresql_url, "bbbb00000002", "aaaa00000001")
    rows = read(postgresql_url, tmp_path)
    assert (rows.dialect, rows.revisions, rows.note) == (
        "postgresql", ("aaaa00000001", "bbbb00000002"), None)


def test_postgresql_without_version_table_holds_nothing(postgresql_url: str, tmp_path: Path) -> None:
    assert read(postgresql_url, tmp_path).revisions == ()


def test_postgresql_version_table_in_a_schema(postgresql_url: str, tmp_path: Path) -> None:
    execute(postgresql_url, "CREATE SCHEMA meta",
            "CREATE TABLE meta.alembic_version (version_num VARCHAR(32))",
            "INSERT INTO meta.alembic_version VALUES ('aaaa00000001')")
    assert read(postgresql_url, tmp_path, schema="meta").revisions == ("aaaa00000001",)


def test_postgresql_read_runs_in_a_read_only_transaction(postgresql_url: str, tmp_path: Path) -> None:
    # A view whose every read writes a row: in a read-only transaction PostgreSQL refuses the write.
    execute(postgresql_url, "CREATE TABLE read_log (n INT)",
            "CREATE FUNCTION note_read() RETURNS TEXT LANGUAGE plpgsql VOLATILE AS "
            "$$ BEGIN INSERT INTO read_log VALUES (1); RETURN 'aaaa00000001'; END $$",
            "CREATE VIEW alembic_version AS SELECT note_read() AS version_num")
    with pytest.raises(UnreachableError) as caught:
        read(postgresql_url, tmp_path)
    assert "cannot execute INSERT in a read-only transaction" in caught.value.message


def test_mariadb_rows_are_read(mariadb_url: str, tmp_path: Path) -> None:
    version_table(mariadb_url, "bbbb00000002", "aaaa00000001")
    rows = read(mariadb_url, tmp_path)
    assert (rows.dialect, rows.revisions, rows.note) == (
        "mysql", ("aaaa00000001", "bbbb00000002"), None)


def test_mariadb_without_version_table_holds_nothing(mariadb_url: str, tmp_path: Path) -> None:
    assert read(mariadb_url, tmp_path).note == "no alembic_version table: nothing applied"


def test_mariadb_url_options_that_act_are_dropped_init_command_and_local_infile(
        mariadb_url: str, tmp_path: Path) -> None:
    """A URL from a tracked alembic.ini: `init_command` would run SQL on connect, `local_infile` would let
    the server read this machine's files. Reading the version table does neither."""
    import sqlalchemy as sa

    version_table(mariadb_url, "aaaa00000001")
    hostile = mariadb_url + "?init_command=CREATE+TABLE+pwned+(n+INT)&local_infile=1"
    assert read(hostile, tmp_path).revisions == ("aaaa00000001",)
    engine = sa.create_engine(mariadb_url)
    with engine.connect() as conn:
        assert not sa.inspect(conn).has_table("pwned")
    engine.dispose()
    from ahq_history.db.read import _connect_args, _without_acting_options

    url = _without_acting_options(sa.engine.make_url(hostile))
    assert set(url.query) == set() and _connect_args(url, 1.0)["local_infile"] is False


def test_mariadb_read_runs_in_a_read_only_transaction(mariadb_url: str, tmp_path: Path) -> None:
    execute(mariadb_url, "CREATE TABLE read_log (n INT) ENGINE=InnoDB",
            "CREATE FUNCTION note_read() RETURNS VARCHAR(32) MODIFIES SQL DATA NOT DETERMINISTIC "
            "BEGIN INSERT INTO read_log VALUES (1); RETURN 'aaaa00000001'; END",
            "CREATE VIEW alembic_version AS SELECT note_read() AS version_num")
    with pytest.raises(UnreachableError) as caught:
        read(mariadb_url, tmp_path)
    assert "READ ONLY transaction" in caught.value.message
