"""Which files of the work tree are revision files, as Alembic 1.20 chooses them, and `scan_project`, which
reads them through the one reader (`core.source`). Standard library and core only.

Files come from other people: each is read through `safefile`, so a FIFO, a device or a symlink to one is
named, never read. A versions folder that cannot be listed raises ConfigError (exit 2) instead of reading
as empty."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ahq_history.config.bodies import body_problems
from ahq_history.config.modules import project_names
from ahq_history.config.project import Project
from ahq_history.config.safefile import read_regular_file, reason
from ahq_history.core.errors import ConfigError
from ahq_history.core.header import file_error, file_name, file_warning, located
from ahq_history.core.model import Problem
from ahq_history.core.source import ScanResult, decode_source, scan_texts
from ahq_history.core.source_files import revision_file_match


def revision_files(project: Project) -> list[Path]:
    """The files Alembic would load, in a stable order (same file-name filter, `__pycache__` skipped)."""
    return [Path(full) for full in revision_file_names(project)]


def revision_file_names(project: Project) -> list[str]:
    """`revision_files` as plain strings: cheaper where only the names are needed (the cache key)."""
    return [full for full, _relative in _files(project)]


def _files(project: Project) -> list[tuple[str, str]]:
    """(absolute path, POSIX path relative to the root) of each file, in Alembic's loading order.

    The files Alembic 1.20 loads (`ScriptDirectory._load_revisions`, `Script._list_py_dir` and
    `Script._from_path`): every version location that exists, its files in sorted order, sub-folders
    (sorted) only with `recursive_version_locations`, `__pycache__` skipped, names matching `.*\\.py` that
    do not start with `.#` (editor lock files) or `__init__` (so `_helpers.py` and `.hidden.py` are
    revisions, as in Alembic), the same real file only once. With `sourceless = true`, `.pyc`/`.pyo` files
    without a source are selected too, and reported as unreadable: they hold bytecode, not text."""
    seen: set[str] = set()
    chosen: list[tuple[str, str]] = []
    for location in project.version_locations:
        if not location.exists():
            continue  # Alembic skips version locations that do not exist
        for folder, entries in _walk(str(location), project.recursive, project.sourceless):
            relative = os.path.relpath(folder, project.root).replace(os.sep, "/")
            prefix = "" if relative == "." else relative + "/"
            real_folder = os.path.realpath(folder) + os.sep
            for name, is_link in entries:
                full = folder + os.sep + name
                real = os.path.realpath(full) if is_link else real_folder + name
                if real in seen or not _alembic_loads(folder, name, project.sourceless):
                    continue
                seen.add(real)
                chosen.append((full, prefix + name))
    return chosen


def _walk(top: str, recursive: bool, sourceless: bool) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    """(folder, sorted (name, is symlink) of its files) top-down like `Script._list_py_dir`.

    Symlinked folders are not entered (os.walk's default), so a symlink loop cannot recurse."""
    try:
        with os.scandir(top) as listing:
            entries = list(listing)
    except OSError as error:
        raise ConfigError(f"cannot read the versions folder {top} ({error.strerror or error})",
                          hint="check its permissions, or the disk it is on") from None
    files = sorted((e.name, e.is_symlink()) for e in entries if not _is_dir(e))
    yield top, files
    if sourceless:
        yield from _pycache_files(top, [name for name, _link in files])
    if recursive:
        for name in sorted(e.name for e in entries if _is_dir(e) and not e.is_symlink()):
            if not name.endswith("__pycache__"):
                yield from _walk(os.path.join(top, name), recursive, sourceless)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _pycache_files(top: str, files: list[str]) -> Iterator[tuple[str, list[tuple[str, bool]]]]:
    """With `sourceless`, compiled files in `__pycache__` whose module has no file beside it."""
    cache = os.path.join(top, "__pycache__")
    if not os.path.isdir(cache):
        return
    stems = {name.split(".")[0] for name in files}
    with os.scandir(cache) as entries:
        yield cache, sorted((e.name, e.is_symlink()) for e in entries if e.name.split(".")[0] not in stems)


def _alembic_loads(folder: str, name: str, sourceless: bool) -> bool:
    """`Script._from_path`: the name filter, and a compiled file only when no source beats it."""
    match = revision_file_match(name, sourceless=sourceless)
    if match is None:
        return False
    if sourceless and match[2] in ("c", "o"):
        source = os.path.join(folder, match[1])
        return not (os.path.exists(source) or (match[2] == "o" and os.path.exists(source + "c")))
    return True


def scan_project(project: Project, *, check_syntax: bool = True, exec_unresolved: bool = False) -> ScanResult:
    """Scan the work tree's revision files of `project` (paths relative to `project.root`).

    Every body is parsed (`check_syntax`, `bodies.py`): a file Alembic cannot compile breaks `upgrade`, so
    it breaks the graph. `check`'s cache keeps the verdict between runs. Names are followed into the
    project's modules (`modules.py`); `exec_unresolved` runs a file whose values cannot be read so."""
    problems: list[Problem] = []
    texts: list[tuple[str, str]] = []
    for full, relative in _files(project):
        text, problem = _read_file(full, relative)
        if problem is not None:
            problems.append(problem)
        if text is not None:
            texts.append((relative, text))
    names, modules = project_names(project, exec_unresolved=exec_unresolved)
    result = scan_texts(texts, names=names)
    problems.extend(result.problems)
    if check_syntax:
        problems.extend(body_problems(texts, result.revisions, result.problems))
    problems.extend(_missing_locations(project))
    problems.extend(skipped_subfolders(project))
    return ScanResult(result.revisions, tuple(problems), tuple(dict.fromkeys(modules)))


def _read_file(full: str, relative: str) -> tuple[str | None, Problem | None]:
    if full.endswith((".pyc", ".pyo")):
        return None, file_error("unreadable", relative, None, f"{file_name(relative)} is a compiled revision "
                                "file (sourceless = true) with no source to read; keep the .py file "
                                "beside it")
    try:
        data = read_regular_file(full)
    except OSError as error:
        return None, file_error("unreadable", relative, None, f"{file_name(relative)} cannot be read "
                                f"({reason(error)})")
    return decode_source(data, relative)


def refuse_unreadable(result: ScanResult) -> None:
    """Raise ConfigError (exit 2) when revision files could not be read: the answer would be incomplete.

    What was read but is not a valid revision (syntax, conflict markers, encoding) stays a problem of the
    graph (exit 3)."""
    unread = [p for p in result.problems if p.kind == "unreadable"]
    if not unread:
        return
    shown = "; ".join(located(p) for p in unread[:3])
    more = f"; and {len(unread) - 3} more" if len(unread) > 3 else ""
    raise ConfigError(f"{shown}{more}", hint="remove or replace what is not a revision file, or fix its "
                      "permissions; Alembic cannot load it either")


def _missing_locations(project: Project) -> list[Problem]:
    """A configured version location that does not exist (Alembic skips it silently); without
    `version_locations`, a missing `versions` folder is named with where it was looked for (git keeps no
    empty folder, so a fresh clone lacks it until the first revision)."""
    config = _relative(project.config_path, project.root)
    if not project.configured_versions:
        return [
            file_warning("missing-version-location", config, None, f"no versions folder: looked for "
                         f"{_relative(location, project.root)} (script_location's versions), so there are no "
                         "revisions yet; `alembic revision` (Flask-Migrate: `flask db migrate`) creates it; "
                         "if the project is elsewhere, name its configuration with -c PATH")
            for location in project.version_locations if not location.exists()
        ]
    return [
        file_warning("missing-version-location", config, None, f"version location "
                     f"{_relative(location, project.root)} does not exist; Alembic skips it")
        for location in project.version_locations if not location.exists()
    ]


def skipped_subfolders(project: Project) -> list[Problem]:
    """One warning per subfolder of a version location that Alembic does not enter (no
    `recursive_version_locations`) and that holds files it would load there: Alembic skips them silently,
    and a person who put a revision there expects to hear it. A listing only: no file is read."""
    if project.recursive:
        return []
    inside = [os.path.realpath(location) for location in project.version_locations]
    config = _relative(project.config_path, project.root)
    found: list[Problem] = []
    for location in project.version_locations:
        for folder, count in _unentered(str(location), inside, project.sourceless):
            files = f"{count} revision file{'s' if count != 1 else ''}"
            found.append(file_warning(
                "skipped-subfolder", _relative(Path(folder), project.root), None,
                f"{files} in this subfolder of version location {_relative(location, project.root)} "
                f"{'are' if count != 1 else 'is'} "
                f"not part of the history: Alembic loads only the files directly in a version location; set "
                f"recursive_version_locations = true in {config} to include them, or move them up"))
    return found


def _unentered(location: str, locations: list[str], sourceless: bool) -> Iterator[tuple[str, int]]:
    """(subfolder, number of files Alembic would load there if it recursed) for each subfolder of
    `location` that is not, and holds no, version location of its own (those are loaded as such)."""
    try:
        with os.scandir(location) as listing:
            folders = sorted(e.name for e in listing if _is_dir(e) and not e.is_symlink())
    except OSError:  # missing or unreadable: said elsewhere (a warning, or exit 2 when listing it)
        return
    for name in folders:
        folder = os.path.join(location, name)
        real = os.path.realpath(folder)
        if name.endswith("__pycache__") or any(loc == real or loc.startswith(real + os.sep)
                                               for loc in locations):
            continue
        try:
            count = sum(1 for path, entries in _walk(folder, True, sourceless)
                        for entry, _link in entries if _alembic_loads(path, entry, sourceless))
        except ConfigError:  # a subfolder Alembic never enters cannot break the answer
            continue
        if count:
            yield folder, count


def _relative(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")
