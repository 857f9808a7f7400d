"""What `upgrade()` and `downgrade()` do, read statically from the `op.*` calls in a revision file's text
(standard library `ast`, nothing executed). Calls on the alias of `with op.batch_alter_table("t") as
batch_op:` are operations on table "t"; `conn.execute(...)` on a name bound to `op.get_bind()` or a
`Session` is an `execute`; module-level helper functions called from `upgrade()` / `downgrade()` are
followed, and the multi-database template's `upgrade_<engine>()` functions count as `upgrade()`."""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from ahq_history.core.opcalls import bind_arguments, operation
from ahq_history.core.opexpr import dotted_name, last_name, qualified, string_value
from ahq_history.core.ops import FunctionName, Operation, Operations
from ahq_history.core.pyparse import parse_quietly

# `op.*` helpers that build arguments or give access to the connection; they change nothing themselves.
_HELPERS = frozenset({"f", "inline_literal", "get_bind", "get_context", "implementation_for",
                      "register_operation", "batch_alter_table", "run_async"})
_EXECUTORS = frozenset({"execute", "exec_driver_sql"})


def read_operations(source: str) -> Operations:
    """List the operations of `upgrade()` and `downgrade()` in a revision file's text, without running it."""
    try:
        module = parse_quietly(source)
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
        args = bind_arguments(expr, ("table_name", "schema"))
        table = string_value(args.get("table_name"), scope.names)
        return (qualified(table, args.get("schema"), scope.names),)

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
                yield operation(func.attr, call, None, scope.function, scope.names, batch=False)
        elif isinstance(func.value, ast.Name) and func.value.id in scope.batch:
            if func.attr not in _HELPERS:
                table = scope.batch[func.value.id]
                yield operation(func.attr, call, table, scope.function, scope.names, batch=True)
        elif func.attr in _EXECUTORS and self._is_executor(func.value, scope):
            yield operation("execute", call, None, scope.function, scope.names, batch=False)

    def _is_op(self, expr: ast.expr) -> bool:
        if isinstance(expr, ast.Name):
            return expr.id in self.op_names
        # `alembic.op.add_column(...)` after `import alembic`
        return isinstance(expr, ast.Attribute) and expr.attr == "op" and dotted_name(expr.value) == "alembic"

    def _binds_connection(self, expr: ast.expr) -> bool:
        """`op.get_bind()`, `op.get_context().bind`, `Session(bind=...)`."""
        if isinstance(expr, ast.Attribute) and expr.attr in {"bind", "connection"}:
            expr = expr.value
        if not isinstance(expr, ast.Call):
            return False
        func = expr.func
        if isinstance(func, ast.Attribute) and func.attr in {"get_bind", "get_context"}:
            return self._is_op(func.value)
        return last_name(func) in {"Session", "sessionmaker"}

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
