"""Where the sides of a divergence clash: their `upgrade()` operations on the same tables and columns (pure).

A merge revision makes Alembic accept two heads; it does not make their changes compatible. Each side is
the list of revisions one head added since the fork, with the operations read by `opread.read_operations`.
Only `upgrade()` is compared: it is what runs when the heads are merged and upgraded.

Conflict kinds (stable, documented in docs/json.md):

- `both-add-column`: both sides add the same column to the same table.
- `both-create-table`: both sides create the same table.
- `both-create-index`: both sides create an index with the same name.
- `both-create-constraint`: both sides create a constraint with the same name.
- `both-alter-column`: both sides alter the same column.
- `both-change-data`: both sides change data (`execute` / `bulk_insert`) in the same table.
- `drop-vs-use`: one side drops a table or column that the other side names in any operation (adds to it,
  alters it, indexes it, points a foreign key at it, changes its data, drops it too).
- `rename-vs-use`: the same for a table or column that one side renames.

Table and column names are compared without regard to case, as unquoted SQL identifiers are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from ahq_history.core.model import Revision
from ahq_history.core.opread import read_operations
from ahq_history.core.ops import (
    CONSTRAINT_KINDS,
    DATA_KINDS,
    Operation,
    Operations,
    describe,
)

Side = Sequence[tuple[Revision, Operations]]


@dataclass(frozen=True)
class Conflict:
    """Two operations on different sides that cannot both apply as written.

    `revisions` holds `(revision id, line)` of each operation; `paths` the two revision files, in the same
    order. For `drop-vs-use` and `rename-vs-use` the dropping or renaming revision comes first. `name` is
    the index or constraint name for the `both-create-index` / `both-create-constraint` kinds.
    """

    kind: str
    table: str
    column: str | None
    revisions: tuple[tuple[str, int], tuple[str, int]]
    message: str
    paths: tuple[str, str] = ("", "")
    name: str | None = None


def conflict_as_json(conflict: Conflict) -> dict[str, object]:
    """The documented JSON shape of a conflict (docs/json.md, `divergences[].conflicts`)."""
    return {
        "kind": conflict.kind,
        "table": conflict.table,
        "column": conflict.column,
        "name": conflict.name,
        "revisions": [
            {"revision": revision, "line": line, "path": path}
            for (revision, line), path in zip(conflict.revisions, conflict.paths, strict=True)
        ],
        "message": conflict.message,
    }


@dataclass(frozen=True)
class _Entry:
    revision: Revision
    op: Operation

    @property
    def where(self) -> str:
        return f"{self.revision.id} ({self.revision.path}:{self.op.line})"


def divergence_sides(
    side_ids: Sequence[Sequence[str]],
    revisions: Mapping[str, Revision],
    text: Callable[[Revision], str | None],
) -> list[list[tuple[Revision, Operations]]]:
    """The sides of a divergence ready for `conflicts_for_divergence`, oldest revision first.

    `side_ids`: each side's revision ids as the graph lists them (newest first); `text`: a revision file's
    source (from the work tree or a git tree), None when it cannot be read (that revision is skipped).
    """
    sides: list[list[tuple[Revision, Operations]]] = []
    for ids in side_ids:
        side = []
        for revision_id in reversed(ids):
            revision = revisions.get(revision_id)
            source = text(revision) if revision is not None else None
            if revision is not None and source is not None:
                side.append((revision, read_operations(source)))
        sides.append(side)
    return sides


def conflicts_for_divergence(sides: Sequence[Side]) -> list[Conflict]:
    """Every conflict between each pair of sides, in side order then file order, without repeats.

    A revision whose body could not be read (`Operations.error`) contributes no operations.
    """
    found: dict[tuple[object, ...], Conflict] = {}
    entries = [list(_entries(side)) for side in sides]
    for left, right in combinations(entries, 2):
        index = _index(right)
        for a in left:
            for b in _candidates(a, index):
                conflict = _conflict(a, b)
                if conflict is not None:
                    key = (conflict.kind, conflict.table.lower(), (conflict.column or "").lower(),
                           conflict.name, frozenset(conflict.revisions))
                    found.setdefault(key, conflict)
    return list(found.values())


def _entries(side: Side) -> Iterator[_Entry]:
    for revision, operations in side:
        for op in operations.upgrade:
            yield _Entry(revision, op)


def _keys(op: Operation) -> Iterator[tuple[str, str]]:
    """What an operation can clash on: its table, the tables its foreign keys name, its object name."""
    for table in (op.table, *op.references):
        if table:
            yield ("table", table.lower())
    if op.name and (op.kind == "create_index" or op.kind in CONSTRAINT_KINDS):
        yield ("name", op.name.lower())


def _index(entries: Iterable[_Entry]) -> dict[tuple[str, str], list[_Entry]]:
    index: dict[tuple[str, str], list[_Entry]] = {}
    for entry in entries:
        for key in _keys(entry.op):
            index.setdefault(key, []).append(entry)
    return index


def _candidates(entry: _Entry, index: dict[tuple[str, str], list[_Entry]]) -> Iterator[_Entry]:
    """The other side's operations that share a key with `entry`, each once, in file order."""
    seen: set[int] = set()
    for key in _keys(entry.op):
        for other in index.get(key, ()):
            if id(other) not in seen and other.revision.id != entry.revision.id:
                seen.add(id(other))
                yield other


