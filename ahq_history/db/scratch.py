"""Scratch databases for `ahq-history verify`: of the project's own dialect, created here and dropped here.

- SQLite (the project's database is SQLite, or cannot be named: the caller says so): a file in a new
  temporary folder, removed with the folder.
- A server (`--scratch-server URL`, PostgreSQL or MariaDB/MySQL): a database with a fresh random name
  (`ahq_verify_<hex>`) is created there; a name that already exists is refused, and the only database ever
  dropped is the one this run created, in a `finally`.

Each scratch database gets a marker table holding a random token, which the child process
(`write/verifychild.py`) reads through the connection env.py opens before any revision runs.
"""

from __future__ import annotations

import contextlib
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.config.project import Project
from ahq_history.core.errors import UnreachableError, UsageError
from ahq_history.db.applied import name_database
from ahq_history.db.read import DEFAULT_TIMEOUT, DatabaseUrl, _parse, _server_engine
from ahq_history.db.url import UrlFormError, parse_url, scrub

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine

MARKER = "ahq_verify_marker"
SERVER_DIALECTS = {"postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}  # -> family
SERVER_HINT = ("pass --scratch-server postgresql://postgres@127.0.0.1:5432/postgres (or a MariaDB server "
               "URL): a database is created there for this run and dropped after it")


@dataclass(frozen=True)
class ScratchSpec:
    """Where to make the scratch database: a temporary SQLite file (`server` None) or on `server`."""

    server: DatabaseUrl | None
    dialect: str  # sqlite, postgresql or mysql
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scratch:
    """A scratch database that exists: its URL (may hold a password: never print it), as shown, and the
    marker token written in it."""

    url: str = field(repr=False)
    shown: str
    token: str


def scratch_spec(project: Project, database_url: str | None, scratch_server: str | None,
                 environ: Mapping[str, str] | None = None) -> ScratchSpec:
    """Which scratch database proves this project's migrations. Raises UsageError when the project's
    database is a server and no `--scratch-server` was given, or when that server is of another dialect."""
    named = name_database(project, database_url, environ)
    dialect = _family(named.url) if named.url else None
    if scratch_server:
        server = DatabaseUrl(scratch_server, "--scratch-server")
        family = _family(server)
        if family not in ("postgresql", "mysql"):
            raise UsageError("--scratch-server takes a PostgreSQL or MariaDB/MySQL server URL",
                             hint=SERVER_HINT)
        shown = named.url.masked if named.url else ""
        if dialect in SERVER_DIALECTS.values() and dialect != family:
            raise UsageError(f"the project's database is {dialect} ({shown}); a {family} scratch server "
                             "would not prove its migrations",
                             hint=f"pass a {dialect} server as --scratch-server")
        notes = (f"the project's database is {dialect} ({shown}); verifying on {family}, as asked",) \
            if dialect and dialect != family else ()
        return ScratchSpec(server, family, notes)
    if dialect in (None, "sqlite"):
        notes = () if dialect else (f"the project's database cannot be named ({named.why}): verifying on a "
                                    "temporary SQLite file; --scratch-server URL verifies on a server",)
        return ScratchSpec(None, "sqlite", notes)
    raise UsageError(f"the project's database is {dialect} ({named.url.masked if named.url else ''}): a "
                     "temporary SQLite file would not prove its migrations", hint=SERVER_HINT)


def _family(url: DatabaseUrl) -> str | None:
    try:
        backend = parse_url(url.url).get_backend_name()
    except UrlFormError:
        return None
    return SERVER_DIALECTS.get(backend, backend)


@contextlib.contextmanager
def scratch_database(spec: ScratchSpec) -> Iterator[Scratch]:
    """Create the scratch database with its marker, yield it, and remove it whatever happens."""
    token = secrets.token_hex(16)
    if spec.server is None:
        with _sqlite_scratch(token) as scratch:
            yield scratch
    else:
        with _server_scratch(spec.server, token) as scratch:
            yield scratch


@contextlib.contextmanager
def _sqlite_scratch(token: str) -> Iterator[Scratch]:
    folder = Path(tempfile.mkdtemp(prefix="ahq-verify-"))
    try:
        path = folder / "scratch.db"
        with contextlib.closing(sqlite3.connect(path)) as connection, connection:
            connection.execute(f"CREATE TABLE {MARKER} (token VARCHAR(64) NOT NULL)")
            connection.execute(f"INSERT INTO {MARKER} (token) VALUES (?)", (token,))
        yield Scratch(f"sqlite:///{path}", f"a temporary SQLite file ({path})", token)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def _server_scratch(server: DatabaseUrl, token: str) -> Iterator[Scratch]:
    url = _parse(server)
    engine = _server_engine(server, url, DEFAULT_TIMEOUT).execution_options(isolation_level="AUTOCOMMIT")
    name = f"ahq_verify_{secrets.token_hex(6)}"  # [a-z0-9_] only: safe to write into the SQL
    created = False
    try:
        _create(engine, server, url, name)
        created = True
        scratch_url = url.set(database=name)
        _mark(scratch_url, server, token)
        yield Scratch(scratch_url.render_as_string(hide_password=False),
                      f"database {name} created on {server.masked}", token)
    finally:
        if created:
            _drop(engine, url, name)
        engine.dispose()


def _create(engine: Engine, server: DatabaseUrl, url: URL, name: str) -> None:
    from sqlalchemy import text

    postgres = url.get_backend_name() == "postgresql"
    exists = (text("SELECT 1 FROM pg_database WHERE datname = :name") if postgres else
              text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :name"))
    try:
        with engine.connect() as connection:
            if connection.execute(exists, {"name": name}).first() is not None:
                raise UsageError(f"a database named {name} already exists on the scratch server",
                                 hint="run verify again: it draws a new name")
            quoted = f'"{name}"' if postgres else f"`{name}`"
            connection.exec_driver_sql(f"CREATE DATABASE {quoted}")
    except UsageError:
        raise
    except Exception as error:
        raise _unreachable(server, error, f"cannot create a scratch database on {server.masked}") from None


def _mark(scratch_url: URL, server: DatabaseUrl, token: str) -> None:
    from sqlalchemy import text

    engine = _server_engine(server, scratch_url, DEFAULT_TIMEOUT)
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE TABLE {MARKER} (token VARCHAR(64) NOT NULL)")
            connection.execute(text(f"INSERT INTO {MARKER} (token) VALUES (:token)"), {"token": token})
    except Exception as error:
        raise _unreachable(server, error, "cannot write the marker table in the scratch database") from None
    finally:
        engine.dispose()


def _drop(engine: Engine, url: URL, name: str) -> None:
    """Drop the database this run created (and only it); children have exited, but force on PostgreSQL
    in case one was killed with its connection still open."""
    with engine.connect() as connection:
        if url.get_backend_name() == "postgresql":
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS `{name}`")


def _unreachable(server: DatabaseUrl, error: Exception, what: str) -> UnreachableError:
    words = scrub(str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__,
                  server.url)
    return UnreachableError(f"{what}: {words}", hint="check the server URL and that its user may create "
                            "databases")
