"""Values read out of `ast` expressions without running them: literal strings (through names,
`op.f()`, `+`), dotted names, column names, the tables that foreign keys point to, the table a statement
or table object refers to."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping


def dotted_name(expr: ast.expr) -> str | None:
    """`a.b.c` for a name or an attribute chain; None when the chain starts with anything else."""
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = dotted_name(expr.value)
        return None if base is None else f"{base}.{expr.attr}"
    return None


def last_name(expr: ast.expr) -> str | None:
    """The last part of a name or an attribute (`Column` of `sa.Column`); None for anything else."""
    if isinstance(expr, ast.Name):
        return expr.id
    return expr.attr if isinstance(expr, ast.Attribute) else None


def string_value(expr: ast.expr | None, names: Mapping[str, ast.expr], depth: int = 0) -> str | None:
    """The text of a literal, of `op.f("...")` / `conv("...")` / `sa.text("...")` / `sa.DDL("...")`, of a
    name bound to one, or of `"a" + "b"`; None when the value is only known at run time."""
    if expr is None or depth > 8:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name) and expr.id in names:
        return string_value(names[expr.id], names, depth + 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = string_value(expr.left, names, depth + 1), string_value(expr.right, names, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(expr, ast.Call) and last_name(expr.func) in {"f", "conv", "text", "DDL"} and expr.args:
        return string_value(expr.args[0], names, depth + 1)
    return None


def string_values(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> tuple[str, ...]:
    """Literal names of a list/tuple argument (`["email"]`); items that are expressions are skipped."""
    if isinstance(expr, ast.Name) and expr.id in names:
        expr = names[expr.id]
    if isinstance(expr, (ast.List, ast.Tuple)):
        found = (string_value(item, names) for item in expr.elts)
        return tuple(item for item in found if item is not None)
    single = string_value(expr, names)
    return (single,) if single is not None else ()


def qualified(table: str | None, schema: ast.expr | None, names: Mapping[str, ast.expr]) -> str | None:
    """`schema.table` when the schema is known, else the table."""
    schema_name = string_value(schema, names)
    return f"{schema_name}.{table}" if table and schema_name else table


def column_name(expr: ast.expr, names: Mapping[str, ast.expr]) -> str | None:
    """The name of `sa.Column("name", ...)` (or `Column(..., name="name")`); None for anything else."""
    if not (isinstance(expr, ast.Call) and last_name(expr.func) == "Column"):
        return None
    if expr.args:
        first = string_value(expr.args[0], names)
        if first is not None:
            return first
    keyword = next((kw.value for kw in expr.keywords if kw.arg == "name"), None)
    return string_value(keyword, names)


def referenced_tables(expr: ast.expr, names: Mapping[str, ast.expr]) -> Iterator[str]:
    """Tables that the foreign keys inside a column or constraint point to (`ForeignKey("users.id")`,
    `ForeignKeyConstraint(["user_id"], ["users.id"])`)."""
    for node in ast.walk(expr):
        if not isinstance(node, ast.Call):
            continue
        kind = last_name(node.func)
        if kind == "ForeignKey" and node.args:
            targets: tuple[str, ...] = string_values(node.args[0], names)
        elif kind == "ForeignKeyConstraint" and len(node.args) > 1:
            targets = string_values(node.args[1], names)
        else:
            continue
        yield from (target.rsplit(".", 1)[0] for target in targets if "." in target)


def table_of(expr: ast.expr | None, names: Mapping[str, ast.expr], depth: int = 0) -> tuple[
        str | None, tuple[str, ...]]:
    """The table (and its declared columns) that a table object or statement refers to: a name bound to
    `sa.table("t", sa.column("c"))`, `sa.Table(...)` or `op.create_table(...)`, `users.update()...`,
    `sa.insert(users)`."""
    if expr is None or depth > 8:
        return None, ()
    if isinstance(expr, ast.Name):
        return table_of(names.get(expr.id), names, depth + 1)
    if isinstance(expr, ast.Attribute):
        return table_of(expr.value, names, depth + 1)
    if not isinstance(expr, ast.Call):
        return None, ()
    func_name = last_name(expr.func)
    if func_name in {"table", "Table", "create_table"} and expr.args:
        columns = (column_name(arg, names) or _lower_column_name(arg, names) for arg in expr.args[1:])
        return string_value(expr.args[0], names), tuple(c for c in columns if c)
    if func_name in {"insert", "update", "delete"} and expr.args and not isinstance(expr.func, ast.Attribute):
        return table_of(expr.args[0], names, depth + 1)
    if isinstance(expr.func, ast.Attribute):  # a method chain: `users.update().where(...).values(...)`
        if func_name in {"insert", "update", "delete"} and expr.args \
                and dotted_name(expr.func.value) in {"sa", "sqlalchemy"}:
            return table_of(expr.args[0], names, depth + 1)
        return table_of(expr.func.value, names, depth + 1)
    return None, ()


def _lower_column_name(expr: ast.expr, names: Mapping[str, ast.expr]) -> str | None:
    if isinstance(expr, ast.Call) and last_name(expr.func) == "column" and expr.args:
        return string_value(expr.args[0], names)
    return None


def source_of(expr: ast.expr | None) -> str:
    """The expression as source text (empty for None), for details shown to a reader."""
    return "" if expr is None else ast.unparse(expr)
