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

import ast
import codecs
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import NamedTuple

from ahq_history.config.project import Project
from ahq_history.core.model import Problem, Revision, Severity

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


@dataclass(frozen=True)
class ScanResult:
    revisions: tuple[Revision, ...]
    problems: tuple[Problem, ...]  # warnings and errors about files (not about the graph)


# -- reading one text ---------------------------------------------------------------------------------


class _Assign(NamedTuple):
    """One top-level assignment of a revision variable (a NamedTuple: built 10,000 times, cheaply)."""

    line: int
    value: object = None
    literal: bool = True
    source: str = ""  # the value's source text, kept for messages when it is not usable


class _Doc(NamedTuple):
    text: str
    line: int  # line of the opening quotes


@dataclass
class _Extracted:
    """What the header (or the whole file) says: assignments, docstring, a syntax error if any."""

    assigns: dict[str, _Assign] = field(default_factory=dict)
    doc: _Doc | None = None
    syntax: SyntaxError | None = None
    whole: bool = False  # True when the whole file was parsed (or tried)

    @property
    def complete(self) -> bool:
        return all(name in self.assigns for name in _REQUIRED)


def scan_text(text: str, path: str, *, check_syntax: bool = False) -> tuple[Revision | None, list[Problem]]:
    """Read one revision file's text. `path` is only used in the values and messages.

    Returns the revision (None when its id cannot be read) and the problems found, each naming
    `path` and a line. With `check_syntax`, the whole file is parsed even when the header suffices.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as Python reads source
    header_end = _header_end(text)
    problems: list[Problem] = []
    marker = _conflict_marker(text)
    if marker is not None:
        problems.append(_conflict_problem(path, text, marker))
        found = _read_header(text[:header_end]) if marker >= header_end else None
        if found is None or not found.complete:
            return None, problems  # the values are in the conflicted part: none can be trusted
    else:
        found = _extract(text, header_end, check_syntax)
    revision = _revision(found, path, problems)
    if found.syntax is not None and not any(p.kind == "syntax" for p in problems):
        problems.append(_syntax_problem(path, found.syntax, revision))
    if revision is not None and problems:
        problems = [replace(p, revisions=(revision.id,)) for p in problems]
    return revision, problems


def _header_end(text: str) -> int:
    """Offset of the first top-level `def`/`async def`/`class`/decorator line (the file's length if none)."""
    if text.startswith(("def ", "async def ", "class ", "@")):
        return 0
    end = len(text)
    for mark in _HEADER_ENDS:
        at = text.find(mark, 0, end)  # each search stops at the best end so far
        if at >= 0:
            end = at + 1
    return end


def _extract(text: str, header_end: int, check_syntax: bool) -> _Extracted:
    """The cheapest reading that finds `revision` and `down_revision`; the body only when needed."""
    found = _read_header(text[:header_end])
    if found is None or not found.complete:
        found = _read_whole(text)
    if not found.whole and (check_syntax or _looks_like_python2(text)):
        found.syntax = _syntax_error(text)
    return found


def _read_header(header: str) -> _Extracted | None:
    """The header by the fast path, else by `ast`; None when the header does not parse."""
    fast = _fast_header(header)
    if fast is not None:
        return fast
    module = _parse(header)
    return _from_module(module) if isinstance(module, ast.Module) else None


def _read_whole(text: str) -> _Extracted:
    """The whole file by `ast`; when it does not parse, each revision statement on its own."""
    module = _parse(text)
    if isinstance(module, ast.Module):
        found = _from_module(module)
    else:
        found = _salvage(text)
        found.syntax = module
    found.whole = True
    return found


def _parse(text: str) -> ast.Module | SyntaxError:
    try:
        return ast.parse(text)
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:  # e.g. NUL bytes, absurd nesting
        return SyntaxError(str(error), (None, 1, 0, None))


def _syntax_error(text: str) -> SyntaxError | None:
    module = _parse(text)
    return module if isinstance(module, SyntaxError) else None


def _looks_like_python2(text: str) -> bool:
    """Cheap signs that the body is Python 2 (confirmed by a full parse before any warning)."""
    if "print" not in text and "exec" not in text and "except" not in text and "raise" not in text:
        return False
    return _PY2_SIGNS.search(text) is not None


# -- the fast path ------------------------------------------------------------------------------------


def _fast_header(header: str) -> _Extracted | None:
    """Read a header whose revision variables are plain one-line literals; None when unsure."""
    doc, rest_start = _fast_doc(header)
    if rest_start < 0:
        return None
    rest = header[rest_start:]
    if '"""' in rest or "'''" in rest or "\\" in rest or ";" in rest:
        return None  # strings, continuations or statements that a line-wise reading could misread
    first_line = header.count("\n", 0, rest_start) + 1
    found = _Extracted(doc=doc)
    for index, line in enumerate(rest.split("\n")):
        if line.startswith(NAMES) and _CANDIDATE.match(line):
            match = _FAST_ASSIGN.match(line)
            if match is None:
                return None  # a revision variable in a form only `ast` reads right
            found.assigns[match[1]] = _Assign(first_line + index, _fast_value(match[2]))
    return found


def _fast_doc(header: str) -> tuple[_Doc | None, int]:
    """A plain `\"\"\"` docstring and the offset after it; offset -1 when `ast` must decide."""
    start = _LEADING.match(header)
    pos = start.end() if start else 0
    quote = header[pos:pos + 3]
    if quote not in ('"""', "'''"):
        head = header[pos:pos + 4].lstrip("rRuUbBfF")
        return (None, -1) if head[:1] in ("'", '"') else (None, pos)
    end = header.find(quote, pos + 3)
    if end < 0 or "\\" in header[pos + 3:end]:
        return None, -1
    after = end + 3
    if not _LINE_TAIL.match(header, after):
        return None, -1
    return _Doc(header[pos + 3:end], header.count("\n", 0, pos) + 1), after


def _fast_value(source: str) -> object:
    """The value of a `_VALUE` match, exactly as `ast.literal_eval` would give it."""
    if source == "None":
        return None
    if source[0] in "'\"":
        return source[1:-1]
    items = [item[1:-1] for item in _STR_RE.findall(source)]
    if source[0] == "[":
        return items
    if len(items) == 1 and "," not in _STR_RE.sub("", source):
        return items[0]  # ("abc") is a parenthesized string, not a tuple
    return tuple(items)


# -- the ast path -------------------------------------------------------------------------------------


def _from_module(module: ast.Module) -> _Extracted:
    found = _Extracted(assigns=_assignments(module.body))
    first = module.body[0] if module.body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        found.doc = _Doc(first.value.value, first.lineno)
    return found


def _assignments(body: list[ast.stmt]) -> dict[str, _Assign]:
    """Top-level `name = value`, `name: T = value`, `a = b = value` and `a, b = x, y`; the last wins."""
    found: dict[str, _Assign] = {}
    for node in body:
        for name, value in _targets(node):
            if name in NAMES:
                found[name] = _evaluate(value, node.lineno)
    return found


def _targets(node: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
        yield node.target.id, node.value
    elif isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Name):
                yield target.id, node.value
            elif (isinstance(target, ast.Tuple | ast.List) and isinstance(node.value, ast.Tuple | ast.List)
                  and len(target.elts) == len(node.value.elts)):
                for sub, value in zip(target.elts, node.value.elts, strict=True):
                    if isinstance(sub, ast.Name):
                        yield sub.id, value


def _evaluate(node: ast.expr, line: int) -> _Assign:
    try:
        return _Assign(line, ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _Assign(line, None, literal=False, source=_unparsed(node))


def _unparsed(node: ast.expr) -> str:
    """The value's source for a message; `ast.unparse` recurses once per level of an absurd nesting."""
    try:
        return ast.unparse(node)
    except RecursionError:
        return "(an expression nested too deeply to show)"


def _salvage(text: str) -> _Extracted:
    """A file that does not parse: read each top-level revision statement on its own."""
    doc, rest_start = _fast_doc(text)
    start_line = text.count("\n", 0, max(rest_start, 0))
    lines = text.split("\n")
    found = _Extracted(doc=doc)
    for index in range(start_line, len(lines)):
        if _CANDIDATE.match(lines[index]):
            statement = _statement_at(lines, index)
            if statement is not None:
                found.assigns.update(_assignments(statement.body))
    return found


def _statement_at(lines: list[str], index: int) -> ast.Module | None:
    """The shortest run of lines from `index` that parses (a statement may span lines)."""
    for end in range(index + 1, min(index + 40, len(lines)) + 1):
        module = _parse("\n".join(lines[index:end]))
        if isinstance(module, ast.Module):
            ast.increment_lineno(module, index)
            return module
    return None


# -- values -> Revision and problems ------------------------------------------------------------------


def _revision(found: _Extracted, path: str, problems: list[Problem]) -> Revision | None:
    """Check the values found and build the Revision; problems are appended to `problems`."""
    rid, line = _revision_id(found, path, problems)
    if rid is None:
        return None
    parents = _parents(found, rid, path, line, problems)
    labels = _names(found, "branch_labels", rid, path, problems)
    depends = _names(found, "depends_on", rid, path, problems)
    doc = _doc_fields(found.doc)
    return Revision(
        id=rid, parents=parents, depends_on=depends, branch_labels=labels, message=doc.message,
        create_date=doc.create_date, path=path, line=line, parents_line=_line(found, "down_revision"),
        labels_line=_line(found, "branch_labels"), depends_line=_line(found, "depends_on"),
        revises_line=doc.revises_line, revises=doc.revises,
    )


def _line(found: _Extracted, name: str) -> int | None:
    assign = found.assigns.get(name)
    return assign.line if assign else None


def _revision_id(found: _Extracted, path: str, problems: list[Problem]) -> tuple[str | None, int | None]:
    assign = found.assigns.get("revision")
    if assign is None:
        legacy = _LEGACY_REV.match(os.path.basename(path))
        if legacy:
            return legacy[1], None  # Alembic 0.1 files: the id is the file name
        if found.syntax is None:
            problems.append(_error("missing-revision", path, None, f"{_name(path)} has no top-level "
                                   "`revision = \"...\"` assignment; Alembic cannot load a file in a "
                                   "versions folder without one"))
        return None, None
    if not assign.literal:
        problems.append(_error("non-literal", path, assign.line, f"revision in {_name(path)} is not a "
                               f"literal: `{assign.source}`; write the id as a string, e.g. "
                               "revision = \"1a2b3c4d5e6f\""))
        return None, assign.line
    value = assign.value
    if not isinstance(value, str) or not value:
        problems.append(_error("invalid-value", path, assign.line,
                               f"revision in {_name(path)} must be a non-empty string, not `{value!r}`"))
        return None, assign.line
    illegal = sorted(_ILLEGAL_ID_CHARS.intersection(value))
    if illegal:
        problems.append(_error("invalid-value", path, assign.line, f"revision {value} contains "
                               f"{', '.join(illegal)}, which Alembic does not allow in a revision id"))
    return value, assign.line


def _parents(found: _Extracted, rid: str, path: str, line: int | None,
             problems: list[Problem]) -> tuple[str, ...]:
    assign = found.assigns.get("down_revision")
    if assign is None and found.syntax is not None:
        # Most likely the assignment itself is what does not parse (an unclosed quote, a stray line).
        at = found.syntax.lineno or line
        reason = found.syntax.msg or "invalid syntax"
        problems.append(_error("syntax", path, at, f"down_revision of revision {rid} cannot be read: the "
                               f"file is not valid Python at line {at} ({reason})"))
        return ()
    if assign is None:
        problems.append(_error("missing-down-revision", path, line, f"revision {rid} has no down_revision; "
                               "Alembic cannot load it (write down_revision = None for a base)"))
        return ()
    if not assign.literal:
        problems.append(_error("non-literal", path, assign.line, f"down_revision of revision {rid} is not a "
                               f"literal: `{assign.source}`; write the parent ids as strings (or None for a "
                               "base)"))
        return ()
    ids = _as_ids(assign.value)
    if ids is None:
        problems.append(_error("invalid-value", path, assign.line, f"down_revision of revision {rid} must "
                               "be None, a string or a tuple or list of strings, not "
                               f"`{assign.value!r}`"))
        return ()
    return ids


def _names(found: _Extracted, name: str, rid: str, path: str, problems: list[Problem]) -> tuple[str, ...]:
    """branch_labels or depends_on; an unusable value is a warning and reads as empty."""
    assign = found.assigns.get(name)
    if assign is None:
        return ()
    if not assign.literal:
        problems.append(_warning("non-literal", path, assign.line, f"{name} of revision {rid} is not a "
                                 f"literal: `{assign.source}`; it is read as empty (only Alembic, running "
                                 "the file, knows its value)"))
        return ()
    ids = _as_ids(assign.value)
    if ids is None:
        problems.append(_warning("invalid-value", path, assign.line, f"{name} of revision {rid} must be "
                                 "None, a string or a tuple or list of strings, not "
                                 f"`{assign.value!r}`; it is read as empty"))
        return ()
    return ids


def _as_ids(value: object) -> tuple[str, ...] | None:
    """None, "a", ("a", "b") or ["a"] as a tuple (Alembic's `to_tuple`); None when not usable."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,) if value else None
    if isinstance(value, tuple | list | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else list(value)
        if all(isinstance(item, str) and item for item in items):
            return tuple(items)
    return None


@dataclass
class _DocFields:
    message: str = ""
    create_date: str | None = None
    revises: tuple[str, ...] | None = None
    revises_line: int | None = None


def _doc_fields(doc: _Doc | None) -> _DocFields:
    """message (first line), create_date, revises and revises_line from the module docstring."""
    fields = _DocFields()
    if doc is None:
        return fields
    text = doc.text
    fields.message = text.strip().split("\n", 1)[0].strip()
    found = _doc_line(text, "Create Date:")
    if found is not None:
        fields.create_date = found[1]
    found = _doc_line(text, "Revises:")
    if found is not None:
        fields.revises = tuple(part for part in _ID_SPLIT.split(found[1]) if part)
        fields.revises_line = doc.line + found[0]
    return fields


def _doc_line(text: str, key: str) -> tuple[int, str] | None:
    """(line index in the docstring, rest of the line) of the first line starting with `key`."""
    at = text.find(key)
    while at >= 0:
        start = text.rfind("\n", 0, at) + 1
        if not text[start:at].strip():
            end = text.find("\n", at)
            return text.count("\n", 0, at), text[at + len(key):end if end >= 0 else len(text)].strip()
        at = text.find(key, at + 1)
    return None


# -- problems -----------------------------------------------------------------------------------------


def _problem(kind: str, severity: Severity, path: str, line: int | None, message: str) -> Problem:
    return Problem(kind=kind, severity=severity, message=message, path=path, line=line)


def _name(path: str) -> str:
    """The file's name, for messages (the path and line travel in the Problem's own fields)."""
    return path.rpartition("/")[2]


def _error(kind: str, path: str, line: int | None, message: str) -> Problem:
    return _problem(kind, "error", path, line, message)


def _warning(kind: str, path: str, line: int | None, message: str) -> Problem:
    return _problem(kind, "warning", path, line, message)


def _conflict_marker(text: str) -> int | None:
    """Offset of the first git conflict marker line, when the text has both `<<<<<<<` and `>>>>>>>`."""
    if "<<<<<<<" not in text or ">>>>>>>" not in text:
        return None
    markers = [m for m in _MARKER.finditer(text)]
    kinds = {m[0][0] for m in markers}
    if "<" not in kinds or ">" not in kinds:
        return None
    return markers[0].start()


def _conflict_problem(path: str, text: str, offset: int) -> Problem:
    line = text.count("\n", 0, offset) + 1
    marker = text[offset:text.find("\n", offset) if "\n" in text[offset:] else len(text)].rstrip()
    return _error("conflict-markers", path, line, f"git conflict marker `{marker}` in {_name(path)}: a merge "
                  "is in progress; resolve the conflict in this file, then `git add` it")


def _syntax_problem(path: str, error: SyntaxError, revision: Revision | None) -> Problem:
    line = error.lineno or 1
    reason = error.msg or "invalid syntax"
    if revision is None:
        return _error("syntax", path, line, f"{_name(path)} is not valid Python ({reason}) and its "
                      "revision id cannot be read")
    return _warning("syntax", path, line, f"the file of revision {revision.id} is not valid Python "
                    f"({reason}); its header was read, but Alembic cannot load the file")


# -- bytes -> text ------------------------------------------------------------------------------------


def decode_source(data: bytes, path: str) -> tuple[str | None, Problem | None]:
    """Decode a source file as Python does (BOM, PEP 263 coding line, else UTF-8)."""
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    elif b"coding" in data[:400]:
        for first_lines in data.split(b"\n", 2)[:2]:
            cookie = _CODING.match(first_lines)
            if cookie:
                encoding = cookie[1].decode("ascii")
                break
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, _error("unreadable", path, 1, f"{_name(path)} declares an unknown source encoding "
                            f"{encoding!r}")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, _error("unreadable", path, line, f"{_name(path)} is not valid {encoding} text "
                            f"({error.reason} at byte {error.start})")
    except UnicodeError as error:  # codecs such as punycode fail without a position
        return None, _error("unreadable", path, 1, f"{_name(path)} is not valid {encoding} text ({error})")


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


# -- many texts ---------------------------------------------------------------------------------------


def scan_texts(items: Iterable[tuple[str, str]], *, check_syntax: bool = False) -> ScanResult:
    """Scan (path, text) pairs: the one loader shared by the work tree and git trees."""
    revisions: list[Revision] = []
    problems: list[Problem] = []
    for path, text in items:
        revision, found = scan_text(text, path, check_syntax=check_syntax)
        if revision is not None:
            revisions.append(revision)
        problems.extend(found)
    return ScanResult(tuple(revisions), tuple(problems))


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
