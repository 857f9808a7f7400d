"""`[tool.ahq-history]` settings: one table of every key, with its type, its allowed values and where it may
be set. Standard library and core only.

A wrong type or value is a ConfigError (exit 2) naming the key, the file and the line (tomllib gives no
lines: `setting_line` finds the key in the text). An unknown key is a warning naming the closest known key.
A setting that runs code or commands, or that would let a hook hold git, is read from the command line or
this clone's git config (`git config ahq-history.<key>`) only: in a tracked file it is an error that says
where to set it instead. A feature that adds a setting adds it to `SETTINGS`, and nowhere else.
"""

from __future__ import annotations

import math
import os
import re
import shlex
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from ahq_history.core.errors import ConfigError
from ahq_history.core.model import Problem

SECTION = "[tool.ahq-history]"
TABLE = ("tool", "ahq-history")
MAX_BUDGET = 600.0  # seconds: a hook budget beyond this is a mistake, not a choice


@dataclass(frozen=True)
class Setting:
    """One key: what it must be (`expects`, checked by `problem`), an example, and where it may be set."""

    key: str
    expects: str  # words after "must be"
    problem: Callable[[object], str | None]  # None when the value is fine, else what is wrong with it
    example: str  # a value as written in TOML
    local_only: str | None = None  # why only the command line or `git config` may set it
    secret: bool = False  # its value is never quoted in a message (a URL may hold a password)

    def line(self) -> str:
        return f"{self.key} = {self.example}"


def _text(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return "not a non-empty string"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):  # a newline would start a new command
        return "it holds a control character (a newline, a tab or an escape)"
    return None


def _command(value: object) -> str | None:
    problem = _text(value)
    if problem is None:
        try:
            shlex.split(str(value))
        except ValueError as error:
            return f"it cannot be split into words ({error})"
    return problem


def _strings(value: object) -> str | None:
    if not isinstance(value, list) or not value:
        return "not a non-empty list of strings"
    bad = next((item for item in value if _text(item) is not None), None)
    return None if bad is None else f"{bad!r} in the list is not a non-empty string"


def _table(value: object) -> str | None:
    return None if isinstance(value, Mapping) else "not a table"


def _flag(value: object) -> str | None:
    return None if isinstance(value, bool) else "not true or false"


