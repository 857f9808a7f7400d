"""Check that a database is at the migrations' head(s) and that its schema matches the models.

    python -m backend.verify_schema

The database is `DATABASE_URL` (default: the SQLite file under instance/, never created here).
Exit codes: 0 the database is at the head(s) and matches the models; 1 it is not, or it differs
(each difference is named by table and column); 2 the database cannot be reached (one line, the reason).
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from alembic.script import ScriptDirectory
    from sqlalchemy import MetaData
    from sqlalchemy.engine import Connection, Engine

CONNECT_TIMEOUT = 5  # seconds; an unreachable server should not hold a developer's terminal
UPGRADE_COMMAND = "flask --app backend.run db upgrade"


class CannotConnect(Exception):
    """The database cannot be reached; the message is the one-line reason."""


@dataclass(frozen=True)
class Difference:
    """One way the database differs from the models, in words."""

    table: str
    column: str | None
    text: str


@dataclass(frozen=True)
class RevisionState:
    """Where the database is in the migration history."""

    current: tuple[str, ...]
    heads: tuple[str, ...]
    unknown: tuple[str, ...]  # applied revisions that no file in migrations/versions defines
    pending: int  # revisions between the database and the head(s)

    @property
    def at_heads(self) -> bool:
        """Whether the database holds exactly the head revisions."""
        return set(self.current) == set(self.heads)


@dataclass(frozen=True)
class Report:
    """What `verify` found."""

    url: str
    revisions: RevisionState
    differences: tuple[Difference, ...]
    tables: int

    @property
    def ok(self) -> bool:
        """At the head(s), and no difference from the models."""
        return self.revisions.at_heads and not self.differences


def open_engine(url: str) -> Engine:
    """An engine for `url` with a short connect timeout; a SQLite file is opened read-only, never created."""
    import sqlalchemy as sa

    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise CannotConnect("DATABASE_URL is not a database URL (dialect://user@host/db)") from None
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database)
        if not path.is_file():
            raise CannotConnect(f"SQLite file {path} does not exist; `{UPGRADE_COMMAND}` creates it")
        uri = f"file:{path}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: _sqlite_read_only(uri))
    connect_args: dict[str, Any] = {}
    if backend in ("postgresql", "mysql", "mariadb"):
        connect_args["connect_timeout"] = CONNECT_TIMEOUT
    try:
        return sa.create_engine(parsed, connect_args=connect_args)
    except ModuleNotFoundError as error:
        raise CannotConnect(f"the driver for {parsed.drivername} is not installed ({error.name})") from None
    except sa.exc.NoSuchModuleError:
        raise CannotConnect(f"SQLAlchemy knows no database called {parsed.drivername}") from None


def _sqlite_read_only(uri: str) -> Any:
    import sqlite3

    return sqlite3.connect(uri, uri=True)


def script_directory(location: Path) -> ScriptDirectory:
    """Alembic's view of the migration scripts in `location` (as Flask-Migrate configures it)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(location))
    return ScriptDirectory.from_config(config)


def revision_state(connection: Connection, script: ScriptDirectory) -> RevisionState:
    """The database's revisions against the script directory's heads."""
    from alembic.runtime.migration import MigrationContext

    current = tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    heads = tuple(sorted(script.get_heads()))
    parents = {rev.revision: _as_tuple(rev.down_revision) for rev in script.walk_revisions()}
    unknown = tuple(rev for rev in current if rev not in parents)
    applied = _ancestors([rev for rev in current if rev in parents], parents)
    pending = len(_ancestors(heads, parents) - applied)
    return RevisionState(current, heads, unknown, pending)


