"""Where a project's `env.py` takes its database connection from, read from its text with `ast` (pure:
text in, a value out; env.py is never imported or run).

Alembic's own templates read the URL from the configuration (`config.get_main_option("sqlalchemy.url")`,
`engine_from_config(config.get_section(...))`); Flask-Migrate's take the engine from the application
(`current_app`, its `get_engine()`); others read an environment variable. Only the first names a database
the tool can read too: for the others the ini's `sqlalchemy.url`, when there is one, is not the database
that `upgrade` runs against.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Literal

from ahq_history.core.pyparse import parse_quietly

ConnectionKind = Literal["config", "app", "environment", "unset", "elsewhere"]

_APP_NAMES = frozenset({"current_app", "get_engine", "get_engine_url", "create_app"})
_APP_MODULES = ("flask", "flask_migrate", "flask_sqlalchemy")
_CONFIG_CALLS = frozenset({"get_main_option", "get_section", "get_section_option", "engine_from_config",
                           "async_engine_from_config"})


@dataclass(frozen=True)
class EnvConnection:
    """`kind`: config (the ini's URL), app (the application's engine), environment (`variable`, set here,
    holds a URL), unset (`variable` is read without a default and is not set here), elsewhere (env.py says
    nothing we can follow). `detail` says it in words."""

    kind: ConnectionKind
    detail: str
    variable: str | None = None


def env_connection(text: str, environ: Mapping[str, str]) -> EnvConnection:
    """Where the env.py whose source is `text` connects, given the environment `environ`."""
    try:
        tree = parse_quietly(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # NUL bytes, absurd nesting
        return EnvConnection("elsewhere", "env.py does not parse")
    app = sorted(_app_uses(tree))
    if app:
        return EnvConnection("app", f"env.py takes its connection from the application ({', '.join(app)})")
    variables = list(_variables(tree))
    unset = [name for name, has_default in variables if not has_default and not environ.get(name)]
    if unset:
        return EnvConnection("unset", f"env.py reads the database URL from the environment variable "
                             f"{unset[0]}, which is not set here", unset[0])
    for name, _has_default in variables:
        if "://" in environ.get(name, ""):
            return EnvConnection("environment", f"env.py reads the database URL from {name}", name)
    if _sets_url(tree):
        return EnvConnection("elsewhere", "env.py sets sqlalchemy.url itself (config.set_main_option) from "
                             "a value it computes")
    if _reads_config(tree):
        return EnvConnection("config", "env.py reads sqlalchemy.url from the Alembic configuration")
    return EnvConnection("elsewhere", "env.py does not read sqlalchemy.url from the Alembic configuration "
                         "(no config.get_main_option)")


def _app_uses(tree: ast.AST) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in _APP_NAMES:
            yield node.id
        elif isinstance(node, ast.Attribute) and node.attr in _APP_NAMES:
            yield node.attr
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _APP_MODULES:
            yield f"from {node.module} import"


def _variables(tree: ast.AST) -> Iterator[tuple[str, bool]]:
    """(name, has a default) of each environment variable read: `os.environ["X"]`, `os.environ.get("X")`,
    `os.getenv("X", default)`, `environ[...]`, `getenv(...)`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Subscript) and _is_environ(node.value):
            name = _constant(node.slice)
            if name:
                yield name, False
        elif isinstance(node, ast.Call) and node.args:
            name = _constant(node.args[0])
            if name and _is_getenv(node.func):
                yield name, len(node.args) > 1 or bool(node.keywords)


def _is_environ(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "environ") or (
        isinstance(node, ast.Name) and node.id == "environ")


def _is_getenv(func: ast.AST) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "getenv"
    if isinstance(func, ast.Attribute):
        return func.attr == "getenv" or (func.attr == "get" and _is_environ(func.value))
    return False


def _constant(node: ast.AST) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _sets_url(tree: ast.AST) -> bool:
    """`config.set_main_option("sqlalchemy.url", X)` with X not a plain string: the ini's URL is replaced."""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "set_main_option" and len(node.args) == 2
                and _constant(node.args[0]) == "sqlalchemy.url" and _constant(node.args[1]) is None):
            return True
    return False


def _reads_config(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in _CONFIG_CALLS:
                return True
    return False
