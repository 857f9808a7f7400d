"""The operations of a revision file as values: `Operation`, `Operations`, the kinds they group into, and
a few words that say what an operation does (`describe`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Effect = Literal["schema", "data", "other"]
FunctionName = Literal["upgrade", "downgrade"]

COLUMN_KINDS = frozenset({"add_column", "drop_column", "alter_column", "rename_column"})
CONSTRAINT_KINDS = frozenset({
    "create_unique_constraint", "create_foreign_key", "create_check_constraint", "create_primary_key",
    "create_exclude_constraint",
})
DATA_KINDS = frozenset({"execute", "bulk_insert"})


@dataclass(frozen=True)
class Operation:
    """One operation of `upgrade()` or `downgrade()`.

    Kinds follow Alembic's own operation names, one kind per operation (`create_unique_constraint`,
    `create_foreign_key`, ... rather than one "create_constraint"), so a reader can look the kind up in
    Alembic's documentation:

    - tables: `create_table`, `drop_table`, `rename_table`, `create_table_comment`, `drop_table_comment`
    - columns: `add_column`, `drop_column`, `alter_column`, and `rename_column` (an `alter_column` that gives
      `new_column_name`)
    - indexes: `create_index`, `drop_index`
    - constraints: `create_unique_constraint`, `create_foreign_key`, `create_check_constraint`,
      `create_primary_key`, `create_exclude_constraint`, `drop_constraint`
    - data: `execute` (also `conn.execute(...)` on a name bound to `op.get_bind()` or to a `Session`) and
      `bulk_insert`
    - `other`: any other `op.*` call (custom operations, `op.invoke`, ...), kept with its line, never dropped.

    `name` is the column, index or constraint name (None for table operations and data changes);
    `columns` the columns it names (the column itself, indexed or constrained columns, a new table's
    columns); `references` the tables its foreign keys point to; `new_name` the new name of a rename;
    `sql` the SQL text of an `execute` when it is a literal. `line` is absolute in the file.
    """

    kind: str
    table: str | None
    name: str | None
    line: int
    function: FunctionName
    detail: str = ""
    columns: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    new_name: str | None = None
    sql: str | None = None
    effect: Effect = "schema"

    @property
    def target(self) -> str:
        """`table.column` for column operations, else the table (or `?` when it could not be read)."""
        table = self.table or "?"
        return f"{table}.{self.name}" if self.kind in COLUMN_KINDS and self.name else table


@dataclass(frozen=True)
class Operations:
    """The operations of one revision file. `error` says why the body could not be read (then both are
    empty); `*_empty` is true when the function is missing or holds only `pass`, `...` or a docstring."""

    upgrade: tuple[Operation, ...] = ()
    downgrade: tuple[Operation, ...] = ()
    upgrade_line: int | None = None
    downgrade_line: int | None = None
    upgrade_empty: bool = True
    downgrade_empty: bool = True
    error: str | None = None
    error_line: int | None = None


_CONSTRAINT_WORDS = {
    "create_unique_constraint": "unique constraint", "create_foreign_key": "foreign key",
    "create_check_constraint": "check constraint", "create_primary_key": "primary key",
    "create_exclude_constraint": "exclude constraint",
}


def describe(op: Operation) -> str:
    """A few words saying what an operation does, for messages: `adds column users.phone`."""
    table, name = op.table or "?", op.name or "?"
    within = f" in {op.table}" if op.table else ""
    words = {
        "create_table": f"creates table {table}",
        "drop_table": f"drops table {table}",
        "rename_table": f"renames table {table} to {op.new_name or '?'}",
        "create_table_comment": f"comments on table {table}",
        "drop_table_comment": f"drops the comment of table {table}",
        "add_column": f"adds column {table}.{name}",
        "drop_column": f"drops column {table}.{name}",
        "alter_column": f"alters column {table}.{name}",
        "rename_column": f"renames column {table}.{name} to {op.new_name or '?'}",
        "create_index": f"creates index {name} on {table}",
        "drop_index": f"drops index {name} on {table}",
        "drop_constraint": f"drops constraint {name} on {table}",
        "execute": ("changes data" if op.effect == "data" else "runs SQL") + within,
        "bulk_insert": "inserts rows" + (f" into {op.table}" if op.table else ""),
    }
    if op.kind in _CONSTRAINT_WORDS:
        text = f"creates {_CONSTRAINT_WORDS[op.kind]} {name} on {table}"
    else:
        text = words.get(op.kind, f"calls {op.detail or op.kind}")
    if op.references and op.kind in {"create_table", "add_column"}:
        text += f" referencing {', '.join(op.references)}"
    return text
