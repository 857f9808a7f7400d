"""Source text of revision files -> `Revision` values, with `ast`, never executing them (stdlib only).

Which files: those Alembic 1.20 loads (`ScriptDirectory._load_revisions`, `Script._list_py_dir` and
`Script._from_path`): every version location that exists, its files in sorted order, sub-folders (sorted)
only with `recursive_version_locations`, `__pycache__` skipped, names matching `.*\\.py` that do not
start with `.#` (editor lock files) or `__init__` (so `_helpers.py` and `.hidden.py` are revisions, as in
Alembic), the same real file only once. With `sourceless = true`, `.pyc`/`.pyo` files without a source
are selected too, and reported as unreadable: they hold bytecode, not text.

How: only the header is read, the text before the first top-level `def`, `async def`, `class` or
decorator. Plain one-line literals there (`revision: str = "..."`, `down_revision = ("a", "b")`) are
read by a strict regular expression; anything else in the header goes to `ast`; when the header lacks
`revision` or `down_revision`, the whole file is parsed. The body is parsed only when it shows signs of
Python 2 (`print x`, `except E, e:`, `exec "..."`, `raise E, "msg"`) or when asked (`check_syntax`),
because parsing every body costs 6x the header (10,000 files: 2.2 s instead of 0.1 s).

Problems carry the file (`path`, relative to the project root) and `line` in their own fields; their
messages name the revision id, or the file's name when the id cannot be read, and say what to do.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from ahq_history.config.project import Project
from ahq_history.core.header import (
    _error,
    _name,
    _warning,
    decode_source,
)
from ahq_history.core.model import Problem
from ahq_history.core.source import ScanResult, scan_texts

NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
_REQUIRED = ("revision", "down_revision")

# Alembic 1.20, alembic/script/base.py
_SOURCE_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")  # _only_source_rev_file
_SOURCELESS_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)(c|o)?$")  # _sourceless_rev_file
_LEGACY_REV = re.compile(r"([a-f0-9]+)\.py$")  # _legacy_rev: the id from the file name (Alembic 0.1)
_ILLEGAL_ID_CHARS = frozenset("@-+:")  # alembic/script/revision.py _revision_illegal_chars

_STR = r"'[^'\\\n]*'|\"[^\"\\\n]*\""
_STR_RE = re.compile(_STR)
_SEQ = rf"(?:[ \t]*(?:{_STR})[ \t]*,)*[ \t]*(?:{_STR})?[ \t]*"
_VALUE = rf"None|{_STR}|\({_SEQ}\)|\[{_SEQ}\]"
_FAST_ASSIGN = re.compile(
    r"^(revision|down_revision|branch_labels|depends_on)[ \t]*(?::[^=\n]*)?="
    rf"[ \t]*({_VALUE})[ \t]*(?:#[^\n]*)?$",
)
_CANDIDATE = re.compile(r"^(?:revision|down_revision|branch_labels|depends_on)\b", re.M)
_LEADING = re.compile(r"(?:[ \t]*(?:#[^\n]*)?\n)*")  # blank and comment lines before the docstring
_LINE_TAIL = re.compile(r"[ \t]*(?:#[^\n]*)?(?:\n|$)")
_HEADER_ENDS = ("\ndef ", "\nasync def ", "\nclass ", "\n@")
_MARKER = re.compile(r"^(?:<{7}(?: |$)|>{7}(?: |$)|\|{7}(?: |$)|={7}[ \t]*$)", re.M)
_PY2_SIGNS = re.compile(
    r"^[ \t]*(?:print(?:[ \t]+[^\s(=.,)\]:;]|[ \t]*>>)|exec[ \t]+[^\s(=]"
    r"|except[ \t]+(?:\([^)\n]*\)|[\w.]+)[ \t]*,[ \t]*\w+[ \t]*:|raise[ \t]+[\w.]+[ \t]*,)",
    re.M,
)
_ID_SPLIT = re.compile(r"[,\s]+")
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")  # PEP 263



# -- which files --------------------------------------------------------------------------------------


def is_revision_file(name: str, *, sourceless: bool = False) -> bool:
    """Alembic's file-name filter (`Script._from_path`) for a file's base name."""
    return (_SOURCELESS_FILE if sourceless else _SOURCE_FILE).match(name) is not None


def revision_paths_in(paths: Iterable[str], locations: Iterable[str], *,
                      recursive: bool = False) -> list[str]:
    """Of POSIX `paths` (e.g. a git tree's), the source files Alembic would load from `locations`.

    Same name filter and `__pycache__` rule as `revision_files`; compiled files are left out (a git tree
    holds sources)."""
    folders = [loc.strip("/") for loc in locations]
    chosen = []
    for path in paths:
        folder, _, name = path.rpartition("/")
        if any(part.endswith("__pycache__") for part in folder.split("/")):
            continue
        inside = any(folder == f or (recursive and (not f or folder.startswith(f + "/"))) for f in folders)
        if inside and is_revision_file(name):
            chosen.append(path)
    return sorted(chosen)


def revision_files(project: Project) -> list[Path]:
    """The files Alembic would load, in a stable order (same file-name filter, `__pycache__` skipped)."""
    return [Path(full) for full in revision_file_names(project)]


def revision_file_names(project: Project) -> list[str]:
    """`revision_files` as plain strings: cheaper where only the names are needed (the cache key)."""
    return [full for full, _relative in _files(project)]


def _files(project: Project) -> list[tuple[str, str]]:
    """(absolute path, POSIX path relative to the root) of each file, in Alembic's loading order."""
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

    Symlinked folders are not entered (os.walk's default)."""
    try:
        entries = list(os.scandir(top))
    except OSError:
        return
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
    match = (_SOURCELESS_FILE if sourceless else _SOURCE_FILE).match(name)
    if match is None:
        return False
    if sourceless and match[2] in ("c", "o"):
        source = os.path.join(folder, match[1])
        return not (os.path.exists(source) or (match[2] == "o" and os.path.exists(source + "c")))
    return True


def scan_project(project: Project, *, check_syntax: bool = False) -> ScanResult:
    """Scan the work tree's revision files of `project` (paths relative to `project.root`)."""
    problems: list[Problem] = []
    texts: list[tuple[str, str]] = []
    for full, relative in _files(project):
        text, problem = _read_file(full, relative)
        if problem is not None:
            problems.append(problem)
        if text is not None:
            texts.append((relative, text))
    result = scan_texts(texts, check_syntax=check_syntax)
    return ScanResult(result.revisions, (*problems, *result.problems, *_missing_locations(project)))


def _read_file(full: str, relative: str) -> tuple[str | None, Problem | None]:
    if full.endswith((".pyc", ".pyo")):
        return None, _error("unreadable", relative, None, f"{_name(relative)} is a compiled revision file "
                            "(sourceless = true) with no source to read; keep the .py file beside it")
    try:
        with open(full, "rb") as handle:
            data = handle.read()
    except OSError as error:
        return None, _error("unreadable", relative, None, f"{_name(relative)} cannot be read "
                            f"({error.strerror})")
    return decode_source(data, relative)


def _missing_locations(project: Project) -> list[Problem]:
    """A configured version location that does not exist (Alembic skips it silently)."""
    if not project.configured_versions:
        return []
    config = _relative(project.config_path, project.root)
    return [
        _warning("missing-version-location", config, None, f"version location "
                 f"{_relative(location, project.root)} does not exist; Alembic skips it")
        for location in project.version_locations if not location.exists()
    ]


def _relative(path: Path, root: Path) -> str:
    return os.path.relpath(path, root).replace(os.sep, "/")
