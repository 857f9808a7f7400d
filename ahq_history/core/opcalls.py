"""One recognised `op.<kind>(...)` call turned into an `Operation`: its arguments bound to Alembic's
parameter names, then read by one builder per kind."""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ahq_history.core.opexpr import (
    column_name,
    qualified,
    referenced_tables,
    source_of,
    string_value,
    string_values,
    table_of,
)
from ahq_history.core.ops import CONSTRAINT_KINDS, FunctionName, Operation
from ahq_history.core.opsql import embedded_sql, is_ddl_construct, sql_effect, sql_template

# Positional parameters of each `op.<kind>(...)`, as Alembic declares them. The batch form of a call omits
# the table parameter (the block names the table).
_PARAMS: dict[str, tuple[str, ...]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "rename_table": ("old_table_name", "new_table_name"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "create_foreign_key": ("constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
}
_TABLE_PARAMS = frozenset({"table_name", "source_table", "old_table_name"})
_BATCH_KINDS = frozenset(_PARAMS) - {"create_table", "drop_table", "rename_table", "bulk_insert"}


def bind_arguments(call: ast.Call, params: Sequence[str]) -> dict[str, ast.expr]:
    """Map a call's arguments to parameter names; positional arguments beyond `params` are `*N` keys."""
    bound: dict[str, ast.expr] = {}
    for index, arg in enumerate(call.args):
        if isinstance(arg, ast.Starred):
            break
        key = params[index] if index < len(params) else f"*{index - len(params)}"
        bound[key] = arg
    for keyword in call.keywords:
        if keyword.arg is not None:
            bound[keyword.arg] = keyword.value
    return bound


@dataclass(frozen=True)
class _Call:
    """One recognised `op.<kind>(...)` call with its arguments bound to Alembic's parameter names."""

    kind: str
    args: Mapping[str, ast.expr]
    table: str | None
    line: int
    function: FunctionName
    names: Mapping[str, ast.expr]

    def text(self, param: str) -> str | None:
        return string_value(self.args.get(param), self.names)

    def make(self, **values: Any) -> Operation:
        return replace(Operation(self.kind, self.table, None, self.line, self.function), **values)


def operation(
    kind: str, call: ast.Call, batch_table: str | None, function: FunctionName, names: Mapping[str, ast.expr],
    *, batch: bool,
) -> Operation:
    """The operation of an `op.<kind>(...)` call (a `batch_op.<kind>(...)` one when `batch`), read with the
    `name = value` bindings in `names`; a kind that Alembic does not declare is an `other` operation."""
    if kind not in _PARAMS or (batch and kind not in _BATCH_KINDS):
        return Operation("other", batch_table, None, call.lineno, function,
                         detail=f"{'batch_op' if batch else 'op'}.{kind}(...)", effect="other")
    params = _PARAMS[kind]
    if batch:
        params = tuple(param for param in params if param not in _TABLE_PARAMS)
    args = bind_arguments(call, params)
    table = batch_table
    if not batch:
        table_param = next((param for param in params if param in _TABLE_PARAMS), None)
        schema = args.get("schema", args.get("source_schema"))
        table = qualified(string_value(args.get(table_param or ""), names), schema, names)
    return _BUILDERS[kind](_Call(kind, args, table, call.lineno, function, names))


def _create_table(call: _Call) -> Operation:
    items = [value for key, value in call.args.items() if key.startswith("*")]
    columns = tuple(name for name in (column_name(item, call.names) for item in items) if name)
    references = tuple(dict.fromkeys(ref for item in items for ref in referenced_tables(item, call.names)))
    return call.make(columns=columns, references=references, detail=f"{len(columns)} columns")


def _rename_table(call: _Call) -> Operation:
    new_name = qualified(call.text("new_table_name"), call.args.get("schema"), call.names)
    return call.make(new_name=new_name, detail=f"{call.table or '?'} -> {new_name or '?'}")


def _add_column(call: _Call) -> Operation:
    column = call.args.get("column")
    name = column_name(column, call.names) if column is not None else None
    references = tuple(referenced_tables(column, call.names)) if column is not None else ()
    return call.make(name=name, columns=(name,) if name else (), references=references)


def _drop_column(call: _Call) -> Operation:
    name = call.text("column_name")
    return call.make(name=name, columns=(name,) if name else ())


def _alter_column(call: _Call) -> Operation:
    name = call.text("column_name")
    plain = {"table_name", "column_name", "schema", "new_column_name"}
    changes = [key for key in call.args if key not in plain and not key.startswith("existing_")]
    new_name = call.text("new_column_name")
    if "new_column_name" in call.args:
        return call.make(kind="rename_column", name=name, columns=(name,) if name else (), new_name=new_name,
                         detail=f"{name or '?'} -> {new_name or '?'}")
    return call.make(name=name, columns=(name,) if name else (), detail=", ".join(changes))


def _index(call: _Call) -> Operation:
    unique = call.args.get("unique")
    detail = "unique" if isinstance(unique, ast.Constant) and unique.value is True else ""
    columns = string_values(call.args.get("columns"), call.names)
    return call.make(name=call.text("index_name"), columns=columns, detail=detail)


def _constraint(call: _Call) -> Operation:
    name = call.text("constraint_name")
    if call.kind == "create_foreign_key":
        referent = qualified(call.text("referent_table"), call.args.get("referent_schema"), call.names)
        return call.make(name=name, columns=string_values(call.args.get("local_cols"), call.names),
                         references=(referent,) if referent else (), detail=f"-> {referent or '?'}")
    if call.kind == "create_check_constraint":
        condition = call.args.get("condition")
        return call.make(name=name, detail=string_value(condition, call.names) or source_of(condition))
    if call.kind == "drop_constraint":
        return call.make(name=name, detail=call.text("type_") or "")
    return call.make(name=name, columns=string_values(call.args.get("columns"), call.names))


def _comment(call: _Call) -> Operation:
    return call.make()


def _execute(call: _Call) -> Operation:
    expr = call.args.get("sqltext")
    sql = string_value(expr, call.names) or embedded_sql(expr, call.names)
    if sql is not None:
        effect, table = sql_effect(sql)
        return call.make(table=table or call.table, sql=sql, effect=effect, detail=_shorten(sql))
    template = sql_template(expr, call.names)
    if template is not None:  # an f-string: its fixed words still say what kind of statement it is
        effect, table = sql_effect(template)
        return call.make(table=call.table if table is None or "{" in table else table, effect=effect,
                         detail=_shorten(source_of(expr)))
    if is_ddl_construct(expr, call.names):
        return call.make(effect="schema", detail=_shorten(source_of(expr)))
    # A SQLAlchemy statement: `users.update()...`, `sa.insert(users)`, or a value only known at run time.
    table, columns = table_of(expr, call.names)
    detail = _shorten(source_of(expr))
    return call.make(table=table or call.table, columns=columns, effect="data", detail=detail)


def _bulk_insert(call: _Call) -> Operation:
    table, columns = table_of(call.args.get("table"), call.names)
    rows = call.args.get("rows")
    if isinstance(rows, ast.Name) and rows.id in call.names:
        rows = call.names[rows.id]
    if isinstance(rows, (ast.List, ast.Tuple)):
        keys = (key for row in rows.elts if isinstance(row, ast.Dict) for key in row.keys)
        columns = tuple(dict.fromkeys([*columns, *(k.value for k in keys if isinstance(k, ast.Constant)
                                                   and isinstance(k.value, str))]))
    return call.make(table=table, columns=columns, effect="data",
                     detail=f"{len(rows.elts)} rows" if isinstance(rows, (ast.List, ast.Tuple)) else "")


_BUILDERS = {
    "create_table": _create_table, "drop_table": _comment, "rename_table": _rename_table,
    "create_table_comment": _comment, "drop_table_comment": _comment,
    "add_column": _add_column, "drop_column": _drop_column, "alter_column": _alter_column,
    "create_index": _index, "drop_index": _index,
    **{kind: _constraint for kind in (*CONSTRAINT_KINDS, "drop_constraint")},
    "execute": _execute, "bulk_insert": _bulk_insert,
}


def _shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."
