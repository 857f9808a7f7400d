"""The SQL that an `execute` runs: whether it changes the schema, the data or neither, and the table it
names, read from literal text, f-string templates and SQLAlchemy DDL constructs."""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping

from ahq_history.core.opexpr import last_name, string_value
from ahq_history.core.ops import Effect


def sql_template(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> str | None:
    """An f-string's text with `{}` where values go, e.g. `ALTER TABLE "{}" DROP CONSTRAINT {}`."""
    if isinstance(expr, ast.Name) and expr.id in names:
        expr = names[expr.id]
    if isinstance(expr, ast.Call) and last_name(expr.func) == "text" and expr.args:
        expr = expr.args[0]
    if not isinstance(expr, ast.JoinedStr):
        return None
    return "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in expr.values)


def is_ddl_construct(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> bool:
    """`sa.schema.DropSequence(...)`, `CreateTable(...)`, `AddConstraint(...)`, `DDL(...)` and the like."""
    if isinstance(expr, ast.Name) and expr.id in names:
        expr = names[expr.id]
    if not isinstance(expr, ast.Call):
        return False
    name = last_name(expr.func) or ""
    return name == "DDL" or re.fullmatch(r"(Create|Drop|Add|Set)[A-Z]\w*", name) is not None


def embedded_sql(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> str | None:
    """The literal of a `sa.text("...")` inside a chain such as `sa.text("...").bindparams(...)`."""
    for node in ast.walk(expr) if expr is not None else ():
        if isinstance(node, ast.Call) and last_name(node.func) == "text" and node.args:
            return string_value(node.args[0], names)
    return None


_DDL_VERBS = frozenset({"CREATE", "ALTER", "DROP", "COMMENT", "RENAME", "GRANT", "REVOKE"})
# Statements that neither define nor change rows in a way we can name (a `DO $$ ... $$` block is code).
_OTHER_VERBS = frozenset({"COMMIT", "BEGIN", "START", "SET", "PRAGMA", "ANALYZE", "VACUUM", "LOCK", "SELECT",
                          "DO"})
_SQL_TABLE = re.compile(
    r"""^(?:UPDATE(?:\s+ONLY)?|INSERT\s+INTO|DELETE\s+FROM|REPLACE\s+INTO|MERGE\s+INTO|TRUNCATE(?:\s+TABLE)?
        |ALTER\s+TABLE(?:\s+IF\s+EXISTS)?(?:\s+ONLY)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?
        |CREATE\s+(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?TABLE(?:\s+IF\s+NOT\s+EXISTS)?
        |CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?:CONCURRENTLY\s+)?(?:IF\s+NOT\s+EXISTS\s+)?\S+\s+ON(?:\s+ONLY)?)
        \s+(?P<table>(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+)(?:\.(?:"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+))?)""",
    re.IGNORECASE | re.VERBOSE,
)
_SQL_COMMENT = re.compile(r"^\s*(?:--[^\n]*\n|/\*.*?\*/)", re.DOTALL)


def sql_effect(sql: str) -> tuple[Effect, str | None]:
    """Whether a statement changes the schema, the data or neither, and the table it names when simple."""
    text = sql
    while (match := _SQL_COMMENT.match(text)) is not None:
        text = text[match.end():]
    text = text.strip()
    verb = text.split(None, 1)[0].upper() if text else ""
    effect: Effect = "data"
    if verb in _DDL_VERBS:
        effect = "schema"
    elif verb in _OTHER_VERBS or not verb:
        effect = "other"
    found = _SQL_TABLE.match(text)
    table = None
    if found is not None:
        table = ".".join(part.strip('"`[]') for part in re.findall(
            r'"[^"]+"|`[^`]+`|\[[^\]]+\]|[\w$]+', found.group("table")))
    return effect, table