def _seconds(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "not a number of seconds"
    if not (math.isfinite(value) and 0 < value <= MAX_BUDGET):
        return f"not between 0 and {MAX_BUDGET:g} seconds"
    return None


_RUNS = "runs commands"
_HOOKS = "could let a git hook hold git for as long as it likes"

SETTINGS: dict[str, Setting] = {s.key: s for s in (
    Setting("database-url", "a database URL (a non-empty string)", _text, '"sqlite:///instance/app.db"',
            secret=True),
    Setting("version-table", "a table name (a non-empty string)", _text, '"alembic_version"'),
    Setting("version-table-schema", "a schema name (a non-empty string)", _text, '"public"'),
    Setting("upgrade-command", "a command line (a non-empty string)", _command, '"flask db upgrade"'),
    Setting("lint", "a table of lint settings", _table, '{ disable = ["AHQ002"] }'),
    Setting("heads-file", "a file path (a non-empty string)", _text, '"migrations/HEADS"'),
    Setting("projects", "a list of project folders or configuration files", _strings,
            '["backend", "worker"]'),
    Setting("hook-budget", "a number of seconds", _seconds, "5", local_only=_HOOKS),
    Setting("gate-budget", "a number of seconds", _seconds, "20", local_only=_HOOKS),
    Setting("upgrade-after-pull", "true or false", _flag, "true", local_only=_RUNS),
    Setting("exec-unresolved", "true or false", _flag, "true", local_only="imports revision files, running "
            "their code"),
)}


# Alembic options read from an ini, with the values Alembic 1.20 takes (alembic/config.py: the keys of
# `_get_file_separator_char`'s table; `get_alembic_boolean_option` takes only `true` as true, so any word
# but `true` and `false` is a misreading waiting to happen).
PATH_SEPARATORS = ("space", "newline", "os", ":", ";")
INI_OPTIONS: dict[str, tuple[str, ...]] = {
    "path_separator": PATH_SEPARATORS,
    "version_path_separator": PATH_SEPARATORS,
    "recursive_version_locations": ("true", "false"),
    "sourceless": ("true", "false"),
}
# `[tool.alembic]` options we read, with the TOML type Alembic expects (script_location, version_locations
# and the booleans are checked where config/project.py reads them).
TOML_OPTIONS: dict[str, type] = {"file_template": str}


class AlembicOptions(Protocol):
    """What `check_alembic_options` reads: config/project.py's sources of one `alembic` run."""

    @property
    def toml(self) -> dict[str, Any] | None: ...
    @property
    def toml_path(self) -> Path | None: ...
    def ini_has(self, name: str) -> bool: ...
    def ini_get(self, name: str, *, raw: bool = False) -> str: ...
    def where(self, name: str) -> str: ...


def check_alembic_options(sources: AlembicOptions) -> None:
    """Check every Alembic option we read that is set, wherever Alembic would read it from."""
    for name in INI_OPTIONS:
        if sources.ini_has(name):
            check_ini_option(name, sources.ini_get(name), sources.where(name))
    if sources.toml is not None and sources.toml_path is not None:
        for name in TOML_OPTIONS:
            if name in sources.toml:
                check_toml_option(name, sources.toml[name], str(sources.toml_path))


def check_ini_option(name: str, value: str, where: str) -> None:
    """Raise ConfigError (exit 2, `where` is `file:line`) when an ini option holds a value Alembic does not
    take, or one it would misread."""
    allowed = INI_OPTIONS.get(name)
    if allowed is None or value in allowed:
        return
    if allowed == ("true", "false"):
        raise ConfigError(f"{where}: {name} = {value!r} is neither true nor false (Alembic reads every word "
                          "but `true` as false)", hint=f"write {name} = true, or {name} = false")
    choices = ", ".join(repr(choice) for choice in allowed)
    raise ConfigError(f"{where}: {value!r} is not a valid value for {name}; expected {choices}",
                      hint=f"write {name} = os (the separator of this system: {os.pathsep!r})")


def check_toml_option(name: str, value: object, where: str) -> None:
    """Raise ConfigError when a `[tool.alembic]` option we read has the wrong TOML type."""
    expected = TOML_OPTIONS.get(name)
    if expected is None or value is None or isinstance(value, expected):
        return
    words = {str: "a string", list: "a list of strings", bool: "true or false"}[expected]
    raise ConfigError(f"{where}: [tool.alembic] {name} must be {words}, not {_quote(value)}")


def validate_settings(table: Mapping[str, object], path: Path, root: Path) -> tuple[Problem, ...]:
    """Check `[tool.ahq-history]` of `path` against `SETTINGS`: the warnings for unknown keys.

    Raises ConfigError (exit 2) naming the key, the file and its line for a wrong type or value, and for
    a setting that only the command line or the local git config may set."""
    warnings = []
    for key, value in table.items():
        setting = SETTINGS.get(key)
        if setting is None:
            warnings.append(_unknown(key, path, root))
            continue
        where = f"{_place(path, (*TABLE, key))}: {SECTION} {key}"
        if setting.local_only is not None:
            raise ConfigError(f"{where} {setting.local_only}, so a file in the repository cannot set it",
                              hint=f"set it for this clone only: git config ahq-history.{key} "
                              f"{setting.example.strip(chr(34))} (or use the command-line option)")
        problem = setting.problem(value)
        if problem is not None:
            shown = f"a {_kind(value)}" if setting.secret else _quote(value)
            raise ConfigError(_wrong(where, setting, shown, problem), hint=f"write {setting.line()}")
        if key == "lint":
            _check_lint(value, path)
        if key == "projects":
            _check_projects(value, path, where)
    return tuple(warnings)


def local_value(key: str, text: str) -> object:
    """A value of `git config ahq-history.<key>` (text), typed and checked as `SETTINGS` says.

    Raises ConfigError naming the git config key for an unknown key or a wrong value."""
    setting = SETTINGS.get(key)
    where = f"git config ahq-history.{key}"
    if setting is None:
        raise ConfigError(f"{where}: unknown setting{_suggestion(key)}")
    value: object = text
    if setting.problem is _flag:
        words = {"true": True, "yes": True, "on": True, "1": True, "false": False, "no": False, "off": False,
                 "0": False}
        value = words.get(text.strip().lower(), text)
    elif setting.problem is _seconds:
        try:
            value = float(text)
        except ValueError:
            value = text
    elif setting.problem is _strings:
        value = [part for part in text.split(",") if part.strip()]
    problem = setting.problem(value)
    if problem is not None:
        raise ConfigError(_wrong(where, setting, repr(text), problem),
                          hint=f"git config ahq-history.{key} {setting.example.strip(chr(34))}")
    return value


def _wrong(where: str, setting: Setting, shown: str, problem: str) -> str:
    """`<where> must be <expects>: <value> is not ...`, or `...: <what is wrong>`."""
    what = f"{shown} is {problem}" if problem.startswith("not ") else problem
    return f"{where} must be {setting.expects}: {what}"


def _check_lint(value: object, path: Path) -> None:
    from ahq_history.core.lint import read_config

    try:
        read_config(value)
    except ConfigError as error:
        raise ConfigError(f"{_place(path, (*TABLE, 'lint'))}: {error.message}", hint=error.hint) from None


def _check_projects(value: object, path: Path, where: str) -> None:
    """Each entry of `projects` names something that exists, from the top of the git work tree that holds
    `path` (the pyproject.toml's folder outside git): `check` and the hooks cover each one."""
    top = repository_top(path.parent)
    for entry in value if isinstance(value, list) else []:
        full = os.path.normpath(top / entry)
        inside = not os.path.isabs(entry) and full.startswith(os.path.join(top, ""))
        wrong = "is not inside the repository" if not inside else None if os.path.exists(full) else (
            "does not exist")
        if wrong:
            raise ConfigError(f"{where}: {entry!r} {wrong} ({top})", hint="list each project's alembic.ini, "
                              "migrations/alembic.ini or pyproject.toml (or the folder holding it), relative "
                              "to the repository's top")


def repository_top(folder: Path) -> Path:
    """The nearest folder at or above `folder` holding `.git`; `folder` itself outside git."""
    return next((c for c in (folder, *folder.parents) if (c / ".git").exists()), folder)


def _unknown(key: str, path: Path, root: Path) -> Problem:
    line = setting_line(_read(path), (*TABLE, key))
    message = f"unknown setting {key!r} in {SECTION}{_suggestion(key)}"
    return Problem("unknown-setting", "warning", message, _relative(path, root), line)


def _suggestion(key: str) -> str:
    import difflib  # only for an unknown key: kept off the warm `check`

    close = difflib.get_close_matches(key, list(SETTINGS), n=1, cutoff=0.5)
    if close:
        return f": did you mean {close[0]!r}?"
    return f" (the settings are {', '.join(sorted(SETTINGS))})"


def _kind(value: object) -> str:
    return {bool: "boolean", int: "number", float: "number", str: "string", list: "list",
            dict: "table"}.get(type(value), type(value).__name__)


def _quote(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else f"a {_kind(value)}"


def _relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return ""


def _place(path: Path, dotted: tuple[str, ...]) -> str:
    line = setting_line(_read(path), dotted)
    return f"{path}:{line}" if line is not None else str(path)


# -- the line of a key in TOML text ------------------------------------------------------------------------

_PART_TEXT = r"""(?:[A-Za-z0-9_-]+|"[^"\n]*"|'[^'\n]*')"""
_PART = re.compile(_PART_TEXT)
_HEADER = re.compile(r"^\s*\[\[?\s*(?P<name>[^\[\]#]+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(rf"^\s*(?P<key>{_PART_TEXT}(?:\s*\.\s*{_PART_TEXT})*)\s*=")


def setting_line(text: str, dotted: tuple[str, ...]) -> int | None:
    """The 1-based line where the key `dotted` (e.g. ("tool", "ahq-history", "lint")) is set in TOML `text`:
    as `key = ...` inside its table, as a dotted key in a parent table, or as a table header. None when not
    found (the text changed, or the key sits inside an inline table)."""
    for number, full in _keys(text):
        if full == dotted:
            return number
    return None


def _keys(text: str) -> Iterator[tuple[int, tuple[str, ...]]]:
    table: tuple[str, ...] = ()
    for number, line in enumerate(text.splitlines(), 1):
        header = _HEADER.match(line)
        if header:
            table = _parts(header["name"])
            yield number, table
            continue
        key = _KEY.match(line)
        if key:
            yield number, (*table, *_parts(key["key"]))


def _parts(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip("\"'") if part[0] in "\"'" else part for part in _PART.findall(dotted))
