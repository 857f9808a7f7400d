"""Read `alembic_version` from the project's database, read-only, with a short timeout.

Only this module talks to a database, and it never writes: SQLite files are opened with `mode=ro`
(a missing file is never created), server databases run the one SELECT in a read-only transaction.
SQLAlchemy is imported inside the functions that connect, so importing this module costs nothing.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.config.project import Project
from ahq_history.core.errors import ConfigError, UnreachableError
from ahq_history.db.sqlite import sqlite_engine, sqlite_path
from ahq_history.db.url import UrlFormError, describe, parse_url, scrub

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Connection, Engine

DEFAULT_TIMEOUT = 3.0
DEFAULT_VERSION_TABLE = "alembic_version"
NO_FILE_NOTE = "database file does not exist yet: nothing applied"
NO_TABLE_NOTE = "no {table} table: nothing applied"
MEMORY_NOTE = "in-memory SQLite database: nothing applied"

# Driver modules by dialect, to name the extra that brings them when one is missing.
_EXTRAS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}
# Async drivers cannot be used by a plain engine; their dialect's default sync driver reads the same table.
_ASYNC_DRIVERS = {"asyncpg", "psycopg_async", "aiosqlite", "aiomysql", "asyncmy"}
# (driver, module) in order of preference, for URLs that name no driver.
_DRIVERS = {
    "postgresql": (("psycopg2", "psycopg2"), ("psycopg", "psycopg")),
    "mysql": (("mysqldb", "MySQLdb"), ("pymysql", "pymysql")),
    "mariadb": (("mysqldb", "MySQLdb"), ("pymysql", "pymysql")),
}


class NoDatabaseUrl(ConfigError):
    """No database URL is configured anywhere (`resolve_url` looked in every place)."""


@dataclass(frozen=True)
class DatabaseUrl:
    """A database URL and where it came from (said in messages). `url` may hold a password: never print it."""

    url: str = field(repr=False)
    source: str

    @property
    def masked(self) -> str:
        """The URL as shown anywhere (db/url.py): secrets masked; one that does not parse is not shown."""
        return describe(self.url, self.source)


@dataclass(frozen=True)
class VersionRows:
    """What `alembic_version` holds: its revisions (sorted), or a note saying why there are none."""

    url: str  # password masked
    dialect: str
    revisions: tuple[str, ...]
    note: str | None = None


def resolve_url(
    project: Project, explicit: str | None = None, environ: Mapping[str, str] | None = None
) -> DatabaseUrl:
    """The database URL, first found of: `explicit` (--database-url), env DATABASE_URL, `[tool.ahq-history]
    database-url`, the ini's sqlalchemy.url. Raises NoDatabaseUrl (a ConfigError, exit 2) when none is
    set."""
    env = os.environ if environ is None else environ
    setting = project.settings.get("database-url")
    candidates = (
        (explicit, "--database-url"),
        (env.get("DATABASE_URL"), "the DATABASE_URL environment variable"),
        (setting if isinstance(setting, str) else None, "[tool.ahq-history] database-url in pyproject.toml"),
        (project.database_url, f"sqlalchemy.url in {_relative(project.config_path, project.root)}"),
    )
    for value, source in candidates:
        if value and value.strip():
            return DatabaseUrl(_normalise(value.strip()), source)
    raise NoDatabaseUrl(
        "no database URL is configured",
        "pass --database-url URL, set DATABASE_URL, or add database-url = \"sqlite:///instance/app.db\" "
        "under [tool.ahq-history] in pyproject.toml",
    )


def _normalise(url: str) -> str:
    # Heroku-style `postgres://` is refused by SQLAlchemy 1.4+; it means PostgreSQL.
    return "postgresql://" + url[len("postgres://"):] if url.startswith("postgres://") else url


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def read_version_rows(
    db_url: DatabaseUrl,
    root: Path,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    version_table: str = DEFAULT_VERSION_TABLE,
    schema: str | None = None,
) -> VersionRows:
    """Read the revisions in the version table. Never writes, never creates a database file.

    Raises ConfigError for a URL that cannot be used (bad form, driver not installed) and UnreachableError
    (both exit 2) when the database does not answer within `timeout` seconds or refuses us.
    """
    url = _parse(db_url)
    backend = url.get_backend_name()
    with contextlib.ExitStack() as cleanup:
        if backend == "sqlite":
            path = sqlite_path(url, root)
            if path is None or not path.exists():  # a FIFO or a device exists, and is refused
                return VersionRows(db_url.masked, backend, (), MEMORY_NOTE if path is None else NO_FILE_NOTE)
            engine = sqlite_engine(path, cleanup)
        else:
            engine = _server_engine(db_url, url, timeout)
        cleanup.callback(engine.dispose)
        revisions = _select_revisions(engine, db_url, version_table, schema)
    note = None if revisions is not None else NO_TABLE_NOTE.format(table=version_table)
    return VersionRows(db_url.masked, backend, revisions or (), note)


def read_project_rows(
    project: Project, *, database_url: str | None = None, timeout: float = DEFAULT_TIMEOUT
) -> tuple[DatabaseUrl, VersionRows]:
    """The project's database (`database_url`, else as `resolve_url` finds it) and the rows of its version
    table (named by the project's settings). What `status`, `merge-heads --rebase` and the TUI read.

    Raises NoDatabaseUrl when no URL is configured, ConfigError for a URL that cannot be used and
    UnreachableError when the database does not answer (all exit 2)."""
    db_url = resolve_url(project, database_url)
    table, schema = version_table_settings(project)
    rows = read_version_rows(db_url, project.root, timeout=timeout, version_table=table, schema=schema)
    return db_url, rows


def version_table_settings(project: Project) -> tuple[str, str | None]:
    """`[tool.ahq-history] version-table` / `version-table-schema`, for projects whose env.py renames it."""
    table = project.settings.get("version-table")
    schema = project.settings.get("version-table-schema")
    return (
        table if isinstance(table, str) and table else DEFAULT_VERSION_TABLE,
        schema if isinstance(schema, str) and schema else None,
    )


def _parse(db_url: DatabaseUrl) -> URL:
    try:
        url = parse_url(db_url.url)
    except UrlFormError as error:  # never shown: what does not parse cannot be masked with certainty
        raise ConfigError(
            f"the database URL from {db_url.source} does not parse: {error.reason}",
            "write it as dialect+driver://user:password@host:port/database, e.g. sqlite:///instance/app.db",
        ) from None
    return url.set(drivername=_sync_driver(url.drivername))


def _sync_driver(drivername: str) -> str:
    """An explicit sync driver as written; otherwise the first installed of the dialect's usual drivers.

    SQLAlchemy's default driver for `postgresql://` is psycopg (3) since 2.1 and mysqlclient for `mysql://`,
    while the extras install psycopg2 and PyMySQL: a plain URL should work with either.
    """
    from importlib.util import find_spec

    backend, _, driver = drivername.partition("+")
    if driver and driver not in _ASYNC_DRIVERS:
        return drivername
    choices = _DRIVERS.get(backend, ())
    installed = next((name for name, module in choices if find_spec(module) is not None), None)
    return f"{backend}+{installed}" if installed else backend


def _server_engine(db_url: DatabaseUrl, url: URL, timeout: float) -> Engine:
    from sqlalchemy import create_engine
    from sqlalchemy.exc import NoSuchModuleError
    from sqlalchemy.pool import NullPool

    url = _without_acting_options(url)
    try:
        return create_engine(url, poolclass=NullPool, connect_args=_connect_args(url, timeout))
    except NoSuchModuleError:
        raise ConfigError(
            f"unknown database dialect {url.drivername!r} in {db_url.masked} (from {db_url.source})",
            "use a URL SQLAlchemy knows: sqlite:///..., postgresql://..., mysql+pymysql://...",
        ) from None
    except ImportError as error:
        raise ConfigError(
            f"the database driver for {url.drivername!r} is not installed ({_first_line(error)}); "
            f"the URL is from {db_url.source}",
            _driver_hint(url.drivername, error.name),
        ) from None
    except _OPTION_ERRORS as error:  # SQLAlchemy's own conversion of an option (`connect_timeout=abc`)
        raise _bad_option(db_url, url, error) from None


def _driver_hint(drivername: str, module: str | None) -> str:
    backend, _, driver = drivername.partition("+")
    extra = _EXTRAS.get(backend)
    if extra is None:
        return f"install the driver module {module!r}"
    ours = {name for name, _module in _DRIVERS[backend]} - {"mysqldb"}
    if not driver or driver in ours:
        return f"pip install 'ahq-history[{extra}]'"
    return f"install the driver module {module!r}, or pip install 'ahq-history[{extra}]' and drop '+{driver}'"


# MySQL/MariaDB URL options that act rather than connect: SQL run on connect, an option file that may set
# either, and LOAD DATA LOCAL, with which a server reads the client's files. A URL in a tracked file must
# not make reading a version table do any of that.
_ACTING_OPTIONS = ("init_command", "read_default_file", "read_default_group", "local_infile",
                   "allow_local_infile", "option_files", "option_groups")


def _without_acting_options(url: URL) -> URL:
    if url.get_backend_name() not in ("mysql", "mariadb"):
        return url
    return url.difference_update_query([key for key in url.query if key.lower() in _ACTING_OPTIONS])


def _connect_args(url: URL, timeout: float) -> dict[str, Any]:
    """Short connect and statement timeouts for the drivers that take them; no LOAD DATA LOCAL."""
    backend, _, driver = url.drivername.partition("+")
    whole = max(1, round(timeout))  # libpq and MySQLdb take whole seconds
    if backend == "postgresql" and driver in ("psycopg2", "psycopg", "pg8000"):
        if driver == "pg8000":
            return {"timeout": timeout}
        return {"connect_timeout": whole, "options": f"-c statement_timeout={int(timeout * 1000)}"}
    if backend in ("mysql", "mariadb"):
        if driver == "pymysql":
            return {"connect_timeout": timeout, "read_timeout": timeout, "write_timeout": timeout,
                    "local_infile": False}
        return {"connect_timeout": whole, "local_infile": 0} if driver in ("", "mysqldb") else \
            {"connect_timeout": whole}
    return {}


def _select_revisions(
    engine: Engine, db_url: DatabaseUrl, version_table: str, schema: str | None
) -> tuple[str, ...] | None:
    """The sorted rows of the version table; None when the table does not exist."""
    from sqlalchemy import String, column, inspect, select, table
    from sqlalchemy.exc import DBAPIError, SQLAlchemyError

    try:
        with _connect(engine, db_url) as conn:
            _begin_read_only(conn)
            if not inspect(conn).has_table(version_table, schema=schema):
                return None
            query = select(column("version_num", String)).select_from(table(version_table, schema=schema))
            rows = conn.execute(query).scalars().all()
    except DBAPIError as error:
        reason = _driver_reason(error.orig) if error.orig is not None else ""
        raise _unreachable(db_url, reason or _first_line(error)) from None
    except SQLAlchemyError as error:
        raise _unreachable(db_url, _first_line(error)) from None
    return tuple(sorted(str(row) for row in rows))


def _connect(engine: Engine, db_url: DatabaseUrl) -> Connection:
    try:
        return engine.connect()
    except _OPTION_ERRORS as error:  # not the driver's own error class: an option it could not take
        raise _bad_option(db_url, engine.url, error) from None


# What drivers raise (instead of their DB-API errors) for a URL option they cannot take: PyMySQL gives
# TypeError for an unknown one, AttributeError for `charset=nosuch` or `ssl=true`, ValueError for
# `connect_timeout=abc`, FileNotFoundError for a missing `ssl_ca`, NotImplementedError for `compress`.
_OPTION_ERRORS = (TypeError, AttributeError, ValueError, LookupError, NotImplementedError, OSError)


def _bad_option(db_url: DatabaseUrl, url: URL, error: Exception) -> ConfigError:
    """A configuration error naming the URL option(s) the driver refused (exit 2, never a traceback)."""
    reason = scrub(_first_line(error), db_url.url) or type(error).__name__
    keys = list(url.query)
    named = [key for key in keys if _mentions(reason, key, url.query[key])] or keys
    driver = url.drivername.partition("+")[2] or url.drivername
    if not named:
        what = "the database URL"
    elif len(named) == 1:
        what = f"the database URL's option {named[0]!r}"
    else:
        what = "one of the database URL's options " + ", ".join(repr(key) for key in named)
    return ConfigError(
        f"{what} (from {db_url.source}) is not accepted by the {driver} driver: {reason}",
        "fix or remove the option in the URL (its value, or its name: see the driver's documentation)",
    )


def _mentions(reason: str, key: str, value: str | tuple[str, ...]) -> bool:
    values = (value,) if isinstance(value, str) else value
    return f"'{key}'" in reason or any(len(v) > 1 and f"'{v}'" in reason for v in values)


def _begin_read_only(conn: Connection) -> None:
    # PostgreSQL and MariaDB/MySQL both take this as the first statement of a transaction; SQLite files
    # are opened with mode=ro instead.
    if conn.dialect.name in ("postgresql", "mysql", "mariadb"):
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _unreachable(db_url: DatabaseUrl, reason: str) -> UnreachableError:
    reason = scrub(reason, db_url.url)  # drivers may echo the URL, the DSN or the password
    hint = (
        "check that the file is a SQLite database, or pass --database-url"
        if db_url.url.startswith("sqlite")
        else "check that the server is running and that the URL is right, or pass --database-url"
    )
    message = f"cannot read the database {db_url.masked} (from {db_url.source}): {reason}"
    return UnreachableError(message, hint)


def _driver_reason(error: BaseException) -> str:
    # PyMySQL and MySQLdb carry (code, text); the text is what a person reads.
    args = error.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str):
        return f"{_first_line(args[1])} (error {args[0]})"
    return _first_line(error)


def _first_line(error: object) -> str:
    text = str(error).strip()
    # psycopg2 and friends put the useful part first; the rest is SQL and a documentation link.
    first = text.splitlines()[0].strip() if text else ""
    return re.sub(r"^\([\w.]+\)\s*", "", first)
