"""Source text of revision files -> `Revision` values, never executing them: the one reader for the work
tree and for git trees (standard library only). Only the header is read, the text before the first
top-level `def`, `async def`, `class` or decorator: plain one-line literals by a strict regular expression,
anything else by `ast`; the body is parsed only when it shows signs of Python 2 or when asked
(`check_syntax`). Bytes become text as Python decodes source (`decode_source`). A value that is not a
literal is followed through names (`names.py`): only those files pay for it."""

from __future__ import annotations

import ast
import codecs
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from ahq_history.core.header import (
    Assignment,
    Docstring,
    Extracted,
    conflict_marker,
    conflict_problem,
    file_error,
    file_name,
    revision_from,
    syntax_problem,
)
from ahq_history.core.model import Problem, Revision
from ahq_history.core.names import Names, Scope
from ahq_history.core.pyparse import parse_quietly

NAMES = ("revision", "down_revision", "branch_labels", "depends_on")
_LOCAL = Names()  # no project modules: a file's own constants are still followed

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
_PY2_SIGNS = re.compile(
    r"^[ \t]*(?:print(?:[ \t]+[^\s(=.,)\]:;]|[ \t]*>>)|exec[ \t]+[^\s(=]"
    r"|except[ \t]+(?:\([^)\n]*\)|[\w.]+)[ \t]*,[ \t]*\w+[ \t]*:|raise[ \t]+[\w.]+[ \t]*,)",
    re.M,
)
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")  # PEP 263


@dataclass(frozen=True)
class ScanResult:
    revisions: tuple[Revision, ...]
    problems: tuple[Problem, ...]  # warnings and errors about files (not about the graph)
    modules: tuple[str, ...] = ()  # the project modules whose constants were read (their paths)


# -- reading one text ---------------------------------------------------------------------------------


def scan_text(text: str, path: str, *, check_syntax: bool = False,
              names: Names | None = None) -> tuple[Revision | None, list[Problem]]:
    """Read one revision file's text. `path` is only used in the values and messages.

    Returns the revision (None when its id cannot be read) and the problems found, each naming
    `path` and a line. With `check_syntax`, the whole file is parsed even when the header suffices.
    `names` follows names into the project's modules (without it: the file's own constants only).
    """
    names = names or _LOCAL
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as Python reads source
    header_end = _header_end(text)
    problems: list[Problem] = []
    marker = conflict_marker(text)
    if marker is not None:
        problems.append(conflict_problem(path, text, marker))
        found = _read_header(text[:header_end], names) if marker >= header_end else None
        if found is None or not found.complete:
            return None, problems  # the values are in the conflicted part: none can be trusted
    else:
        found = _extract(text, header_end, check_syntax, names)
    if names.run_file is not None and any(a.unresolved for a in found.assigns.values()):
        _run_for_unresolved(found, path, names)
    revision = revision_from(found, path, problems)
    if found.syntax is not None and not any(p.kind == "syntax" for p in problems):
        problems.append(syntax_problem(path, found.syntax, revision))
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


def _extract(text: str, header_end: int, check_syntax: bool, names: Names) -> Extracted:
    """The cheapest reading that finds `revision` and `down_revision`; the body only when needed."""
    found = _read_header(text[:header_end], names)
    if found is None or not found.complete:
        found = _read_whole(text, names)
    # Parsing every body costs 6x the header (10,000 files: 2.2 s instead of 0.1 s).
    if not found.whole and (check_syntax or _looks_like_python2(text)):
        found.syntax = _syntax_error(text)
    return found


def _read_header(header: str, names: Names) -> Extracted | None:
    """The header by the fast path, else by `ast`; None when the header does not parse."""
    fast = _fast_header(header)
    if fast is not None:
        return fast
    module = _parse(header)
    return _from_module(module, names) if isinstance(module, ast.Module) else None


def _read_whole(text: str, names: Names) -> Extracted:
    """The whole file by `ast`; when it does not parse, each revision statement on its own."""
    module = _parse(text)
    if isinstance(module, ast.Module):
        found = _from_module(module, names)
    else:
        found = _salvage(text, names)
        found.syntax = module
    found.whole = True
    return found


def _parse(text: str) -> ast.Module | SyntaxError:
    try:
        return parse_quietly(text)  # the parser's warnings would quote other people's text raw
    except SyntaxError as error:
        return error
    except (ValueError, RecursionError, MemoryError) as error:  # e.g. NUL bytes, absurd nesting
        return SyntaxError(str(error), (None, 1, 0, None))


