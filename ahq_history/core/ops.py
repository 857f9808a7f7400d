"""What `upgrade()` and `downgrade()` do, read statically from `op.*` calls (standard library `ast` only).

Nothing is executed: the revision file's text is parsed and every Alembic operation call is listed with its
kind, table, object name and absolute line. Kinds follow Alembic's own operation names, one kind per
operation (`create_unique_constraint`, `create_foreign_key`, ... rather than one "create_constraint"), so a
reader can look the kind up in Alembic's documentation:

- tables: `create_table`, `drop_table`, `rename_table`, `create_table_comment`, `drop_table_comment`
- columns: `add_column`, `drop_column`, `alter_column`, and `rename_column` (an `alter_column` that gives
  `new_column_name`)
- indexes: `create_index`, `drop_index`
- constraints: `create_unique_constraint`, `create_foreign_key`, `create_check_constraint`,
  `create_primary_key`, `create_exclude_constraint`, `drop_constraint`
- data: `execute` (also `conn.execute(...)` on a name bound to `op.get_bind()` or to a `Session`) and
  `bulk_insert`
- `other`: any other `op.*` call (custom operations, `op.invoke`, ...), kept with its line, never dropped.

Calls on the alias of a `with op.batch_alter_table("t") as batch_op:` block are operations on table "t".
Module-level helper functions called from `upgrade()` / `downgrade()` are followed, and the multi-database
template's `upgrade_<engine>()` functions count as `upgrade()`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

Effect = Literal["schema", "data", "other"]
FunctionName = Literal["upgrade", "downgrade"]

COLUMN_KINDS = frozenset({"add_column", "drop_column", "alter_column", "rename_column"})
CONSTRAINT_KINDS = frozenset({
    "create_unique_constraint", "create_foreign_key", "create_check_constraint", "create_primary_key",
    "create_exclude_constraint",
})
DATA_KINDS = frozenset({"execute", "bulk_insert"})

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
# `op.*` helpers that build arguments or give access to the connection; they change nothing themselves.
_HELPERS = frozenset({"f", "inline_literal", "get_bind", "get_context", "implementation_for",
                      "register_operation", "batch_alter_table", "run_async"})
_EXECUTORS = frozenset({"execute", "exec_driver_sql"})


@dataclass(frozen=True)
class Operation:
    """One operation of `upgrade()` or `downgrade()`.

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


def read_operations(source: str) -> Operations:
    """List the operations of `upgrade()` and `downgrade()` in a revision file's text, without running it."""
    try:
        module = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        line = getattr(error, "lineno", None)
        return Operations(error=f"the file does not parse: {getattr(error, 'msg', error)}", error_line=line)
    try:
        return _read_module(module)
    except RecursionError:
        return Operations(error="the file is nested too deeply to be read")


def _read_module(module: ast.Module) -> Operations:
    reader = _ModuleReader(module)
    up_defs = reader.entry_points("upgrade")
    down_defs = reader.entry_points("downgrade")
    return Operations(
        upgrade=tuple(op for fn in up_defs for op in reader.read(fn, "upgrade")),
        downgrade=tuple(op for fn in down_defs for op in reader.read(fn, "downgrade")),
        upgrade_line=up_defs[0].lineno if up_defs else None,
        downgrade_line=down_defs[0].lineno if down_defs else None,
        upgrade_empty=all(_is_empty(fn) for fn in up_defs),
        downgrade_empty=all(_is_empty(fn) for fn in down_defs),
    )


_FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef


def _is_empty(fn: _FunctionDef) -> bool:
    return all(
        isinstance(stmt, ast.Pass)
        or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
        for stmt in fn.body
    )


@dataclass
class _Scope:
    """What the walker knows inside one function: batch aliases and names bound to a connection."""

    function: FunctionName
    names: Mapping[str, ast.expr]
    batch: dict[str, str | None] = field(default_factory=dict)
    executors: set[str] = field(default_factory=set)


