"""Where a project's scripts and revisions live, resolved as Alembic 1.20 resolves them, without importing
anything (standard library only).

- `script_location` and each version location is a path (relative to the folder Alembic runs in) or
  `package:path`, a package resource (`coerce_resource_to_filename`). Alembic imports the package after
  putting `prepend_sys_path` in front of `sys.path`; we look for the package's folder instead: in each
  `prepend_sys_path` entry, then the project's folder, then what is installed (`importlib.util.find_spec`
  of the top package, which runs none of its code). As in Python's import system, a folder with
  `__init__.py` wins; folders without one are the portions of a namespace package, and a path inside it
  is taken from the first portion that has it.
- `version_locations` and `prepend_sys_path` in an ini are split by `path_separator` (`os`, `;`, `:`,
  `space`, `newline`; the deprecated `version_path_separator` as a fallback for version locations only),
  or, when none is set, by Alembic's legacy split (commas and spaces, and colons too for
  `prepend_sys_path`). In `[tool.alembic]` both are lists.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from ahq_history.config.sources import Sources, where_set
from ahq_history.core.errors import ConfigError

_SEPARATORS = {"space": " ", "newline": "\n", "os": os.pathsep, ":": ":", ";": ";"}
_LEGACY_SPLIT = re.compile(r", *|(?: +)")  # Alembic's split of version_locations without path_separator
_LEGACY_SYS_PATH_SPLIT = re.compile(r", *|(?: +)|\:")  # ... and of prepend_sys_path


def resolve_location(value: str, base: Path, search: Sequence[Path] = ()) -> Path:
    """A script or version location as Alembic reads it: `package:path` (the package looked for in
    `search`, then `base`, then what is installed) or a path (relative to `base`)."""
    if not os.path.isabs(value) and ":" in value:
        return _package_resource(value, [*search, base])
    return Path(os.path.normpath(base / value))


def resolve_option(sources: Sources, name: str, value: str, base: Path, search: Sequence[Path]) -> Path:
    """`resolve_location`, with an error that names the file and line of option `name`."""
    try:
        return resolve_location(value, base, search)
    except ConfigError as error:
        raise ConfigError(f"{sources.where(name)}: {error.message}", hint=error.hint) from None


def _package_resource(value: str, paths: Sequence[Path]) -> Path:
    """`package.sub:folder[:more]` without importing the package."""
    package, *rest = value.split(":")
    parts = package.split(".")
    portions = _package_folders(parts[0], paths) or _installed(parts[0])
    for part in parts[1:]:
        portions = _package_folders(part, portions)
        if not portions:
            break
    if not portions:
        where = ", ".join(str(p) for p in dict.fromkeys(paths))
        raise ConfigError(f"{value!r} names package {package}, which is neither in {where} nor installed",
                          hint=f"set prepend_sys_path to the folder holding {parts[0]}/ (as Alembic needs "
                          "to import it), or install the project (pip install -e .)")
    first = next((p for p in portions if rest and (p / rest[0]).exists()), portions[0])
    return Path(os.path.normpath(first.joinpath(*rest)))


def _package_folders(name: str, paths: Sequence[Path]) -> list[Path]:
    """Where Python's import system would find package `name` in `paths`: the first folder holding
    `name/__init__.py`, else every `name/` folder (a namespace package's portions, in order)."""
    portions: list[Path] = []
    for path in paths:
        folder = path / name
        if (folder / "__init__.py").is_file():
            return [folder]
        if folder.is_dir():
            portions.append(folder)
    return portions


def _installed(name: str) -> list[Path]:
    """The folders of an installed top-level package; finding it runs none of its code."""
    import importlib.util  # only for `package:path` locations; kept off the hooks' fast path

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    return [Path(p) for p in (spec.submodule_search_locations or [])] if spec is not None else []


def split_version_locations(value: str, separator: str | None) -> list[str]:
    """Alembic 1.20's split of an ini's `version_locations` (separator: a path_separator value)."""
    if separator is None:
        return _LEGACY_SPLIT.split(value)
    char = _SEPARATORS[separator]
    return [part.strip() for part in value.split(char) if part]


def _separator(sources: Sources, names: Sequence[str]) -> str | None:
    for name in names:
        if sources.ini_has(name):
            value = sources.ini_get(name)
            if value not in _SEPARATORS:
                raise ConfigError(f"{where_set(sources.ini_path or Path(), name)}: {value!r} is not a valid "
                                  f"value for {name}; expected 'space', 'newline', 'os', ':', ';'")
            return value
    return None


def _toml_list(sources: Sources, name: str, example: str) -> list[str] | None:
    value = sources.toml_get(name)
    if value is not None and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        raise ConfigError(f"{sources.toml_path}: [tool.alembic] {name} must be a list of strings",
                          hint=f'write {name} = ["{example}"]')
    return value


def version_locations(sources: Sources, base: Path, search: Sequence[Path]) -> tuple[Path, ...]:
    """Alembic's `get_version_locations_list`, resolved; empty when not configured."""
    raw: list[str] | None
    if sources.ini_has("version_locations") and sources.ini_get("version_locations"):
        separator = _separator(sources, ("path_separator", "version_path_separator"))
        raw = split_version_locations(sources.ini_get("version_locations"), separator)
    else:
        raw = _toml_list(sources, "version_locations", "%(here)s/migrations/versions")
    return tuple(resolve_option(sources, "version_locations", item, base, search) for item in raw or ())


def prepend_sys_path(sources: Sources, base: Path) -> tuple[Path, ...]:
    """Alembic's `get_prepend_sys_paths_list`, each entry resolved from `base` (the folder Alembic runs
    in: `prepend_sys_path = .` means the config's folder)."""
    raw: list[str] | None
    if sources.ini_has("prepend_sys_path") and sources.ini_get("prepend_sys_path"):
        separator = _separator(sources, ("path_separator",))
        value = sources.ini_get("prepend_sys_path")
        raw = (_LEGACY_SYS_PATH_SPLIT.split(value) if separator is None
               else [part.strip() for part in value.split(_SEPARATORS[separator]) if part])
    else:
        raw = _toml_list(sources, "prepend_sys_path", ".")
    return tuple(Path(os.path.normpath(base / item)) for item in raw or () if item)