def _as_tuple(value: str | Sequence[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _ancestors(revisions: Iterable[str], parents: dict[str, tuple[str, ...]]) -> set[str]:
    """The revisions and all their ancestors."""
    seen: set[str] = set()
    stack = list(revisions)
    while stack:
        rev = stack.pop()
        if rev not in seen:
            seen.add(rev)
            stack.extend(parents.get(rev, ()))
    return seen


def schema_differences(connection: Connection, metadata: MetaData) -> list[Difference]:
    """The models against the database, by Alembic's autogenerate comparison (as `db migrate` sees it)."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    context = MigrationContext.configure(connection, opts={"compare_type": True})
    differences: list[Difference] = []
    for entry in compare_metadata(context, metadata):
        # Column modifications come as a list of tuples; everything else as one tuple.
        for change in entry if isinstance(entry, list) else [entry]:
            differences.append(describe(change))
    return differences


IN_MODELS = "in the models, missing from the database"
IN_DATABASE = "in the database, not in the models"


def describe(change: tuple[Any, ...]) -> Difference:
    """One autogenerate change in plain words, with its table and column."""
    kind = change[0]
    if kind in ("add_table", "remove_table"):
        return Difference(change[1].name, None, IN_MODELS if kind == "add_table" else IN_DATABASE)
    if kind in ("add_column", "remove_column"):
        where = IN_MODELS if kind == "add_column" else IN_DATABASE
        return Difference(change[2], change[3].name, where)
    if kind.startswith("modify_"):
        return _describe_modification(change)
    if kind in ("add_index", "remove_index"):
        index = change[1]
        columns = ", ".join(column.name for column in index.columns)
        unique = "unique index" if index.unique else "index"
        where = IN_MODELS if kind == "add_index" else IN_DATABASE
        return Difference(index.table.name, None, f"{unique} {index.name} ({columns}): {where}")
    if kind in ("add_constraint", "remove_constraint"):
        constraint = change[1]
        columns = ", ".join(column.name for column in constraint.columns)
        where = IN_MODELS if kind == "add_constraint" else IN_DATABASE
        return Difference(
            constraint.table.name, None, f"unique constraint {constraint.name} ({columns}): {where}"
        )
    if kind in ("add_fk", "remove_fk"):
        fk = change[1]
        columns = ", ".join(element.parent.name for element in fk.elements)
        targets = ", ".join(element.target_fullname for element in fk.elements)
        where = IN_MODELS if kind == "add_fk" else IN_DATABASE
        return Difference(fk.parent.name, None, f"foreign key {fk.name} ({columns}) -> {targets}: {where}")
    if kind in ("add_table_comment", "remove_table_comment"):
        return Difference(change[1].name, None, "table comment differs")
    return Difference("?", None, f"{kind}: {change[1:]!r}")


def _describe_modification(change: tuple[Any, ...]) -> Difference:
    kind, _schema, table, column, _existing, in_database, in_models = change
    if kind == "modify_nullable":
        words = {True: "nullable", False: "NOT NULL"}
        return Difference(
            table, column, f"{words[in_database]} in the database, {words[in_models]} in the models"
        )
    what = {"modify_type": "type", "modify_default": "server default", "modify_comment": "comment"}.get(
        kind, kind
    )
    return Difference(
        table, column, f"{what} is {_shown(in_database)} in the database, {_shown(in_models)} in the models"
    )


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    arg = getattr(value, "arg", None)  # a server default: show its SQL text
    return str(getattr(arg, "text", arg) if arg is not None else value)


def verify(url: str, metadata: MetaData, migrations: Path) -> Report:
    """Connect to `url` and compare it with the migrations' head(s) and with `metadata`."""
    import sqlalchemy as sa

    engine = open_engine(url)
    shown = _safe(url)
    script = script_directory(migrations)
    try:
        with engine.connect() as connection:
            revisions = revision_state(connection, script)
            differences = schema_differences(connection, metadata)
    except sa.exc.DBAPIError as error:
        raise CannotConnect(f"cannot connect to {shown}: {_first_line(error.orig)}") from None
    finally:
        engine.dispose()
    return Report(shown, revisions, tuple(differences), len(metadata.tables))


def _safe(url: str) -> str:
    """The URL without its password, fit to print."""
    import sqlalchemy as sa

    return sa.engine.make_url(url).render_as_string(hide_password=True)


def _first_line(error: BaseException | None) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__


def render(report: Report) -> str:
    """The report as the lines the command prints."""
    lines = [f"Database: {report.url}", _render_revisions(report.revisions)]
    if report.differences:
        shown = _collapsed(report.differences)
        count = len(shown)
        lines.append(f"The database differs from the models ({count} difference{'s' * (count != 1)}):")
        lines.extend(_render_differences(shown))
    else:
        lines.append(f"Schema matches the models ({report.tables} tables).")
    return "\n".join(lines)


def _render_revisions(state: RevisionState) -> str:
    heads = ", ".join(state.heads) or "none"
    if state.at_heads:
        return f"Revision: {heads} (head)"
    current = ", ".join(state.current) or "none (no migration applied)"
    if state.unknown:
        missing = ", ".join(state.unknown)
        return (
            f"Revision: {current}; no file in migrations/versions defines {missing} (applied from another "
            f"branch?); the head is {heads}. `ahq-history status` tells where it lives."
        )
    return (
        f"Revision: {current}; the head is {heads}, {state.pending} revision{'s' * (state.pending != 1)} "
        f"to apply. Run: {UPGRADE_COMMAND}"
    )


def _collapsed(differences: Iterable[Difference]) -> list[Difference]:
    """The differences as listed: a table missing on one side stands for its indexes and keys too
    (autogenerate reports a new table's indexes apart), so the count matches the lines."""
    found = list(differences)
    whole = {d.table: d for d in found if d.column is None and d.text in (IN_MODELS, IN_DATABASE)}
    return [d for d in found if d.table not in whole] + list(whole.values())


def _render_differences(differences: Iterable[Difference]) -> list[str]:
    by_table: dict[str, list[Difference]] = {}
    for difference in differences:
        by_table.setdefault(difference.table, []).append(difference)
    lines: list[str] = []
    for table in sorted(by_table):
        found = by_table[table]
        if len(found) == 1 and found[0].column is None and found[0].text in (IN_MODELS, IN_DATABASE):
            lines.append(f"  table {table}: {found[0].text}")
            continue
        lines.append(f"  table {table}:")
        for d in sorted(found, key=lambda d: (d.column is None, d.column or "", d.text)):
            lines.append(f"    column {d.column}: {d.text}" if d.column else f"    {d.text}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check against DATABASE_URL; print the report; return the exit code."""
    if argv:
        print("usage: python -m backend.verify_schema  (the database is DATABASE_URL)", file=sys.stderr)
        return 2
    from alembic.util import CommandError

    from backend.app import models
    from backend.app.config import MIGRATIONS_DIR, database_url

    # The models' metadata without building the app: the app would open an engine for a URL we
    # have not yet checked.
    metadata = models.User.metadata
    try:
        report = verify(database_url(), metadata, MIGRATIONS_DIR)
    except CannotConnect as error:
        print(f"verify_schema: {error}", file=sys.stderr)
        return 2
    except CommandError as error:  # the migrations themselves cannot be read
        print(f"verify_schema: {MIGRATIONS_DIR}: {_first_line(error)}", file=sys.stderr)
        return 2
    print(render(report))
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
