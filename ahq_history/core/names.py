"""Static evaluation of a revision variable that is not a plain literal, following names as Python would
bind them, without running anything (standard library only).

What is followed: module-level constants of the revision file (bound before the assignment), names
imported from modules of the project (`from app.db import migration` then `migration.EXPAND_BRANCH`,
`from x import Y`, `import a.b as m`, `from x import *`), tuples and lists mixing literals and names, and
`'a' + B` of two strings. Other modules come as text from a `ModuleSource` callback (the config layer reads
the files); each is parsed once per `Names`. What cannot be followed is given back as the source of the
expression, and the literal parts of a tuple or list are kept.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from ahq_history.core.pyparse import parse_quietly

# dotted module name -> (its source text, True when it is a package's `__init__.py`); None when not found
ModuleSource = Callable[[str], "tuple[str, bool] | None"]
# a revision file's path (as given to the reader) -> the module namespace Python gives running it; None
# when it cannot be run. Only `--exec-unresolved` supplies one (config/modules.py).
RunFile = Callable[[str], "Mapping[str, object] | None"]

_MAX_DEPTH = 24  # names leading to names; a cycle (A = B, B = A) stops here
_MISSING = object()  # a module has no such name (None is a value: `depends_on = None`)


@dataclass(frozen=True)
class _Module:
    """A module as a value (`import a.b as m`): only its attributes can be used."""

    name: str


class _Unknown(NamedTuple):
    source: str  # the expression that could not be followed


class Evaluated(NamedTuple):
    value: object  # None when nothing could be read
    unresolved: tuple[str, ...] = ()  # the sources of the parts that could not be followed


class Scope:
    """Names bound at a module's top level, in statement order (`add` one statement at a time)."""

    def __init__(self, module: str = "", package: str = "") -> None:
        self.module = module  # dotted name of the module ("" for the revision file)
        self.package = package  # the package relative imports start from
        # ("value", expr) for `X = expr`, ("from", module, name) for `from module import name`,
        # ("module", dotted) for `import dotted as X`
        self.bindings: dict[str, tuple[object, ...]] = {}
        self.stars: list[str] = []  # modules of `from m import *`, latest first

    def add(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.bindings[target.id] = ("value", node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            self.bindings[node.target.id] = ("value", node.value)
        elif isinstance(node, ast.ImportFrom):
            self._add_from(node)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    self.bindings[alias.asname] = ("module", alias.name)
                else:
                    top = alias.name.partition(".")[0]
                    self.bindings[top] = ("module", top)

    def _add_from(self, node: ast.ImportFrom) -> None:
        base = self._absolute(node.module or "", node.level)
        if base is None:
            return
        for alias in node.names:
            if alias.name == "*":
                self.stars.insert(0, base)
            else:
                self.bindings[alias.asname or alias.name] = ("from", base, alias.name)

    def _absolute(self, module: str, level: int) -> str | None:
        if level == 0:
            return module
        parts = self.package.split(".") if self.package else []
        if level - 1 > len(parts) or not self.package:
            return None  # a relative import of the revision file itself: its package is not known
        parts = parts[:len(parts) - (level - 1)]
        return ".".join([*parts, module] if module else parts)


class Names:
    """Evaluates expressions in a revision file's scope; other modules are read once each. `run_file`,
    when given, is the last resort for a file whose values could not all be read (`--exec-unresolved`)."""

    def __init__(self, source: ModuleSource | None = None, run_file: RunFile | None = None) -> None:
        self._source = source
        self.run_file = run_file
        self._modules: dict[str, Scope | None] = {}

    def evaluate(self, node: ast.expr, scope: Scope) -> Evaluated:
        value = self._value(node, scope, 0)
        if isinstance(value, _Module):
            value = _unknown(node)  # a module is not a value Alembic can use
        if isinstance(value, _Unknown):
            return Evaluated(None, (value.source,))
        if isinstance(value, list | tuple):
            unknown = tuple(item.source for item in value if isinstance(item, _Unknown))
            kept = [item for item in value if not isinstance(item, _Unknown)]
            return Evaluated(kept if isinstance(value, list) else tuple(kept), unknown)
        return Evaluated(value)

    def _value(self, node: ast.expr, scope: Scope, depth: int) -> object:
        if depth > _MAX_DEPTH:
            return _unknown(node)
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Tuple | ast.List):
            items = [self._scalar(item, scope, depth + 1) for item in node.elts]
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            left, right = (self._scalar(side, scope, depth + 1) for side in (node.left, node.right))
            return left + right if isinstance(left, str) and isinstance(right, str) else _unknown(node)
        if isinstance(node, ast.Name):
            found = self._name(node.id, scope, depth + 1)
            return _unknown(node) if isinstance(found, _Unknown) else found
        if isinstance(node, ast.Attribute):
            owner = self._value(node.value, scope, depth + 1)
            found = self._attribute(owner, node.attr, depth + 1) if isinstance(owner, _Module) else _MISSING
            return _unknown(node) if found is _MISSING or isinstance(found, _Unknown) else found
        return _unknown(node)

    def _scalar(self, node: ast.expr, scope: Scope, depth: int) -> object:
        """An item of a tuple or list, or a side of `+`: a module or a collection there is not usable."""
        value = self._value(node, scope, depth)
        return _unknown(node) if isinstance(value, _Module | list | tuple) else value

    def _name(self, name: str, scope: Scope, depth: int) -> object:
        binding = scope.bindings.get(name)
        if binding is None:
            for star in scope.stars:
                found = self._attribute(_Module(star), name, depth)
                if found is not _MISSING:
                    return found
            return _Unknown(name)
        kind = binding[0]
        if kind == "value":
            node = binding[1]
            assert isinstance(node, ast.expr)
            return self._value(node, scope, depth)
        if kind == "module":
            return _Module(str(binding[1]))
        found = self._attribute(_Module(str(binding[1])), str(binding[2]), depth)
        return _Unknown(name) if found is _MISSING else found

    def _attribute(self, owner: _Module, name: str, depth: int) -> object:
        """`owner.name`: a top-level name of the module, else its submodule; `_MISSING` when neither."""
        scope = self.module(owner.name)
        if scope is not None and (name in scope.bindings or scope.stars):
            found = self._name(name, scope, depth + 1)
            if not isinstance(found, _Unknown) or name in scope.bindings:
                return found
        submodule = f"{owner.name}.{name}"
        return _Module(submodule) if self.module(submodule) is not None else _MISSING

    def module(self, dotted: str) -> Scope | None:
        """The top-level scope of module `dotted`, parsed once; None when it cannot be found or parsed."""
        if dotted in self._modules:
            return self._modules[dotted]
        self._modules[dotted] = None  # a module importing itself stops here
        found = self._source(dotted) if self._source is not None and dotted else None
        tree = _parse(found[0]) if found is not None else None
        if tree is None or found is None:
            return None
        package = dotted if found[1] else dotted.rpartition(".")[0]
        scope = Scope(dotted, package)
        for node in tree.body:
            scope.add(node)
        self._modules[dotted] = scope
        return scope


def module_scope(body: Iterable[ast.stmt]) -> Scope:
    """The scope a whole module's top level binds (for tests and callers that need no statement order)."""
    scope = Scope()
    for node in body:
        scope.add(node)
    return scope


def _parse(text: str) -> ast.Module | None:
    try:
        return parse_quietly(text)  # a module's odd escapes are not ours to warn about
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _unknown(node: ast.expr) -> _Unknown:
    try:
        return _Unknown(ast.unparse(node))
    except RecursionError:
        return _Unknown("(an expression nested too deeply to show)")