class _ModuleReader:
    """Walks a parsed revision module; one instance per file."""

    def __init__(self, module: ast.Module) -> None:
        self.functions: dict[str, _FunctionDef] = {
            node.name: node for node in module.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        }
        self.op_names = {"op"} | _op_aliases(module)
        self.module_names = _assignments(module.body)

    def entry_points(self, name: FunctionName) -> list[_FunctionDef]:
        """`upgrade()` itself, else the multi-database template's `upgrade_<engine>()` functions."""
        if name in self.functions:
            return [self.functions[name]]
        return [fn for key, fn in self.functions.items() if key.startswith(f"{name}_")]

    def read(self, fn: _FunctionDef, function: FunctionName) -> list[Operation]:
        seen: set[str] = {fn.name}
        return list(self._function(fn, function, seen))

    def _function(self, fn: _FunctionDef, function: FunctionName, seen: set[str]) -> Iterator[Operation]:
        names = {**self.module_names, **_assignments(ast.walk(fn))}
        scope = _Scope(function, names)
        scope.executors.update(key for key, value in names.items() if self._binds_connection(value))
        for stmt in fn.body:
            yield from self._node(stmt, scope, seen)

    def _node(self, node: ast.AST, scope: _Scope, seen: set[str]) -> Iterator[Operation]:
        if isinstance(node, (ast.With, ast.AsyncWith)):
            yield from self._with(node, scope, seen)
            return
        for child in ast.iter_child_nodes(node):
            yield from self._node(child, scope, seen)
        # Post-order: arguments run before the call that receives them.
        if isinstance(node, ast.Call):
            yield from self._call(node, scope, seen)

    def _with(self, node: ast.With | ast.AsyncWith, scope: _Scope, seen: set[str]) -> Iterator[Operation]:
        inner = _Scope(scope.function, scope.names, dict(scope.batch), set(scope.executors))
        for item in node.items:
            table = self._batch_table(item.context_expr, scope)
            if table is None:
                yield from self._node(item.context_expr, scope, seen)
            elif isinstance(item.optional_vars, ast.Name):
                inner.batch[item.optional_vars.id] = table[0]
        for stmt in node.body:
            yield from self._node(stmt, inner, seen)

    def _batch_table(self, expr: ast.expr, scope: _Scope) -> tuple[str | None] | None:
        """`(table,)` when `expr` is `op.batch_alter_table(...)`; the table is None when not a literal."""
        if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)):
            return None
        if expr.func.attr != "batch_alter_table" or not self._is_op(expr.func.value):
            return None
        args = _bind(expr, ("table_name", "schema"))
        return (_qualified(_string(args.get("table_name"), scope.names), args.get("schema"), scope.names),)

    def _call(self, call: ast.Call, scope: _Scope, seen: set[str]) -> Iterator[Operation]:
        func = call.func
        if isinstance(func, ast.Name) and func.id in self.functions and func.id not in seen:
            seen.add(func.id)  # a module-level helper called from upgrade()/downgrade(): follow it once
            yield from self._function(self.functions[func.id], scope.function, seen)
            return
        if not isinstance(func, ast.Attribute):
            return
        if self._is_op(func.value):
            if func.attr not in _HELPERS:
                yield _operation(func.attr, call, None, batch=False, scope=scope)
        elif isinstance(func.value, ast.Name) and func.value.id in scope.batch:
            if func.attr not in _HELPERS:
                yield _operation(func.attr, call, scope.batch[func.value.id], batch=True, scope=scope)
        elif func.attr in _EXECUTORS and self._is_executor(func.value, scope):
            yield _operation("execute", call, None, batch=False, scope=scope)

    def _is_op(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in self.op_names
        # `alembic.op.add_column(...)` after `import alembic`
        return isinstance(expr, ast.Attribute) and expr.attr == "op" and _dotted(expr.value) == "alembic"

    def _binds_connection(self, expr: ast.expr) -> bool:
        """`op.get_bind()`, `op.get_context().bind`, `Session(bind=...)`."""
        if isinstance(expr, ast.Attribute) and expr.attr in {"bind", "connection"}:
            expr = expr.value
        if not isinstance(expr, ast.Call):
            return False
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in {"get_bind", "get_context"}:
            return self._is_op(func.value)
        return _last_name(func) in {"Session", "sessionmaker"}

    def _is_executor(self, expr: ast.expr, scope: _Scope) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in scope.executors
        return self._binds_connection(expr)


def _op_aliases(module: ast.Module) -> set[str]:
    return {
        alias.asname or alias.name
        for node in ast.walk(module)
        if isinstance(node, ast.ImportFrom) and node.module == "alembic"
        for alias in node.names
        if alias.name == "op"
    }


def _assignments(nodes: Sequence[ast.AST] | Iterator[ast.AST]) -> dict[str, ast.expr]:
    """Simple `name = value` bindings, so that `op.execute(sql)` and `op.bulk_insert(users, ...)` can be
    followed to the literal or the `sa.table(...)` they name. The last binding in the text wins."""
    found: dict[str, ast.expr] = {}
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            found[node.targets[0].id] = node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            found[node.target.id] = node.value
    return found


def _bind(call: ast.Call, params: Sequence[str]) -> dict[str, ast.expr]:
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


def _dotted(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    if isinstance(expr, ast.Attribute):
        base = _dotted(expr.value)
        return None if base is None else f"{base}.{expr.attr}"
    return None


def _last_name(expr: ast.expr) -> str | None:
    if isinstance(expr, ast.Name):
        return expr.id
    return expr.attr if isinstance(expr, ast.Attribute) else None


def _string(expr: ast.expr | None, names: Mapping[str, ast.expr], depth: int = 0) -> str | None:
    """The text of a literal, of `op.f("...")` / `conv("...")` / `sa.text("...")` / `sa.DDL("...")`, of a
    name bound to one, or of `"a" + "b"`; None when the value is only known at run time."""
    if expr is None or depth > 8:
        return None
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, ast.Name) and expr.id in names:
        return _string(names[expr.id], names, depth + 1)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
        left, right = _string(expr.left, names, depth + 1), _string(expr.right, names, depth + 1)
        return None if left is None or right is None else left + right
    if isinstance(expr, ast.Call) and _last_name(expr.func) in {"f", "conv", "text", "DDL"} and expr.args:
        return _string(expr.args[0], names, depth + 1)
    return None


def _strings(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> tuple[str, ...]:
    """Literal names of a list/tuple argument (`["email"]`); items that are expressions are skipped."""
    if isinstance(expr, ast.Name) and expr.id in names:
        expr = names[expr.id]
    if isinstance(expr, (ast.List, ast.Tuple)):
        found = (_string(item, names) for item in expr.elts)
        return tuple(item for item in found if item is not None)
    single = _string(expr, names)
    return (single,) if single is not None else ()


def _qualified(table: str | None, schema: ast.expr | None, names: Mapping[str, ast.expr]) -> str | None:
    schema_name = _string(schema, names)
    return f"{schema_name}.{table}" if table and schema_name else table


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
        return _string(self.args.get(param), self.names)

    def make(self, **values: Any) -> Operation:
        return replace(Operation(self.kind, self.table, None, self.line, self.function), **values)


def _operation(
    kind: str, call: ast.Call, batch_table: str | None, *, batch: bool, scope: _Scope
) -> Operation:
    if kind not in _PARAMS or (batch and kind not in _BATCH_KINDS):
        return Operation("other", batch_table, None, call.lineno, scope.function,
                         detail=f"{'batch_op' if batch else 'op'}.{kind}(...)", effect="other")
    params = _PARAMS[kind]
    if batch:
        params = tuple(param for param in params if param not in _TABLE_PARAMS)
    args = _bind(call, params)
    table = batch_table
    if not batch:
        table_param = next((param for param in params if param in _TABLE_PARAMS), None)
        schema = args.get("schema", args.get("source_schema"))
        table = _qualified(_string(args.get(table_param or ""), scope.names), schema, scope.names)
    return _BUILDERS[kind](_Call(kind, args, table, call.lineno, scope.function, scope.names))


def _create_table(call: _Call) -> Operation:
    items = [value for key, value in call.args.items() if key.startswith("*")]
    columns = tuple(name for name in (_column_name(item, call.names) for item in items) if name)
    references = tuple(dict.fromkeys(ref for item in items for ref in _references(item, call.names)))
    return call.make(columns=columns, references=references, detail=f"{len(columns)} columns")


def _rename_table(call: _Call) -> Operation:
    new_name = _qualified(call.text("new_table_name"), call.args.get("schema"), call.names)
    return call.make(new_name=new_name, detail=f"{call.table or '?'} -> {new_name or '?'}")


def _add_column(call: _Call) -> Operation:
    column = call.args.get("column")
    name = _column_name(column, call.names) if column is not None else None
    references = tuple(_references(column, call.names)) if column is not None else ()
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
    return call.make(name=call.text("index_name"), columns=_strings(call.args.get("columns"), call.names),
                     detail=detail)


def _constraint(call: _Call) -> Operation:
    name = call.text("constraint_name")
    if call.kind == "create_foreign_key":
        referent = _qualified(call.text("referent_table"), call.args.get("referent_schema"), call.names)
        return call.make(name=name, columns=_strings(call.args.get("local_cols"), call.names),
                         references=(referent,) if referent else (), detail=f"-> {referent or '?'}")
    if call.kind == "create_check_constraint":
        condition = call.args.get("condition")
        return call.make(name=name, detail=_string(condition, call.names) or _source(condition))
    if call.kind == "drop_constraint":
        return call.make(name=name, detail=call.text("type_") or "")
    return call.make(name=name, columns=_strings(call.args.get("columns"), call.names))


def _comment(call: _Call) -> Operation:
    return call.make()


def _execute(call: _Call) -> Operation:
    expr = call.args.get("sqltext")
    sql = _string(expr, call.names) or _embedded_sql(expr, call.names)
    if sql is not None:
        effect, table = _sql_effect(sql)
        return call.make(table=table or call.table, sql=sql, effect=effect, detail=_shorten(sql))
    template = _template(expr, call.names)
    if template is not None:  # an f-string: its fixed words still say what kind of statement it is
        effect, table = _sql_effect(template)
        return call.make(table=call.table if table is None or "{" in table else table, effect=effect,
                         detail=_shorten(_source(expr)))
    if _is_ddl_construct(expr, call.names):
        return call.make(effect="schema", detail=_shorten(_source(expr)))
    # A SQLAlchemy statement: `users.update()...`, `sa.insert(users)`, or a value only known at run time.
    table, columns = _table_of(expr, call.names)
    detail = _shorten(_source(expr))
    return call.make(table=table or call.table, columns=columns, effect="data", detail=detail)


def _bulk_insert(call: _Call) -> Operation:
    table, columns = _table_of(call.args.get("table"), call.names)
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


def _column_name(expr: ast.expr, names: Mapping[str, ast.expr]) -> str | None:
    """The name of `sa.Column("name", ...)` (or `Column(..., name="name")`); None for anything else."""
    if not (isinstance(expr, ast.Call) and _last_name(expr.func) == "Column"):
        return None
    if expr.args:
        first = _string(expr.args[0], names)
        if first is not None:
            return first
    keyword = next((kw.value for kw in expr.keywords if kw.arg == "name"), None)
    return _string(keyword, names)


def _references(expr: ast.expr, names: Mapping[str, ast.expr]) -> Iterator[str]:
    """Tables that the foreign keys inside a column or constraint point to (`ForeignKey("users.id")`,
    `ForeignKeyConstraint(["user_id"], ["users.id"])`)."""
    for node in ast.walk(expr):
        if not isinstance(node, ast.Call):
            continue
        kind = _last_name(node.func)
        if kind == "ForeignKey" and node.args:
            targets: tuple[str, ...] = _strings(node.args[0], names)
        elif kind == "ForeignKeyConstraint" and len(node.args) > 1:
            targets = _strings(node.args[1], names)
        else:
            continue
        yield from (target.rsplit(".", 1)[0] for target in targets if "." in target)


def _table_of(expr: ast.expr | None, names: Mapping[str, ast.expr], depth: int = 0) -> tuple[
        str | None, tuple[str, ...]]:
    """The table (and its declared columns) that a table object or statement refers to: a name bound to
    `sa.table("t", sa.column("c"))`, `sa.Table(...)` or `op.create_table(...)`, `users.update()...`,
    `sa.insert(users)`."""
    if expr is None or depth > 8:
        return None, ()
    if isinstance(expr, ast.Name):
        return _table_of(names.get(expr.id), names, depth + 1)
    if isinstance(expr, ast.Attribute):
        return _table_of(expr.value, names, depth + 1)
    if not isinstance(expr, ast.Call):
        return None, ()
    func_name = _last_name(expr.func)
    if func_name in {"table", "Table", "create_table"} and expr.args:
        columns = (_column_name(arg, names) or _lower_column_name(arg, names) for arg in expr.args[1:])
        return _string(expr.args[0], names), tuple(c for c in columns if c)
    if func_name in {"insert", "update", "delete"} and expr.args and not isinstance(expr.func, ast.Attribute):
        return _table_of(expr.args[0], names, depth + 1)
    if isinstance(expr.func, ast.Attribute):  # a method chain: `users.update().where(...).values(...)`
        if func_name in {"insert", "update", "delete"} and expr.args \
                and _dotted(expr.func.value) in {"sa", "sqlalchemy"}:
            return _table_of(expr.args[0], names, depth + 1)
        return _table_of(expr.func.value, names, depth + 1)
    return None, ()


def _template(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> str | None:
    """An f-string's text with `{}` where values go, e.g. `ALTER TABLE "{}" DROP CONSTRAINT {}`."""
    if isinstance(expr, ast.Name) and expr.id in names:
        expr = names[expr.id]
    if isinstance(expr, ast.Call) and _last_name(expr.func) == "text" and expr.args:
        expr = expr.args[0]
    if not isinstance(expr, ast.JoinedStr):
        return None
    return "".join(str(part.value) if isinstance(part, ast.Constant) else "{}" for part in expr.values)


def _is_ddl_construct(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> bool:
    """`sa.schema.DropSequence(...)`, `CreateTable(...)`, `AddConstraint(...)`, `DDL(...)` and the like."""
    if isinstance(expr, ast.Name) and expr.id in names:
        expr = names[expr.id]
    if not isinstance(expr, ast.Call):
        return False
    name = _last_name(expr.func) or ""
    return name == "DDL" or re.fullmatch(r"(Create|Drop|Add|Set)[A-Z]\w*", name) is not None


def _embedded_sql(expr: ast.expr | None, names: Mapping[str, ast.expr]) -> str | None:
    """The literal of a `sa.text("...")` inside a chain such as `sa.text("...").bindparams(...)`."""
    for node in ast.walk(expr) if expr is not None else ():
        if isinstance(node, ast.Call) and _last_name(node.func) == "text" and node.args:
            return _string(node.args[0], names)
    return None


def _lower_column_name(expr: ast.expr, names: Mapping[str, ast.expr]) -> str | None:
    if isinstance(expr, ast.Call) and _last_name(expr.func) == "column" and expr.args:
        return _string(expr.args[0], names)
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


def _sql_effect(sql: str) -> tuple[Effect, str | None]:
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


def _source(expr: ast.expr | None) -> str:
    return "" if expr is None else ast.unparse(expr)


def _shorten(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


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