def body_syntax_error(text: str) -> SyntaxError | None:
    """The error Python reports compiling this whole file (newlines taken as Python reads source)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _syntax_error(text)


def _syntax_error(text: str) -> SyntaxError | None:
    module = _parse(text)
    return module if isinstance(module, SyntaxError) else None


def _looks_like_python2(text: str) -> bool:
    """Cheap signs that the body is Python 2 (confirmed by a full parse before any warning)."""
    if "print" not in text and "exec" not in text and "except" not in text and "raise" not in text:
        return False
    return _PY2_SIGNS.search(text) is not None


# -- the fast path ------------------------------------------------------------------------------------


def _fast_header(header: str) -> Extracted | None:
    """Read a header whose revision variables are plain one-line literals; None when unsure."""
    doc, rest_start = _fast_doc(header)
    if rest_start < 0:
        return None
    rest = header[rest_start:]
    if '"""' in rest or "'''" in rest or "\\" in rest or ";" in rest:
        return None  # strings, continuations or statements that a line-wise reading could misread
    first_line = header.count("\n", 0, rest_start) + 1
    found = Extracted(doc=doc)
    for index, line in enumerate(rest.split("\n")):
        if line.startswith(NAMES) and _CANDIDATE.match(line):
            match = _FAST_ASSIGN.match(line)
            if match is None:
                return None  # a revision variable in a form only `ast` reads right
            found.assigns[match[1]] = Assignment(first_line + index, _fast_value(match[2]))
    return found


def _fast_doc(header: str) -> tuple[Docstring | None, int]:
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
    return Docstring(header[pos + 3:end], header.count("\n", 0, pos) + 1), after


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


def _from_module(module: ast.Module, names: Names = _LOCAL) -> Extracted:
    found = Extracted(assigns=_assignments(module.body, names))
    first = module.body[0] if module.body else None
    if (isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            and isinstance(first.value.value, str)):
        found.doc = Docstring(first.value.value, first.lineno)
    return found


def _assignments(body: list[ast.stmt], names: Names) -> dict[str, Assignment]:
    """Top-level `name = value`, `name: T = value`, `a = b = value` and `a, b = x, y`; the last wins."""
    found: dict[str, Assignment] = {}
    for index, node in enumerate(body):
        for name, value in _targets(node):
            if name in NAMES:
                found[name] = _evaluate(value, node.lineno, names, body[:index])
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


def _evaluate(node: ast.expr, line: int, names: Names, before: list[ast.stmt]) -> Assignment:
    """A literal as `ast.literal_eval` reads it; else the names followed through the statements before
    it (what Python has bound by then) and the project's modules. Unfollowed parts are `unresolved`; a
    tuple or list keeps its other items."""
    try:
        return Assignment(line, ast.literal_eval(node))
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    scope = Scope()
    for statement in before:
        scope.add(statement)
    value, unresolved = names.evaluate(node, scope)
    if not unresolved:
        return Assignment(line, value)
    return Assignment(line, value, literal=isinstance(value, tuple | list), source=_unparsed(node),
                      unresolved=unresolved)


def _run_for_unresolved(found: Extracted, path: str, names: Names) -> None:
    """`--exec-unresolved`: the values Python gives running the file replace those not read statically."""
    assert names.run_file is not None
    namespace = names.run_file(path)
    if namespace is None:
        return
    for name, assign in list(found.assigns.items()):
        if assign.unresolved and name in namespace:
            found.assigns[name] = Assignment(assign.line, namespace[name])


def _unparsed(node: ast.expr) -> str:
    """The value's source for a message; `ast.unparse` recurses once per level of an absurd nesting."""
    try:
        return ast.unparse(node)
    except RecursionError:
        return "(an expression nested too deeply to show)"


def _salvage(text: str, names: Names) -> Extracted:
    """A file that does not parse: read each top-level revision statement on its own."""
    doc, rest_start = _fast_doc(text)
    start_line = text.count("\n", 0, max(rest_start, 0))
    lines = text.split("\n")
    found = Extracted(doc=doc)
    for index in range(start_line, len(lines)):
        if _CANDIDATE.match(lines[index]):
            statement = _statement_at(lines, index)
            if statement is not None:
                found.assigns.update(_assignments(statement.body, names))
    return found


def _statement_at(lines: list[str], index: int) -> ast.Module | None:
    """The shortest run of lines from `index` that parses (a statement may span lines)."""
    for end in range(index + 1, min(index + 40, len(lines)) + 1):
        module = _parse("\n".join(lines[index:end]))
        if isinstance(module, ast.Module):
            ast.increment_lineno(module, index)
            return module
    return None


# -- many texts ---------------------------------------------------------------------------------------


def scan_texts(items: Iterable[tuple[str, str]], *, check_syntax: bool = False,
               names: Names | None = None) -> ScanResult:
    """Scan (path, text) pairs: the one loader shared by the work tree and git trees. One `names` serves
    every file, so each module of the project is parsed once."""
    revisions: list[Revision] = []
    problems: list[Problem] = []
    for path, text in items:
        revision, found = scan_text(text, path, check_syntax=check_syntax, names=names)
        if revision is not None:
            revisions.append(revision)
        problems.extend(found)
    return ScanResult(tuple(revisions), tuple(problems))


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
        return None, file_error("encoding", path, 1, f"{file_name(path)} declares an unknown source "
                                f"encoding {encoding!r}")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, file_error("encoding", path, line, f"{file_name(path)} is not valid {encoding} text "
                                f"({error.reason} at byte {error.start})")
    except UnicodeError as error:  # codecs such as punycode fail without a position
        return None, file_error("encoding", path, 1, f"{file_name(path)} is not valid {encoding} text "
                                f"({error})")
