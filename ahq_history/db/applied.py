"""Which database the project's migrations run against, when the tool can name it, and what it has applied.

A database is named, in this order: `--database-url`, the `DATABASE_URL` environment variable,
`[tool.ahq-history] database-url` (someone told the tool), then what `env.py` connects to: the ini's
`sqlalchemy.url` when env.py reads it from the configuration, or the environment variable env.py reads.
When env.py takes its connection from the application (Flask-Migrate's `current_app`), or from a variable
that is not set here, or from nowhere we can follow, the ini's URL (if any) is not that database, and the
applied state is unknown: never "nothing applied".
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import stat
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ahq_history.config.project import Project
from ahq_history.core.applied import AppliedState
from ahq_history.core.envsource import EnvConnection, env_connection
from ahq_history.db.read import (
    DEFAULT_TIMEOUT,
    DatabaseUrl,
    NoDatabaseUrl,
    VersionRows,
    read_version_rows,
    resolve_url,
    version_table_settings,
)

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph

ENV_PY_LIMIT = 1 << 20  # an env.py is a page or two; a bigger "file" is not read
# Who gave the --database-url: a caller that passes it for the user (`flask ahq`) names itself instead.
_EXPLICIT_SOURCE: ContextVar[str | None] = ContextVar("explicit_source", default=None)
HOW_TO_TELL = ("pass --database-url URL, set DATABASE_URL, or add "
               "database-url = \"sqlite:///instance/app.db\" under [tool.ahq-history] in pyproject.toml")


@dataclass(frozen=True)
class NamedDatabase:
    """The database the tool can name (`url`), or why it cannot (`why`)."""

    url: DatabaseUrl | None
    why: str = ""


def name_database(project: Project, explicit: str | None = None,
                  environ: Mapping[str, str] | None = None) -> NamedDatabase:
    """The project's database as the module docstring orders the places, or why there is none."""
    env = os.environ if environ is None else environ
    told = _told(project, explicit, env)
    if told is not None:
        return NamedDatabase(told)
    connection = _env_connection(project, env)
    if connection.kind == "environment" and connection.variable:
        found = resolve_url(_bare(project), None, {"DATABASE_URL": env[connection.variable]})
        return NamedDatabase(dataclasses.replace(
            found, source=f"the {connection.variable} environment variable (env.py reads it)"))
    if connection.kind != "config":
        return NamedDatabase(None, connection.detail)
    try:
        return NamedDatabase(resolve_url(dataclasses.replace(project, settings={}), None, {}))
    except NoDatabaseUrl:
        return NamedDatabase(None, f"no database URL is configured: {_ini_name(project)} has no "
                             "sqlalchemy.url")


def read_named_rows(project: Project, *, database_url: str | None = None, timeout: float = DEFAULT_TIMEOUT,
                    environ: Mapping[str, str] | None = None) -> tuple[DatabaseUrl, VersionRows]:
    """The named database and the rows of its version table (what `status` shows).

    Raises NoDatabaseUrl (exit 2) saying why no database can be named and how to name one, ConfigError for a
    URL that cannot be used and UnreachableError (exit 2) when the database does not answer."""
    named = name_database(project, database_url, environ)
    if named.url is None:
        raise NoDatabaseUrl(f"cannot tell which database the migrations run against: {named.why}",
                            HOW_TO_TELL)
    table, schema = version_table_settings(project)
    rows = read_version_rows(named.url, project.root, timeout=timeout, version_table=table, schema=schema)
    return named.url, rows


def applied_state(project: Project, graph: RevisionGraph, *, database_url: str | None = None,
                  check: bool = True, timeout: float = DEFAULT_TIMEOUT,
                  environ: Mapping[str, str] | None = None) -> AppliedState:
    """What the named database has applied (the rows and their ancestors), unknown (and why) when no
    database can be named, or unchecked when `check` is false (the user takes responsibility).

    Raises UnreachableError (exit 2) when the named database does not answer, ConfigError for a URL that
    cannot be used: a database someone named must be read, not guessed."""
    if not check:
        return AppliedState.unchecked()
    named = name_database(project, database_url, environ)
    if named.url is None:
        return AppliedState.unknown(named.why)
    table, schema = version_table_settings(project)
    rows = read_version_rows(named.url, project.root, timeout=timeout, version_table=table, schema=schema)
    return state_of_rows(graph, rows, named.url, database_url)


def state_of_rows(graph: RevisionGraph, rows: VersionRows, url: DatabaseUrl, explicit: str | None
                  ) -> AppliedState:
    """The applied state of a database whose version table held `rows` (`explicit`: the --database-url
    given, if any, which a printed command repeats only when it holds no secret)."""
    from ahq_history.core.plan import applied_revisions

    options = _options(url, explicit)
    return AppliedState.read(applied_revisions(graph, rows.revisions), describe_rows(rows, url.source),
                             options, repeatable=explicit is None or bool(options))


def describe_rows(rows: VersionRows, source: str) -> str:
    """`database URL (source): applied: a, b`, or what the note says (no table, no file: nothing applied)."""
    state = rows.note or ("applied: " + ", ".join(rows.revisions) if rows.revisions else "nothing applied")
    return f"database {rows.url} ({source}): {state}"


@contextlib.contextmanager
def explicit_source(label: str) -> Iterator[None]:
    """Within the block, a URL given as --database-url is said to come from `label` (e.g. "the Flask
    app's SQLALCHEMY_DATABASE_URI"), in this thread."""
    token = _EXPLICIT_SOURCE.set(label)
    try:
        yield
    finally:
        _EXPLICIT_SOURCE.reset(token)


def _told(project: Project, explicit: str | None, environ: Mapping[str, str]) -> DatabaseUrl | None:
    """--database-url, DATABASE_URL or the setting: a database someone named for the tool."""
    try:
        found = resolve_url(dataclasses.replace(project, database_url=None), explicit, environ)
    except NoDatabaseUrl:
        return None
    label = _EXPLICIT_SOURCE.get()
    if label is not None and explicit is not None and found.source == "--database-url":
        return dataclasses.replace(found, source=label)
    return found


def _bare(project: Project) -> Project:
    return dataclasses.replace(project, database_url=None, settings={})


def _options(url: DatabaseUrl, explicit: str | None) -> tuple[str, ...]:
    """What a `merge-heads` command needs to read this database again: nothing when it finds it by itself;
    `--database-url URL` when the URL was given that way and holds no secret to print."""
    if explicit is None or url.masked != url.url:
        return ()
    return ("--database-url", url.url)


def _ini_name(project: Project) -> str:
    try:
        return project.config_path.relative_to(project.root).as_posix()
    except ValueError:
        return str(project.config_path)


def _env_connection(project: Project, environ: Mapping[str, str]) -> EnvConnection:
    """env.py's connection, read as text; a project without a readable env.py is taken at its config."""
    path = project.script_location / "env.py"
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > ENV_PY_LIMIT:
            return EnvConnection("elsewhere", f"{path} is not a regular file of a readable size")
        text = path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return EnvConnection("config", "no env.py")
    except OSError as error:
        return EnvConnection("elsewhere", f"env.py cannot be read ({error.strerror})")
    return env_connection(text, environ)
