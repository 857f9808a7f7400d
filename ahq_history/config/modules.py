"""Where the revision reader finds the project's own modules, and the one place that may run a revision
file (`--exec-unresolved`). Standard library only.

A name a revision file imports (`from myapp.db import migration`) is looked for as Python would find it
once Alembic has put `prepend_sys_path` in front of `sys.path`: in each of those folders, then the
project's folder and the configuration's folder. The module is read as text (through `safefile`) and
parsed by `core/names.py`, never imported.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import sys
from collections.abc import Mapping
from pathlib import Path

from ahq_history.config.project import Project
from ahq_history.config.safefile import read_regular_file
from ahq_history.core.names import Names
from ahq_history.core.source import decode_source


def project_names(project: Project, *, exec_unresolved: bool = False) -> tuple[Names, list[str]]:
    """A `Names` for one scan of `project`, and the list its modules' paths are added to as they are
    read (a cached answer depends on them too). Each module is read once; with `exec_unresolved`, a file
    whose values could not all be read statically is run with Python, as Alembic runs it."""
    search = _search_path(project)
    read: list[str] = []

    def source(dotted: str) -> tuple[str, bool] | None:
        found = module_text(dotted, search)
        if found is not None:
            read.append(found[2])
        return found[:2] if found is not None else None

    run = (lambda path: run_revision_file(project.root / path, search)) if exec_unresolved else None
    return Names(source, run), read


def _search_path(project: Project) -> tuple[Path, ...]:
    folders = (*project.sys_path, project.root, project.config_path.parent)
    return tuple(dict.fromkeys(folders))


def module_text(dotted: str, search: tuple[Path, ...]) -> tuple[str, bool, str] | None:
    """(text, is a package, path) of module `dotted`, from the first folder of `search` that has it."""
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    for folder in search:
        base = folder.joinpath(*parts)
        for candidate, package in ((base / "__init__.py", True), (base.with_name(parts[-1] + ".py"), False)):
            text = _read(candidate)
            if text is not None:
                return text, package, str(candidate)
    return None


def _read(path: Path) -> str | None:
    try:
        data = read_regular_file(str(path))
    except OSError:
        return None
    return decode_source(data, path.name)[0]


def run_revision_file(path: Path, search: tuple[Path, ...]) -> Mapping[str, object] | None:
    """The namespace of revision file `path` run as Alembic loads it (`importlib` from its path, with
    `prepend_sys_path` in front of `sys.path`); None when it fails. Runs the file's code: only ever
    reached through the command line's `--exec-unresolved`."""
    spec = importlib.util.spec_from_file_location(f"_ahq_history_revision_{abs(hash(str(path)))}", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    saved, loaded = list(sys.path), set(sys.modules)
    sys.path[:0] = [str(folder) for folder in search]
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # what the file prints is not our output
            spec.loader.exec_module(module)
    except (Exception, SystemExit):  # its code, its failure: the static reading and its warning stay
        return None
    finally:
        sys.path[:] = saved
        for name in set(sys.modules) - loaded:  # the project's modules are not kept for the next file
            del sys.modules[name]
    return vars(module)