def _conflict(a: _Entry, b: _Entry) -> Conflict | None:
    return _both(a, b) or _removed_while_used(a, b) or _removed_while_used(b, a)


def _same(x: str | None, y: str | None) -> bool:
    return x is not None and y is not None and x.lower() == y.lower()


def _both(a: _Entry, b: _Entry) -> Conflict | None:
    """Both sides make the same change."""
    x, y = a.op, b.op
    same_table, same_name = _same(x.table, y.table), _same(x.name, y.name)
    table = x.table or y.table or "?"
    if x.kind == y.kind == "add_column" and same_table and same_name:
        return _make("both-add-column", a, b, table, x.name, f"both sides add column {table}.{x.name}")
    if x.kind == y.kind == "alter_column" and same_table and same_name:
        return _make("both-alter-column", a, b, table, x.name, f"both sides alter column {table}.{x.name}")
    if x.kind == y.kind == "create_table" and same_table:
        return _make("both-create-table", a, b, table, None, f"both sides create table {table}")
    if x.kind == y.kind == "create_index" and same_name:
        return _make("both-create-index", a, b, table, None, f"both sides create index {x.name} on {table}",
                     name=x.name)
    if x.kind in CONSTRAINT_KINDS and y.kind in CONSTRAINT_KINDS and same_name:
        return _make("both-create-constraint", a, b, table, None,
                     f"both sides create constraint {x.name} on {table}", name=x.name)
    if x.kind in DATA_KINDS and y.kind in DATA_KINDS and x.effect == y.effect == "data" and same_table:
        return _make("both-change-data", a, b, table, None, f"both sides change data in table {table}")
    return None


def _removed_while_used(a: _Entry, b: _Entry) -> Conflict | None:
    """`a` drops or renames a table or column that `b` names."""
    x, y = a.op, b.op
    kind = "drop-vs-use" if x.kind.startswith("drop_") else "rename-vs-use"
    text = f"{a.where} {describe(x)} while {b.where} {describe(y)}"
    table_used = _same(x.table, y.table) or any(_same(x.table, ref) for ref in y.references)
    if x.kind in {"drop_table", "rename_table"} and x.table and table_used:
        return _make(kind, a, b, x.table, None, text, plain=True)
    column_used = x.name is not None and _same(x.table, y.table) and _uses_column(y, x.name)
    if x.kind in {"drop_column", "rename_column"} and x.table and column_used:
        return _make(kind, a, b, x.table, x.name, text, plain=True)
    return None


def _uses_column(op: Operation, column: str) -> bool:
    if any(_same(column, name) for name in op.columns):
        return True
    if op.sql is not None:
        return re.search(rf"(?<![\w$]){re.escape(column)}(?![\w$])", op.sql, re.IGNORECASE) is not None
    return False


def _make(kind: str, a: _Entry, b: _Entry, table: str, column: str | None, text: str, *,
          name: str | None = None, plain: bool = False) -> Conflict:
    message = text if plain else f"{text}: {a.where} and {b.where}"
    return Conflict(
        kind=kind, table=table, column=column,
        revisions=((a.revision.id, a.op.line), (b.revision.id, b.op.line)),
        message=message, paths=(a.revision.path, b.revision.path), name=name,
    )
