"""What a revision file's header says (its assignments and docstring) -> a `Revision` and the problems
with it, each naming the file and line and saying what to do. Standard library only."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from ahq_history.core.model import Problem, Revision, Severity

_REQUIRED = ("revision", "down_revision")

# Alembic 1.20, alembic/script/base.py
_LEGACY_REV = re.compile(r"([a-f0-9]+)\.py$")  # _legacy_rev: the id from the file name (Alembic 0.1)
_ILLEGAL_ID_CHARS = frozenset("@-+:")  # alembic/script/revision.py _revision_illegal_chars

_MARKER = re.compile(r"^(?:<{7}(?: |$)|>{7}(?: |$)|\|{7}(?: |$)|={7}[ \t]*$)", re.M)
_ID_SPLIT = re.compile(r"[,\s]+")


class Assignment(NamedTuple):
    """One top-level assignment of a revision variable (a NamedTuple: built 10,000 times, cheaply)."""

    line: int
    value: object = None
    literal: bool = True
    source: str = ""  # the value's source text, kept for messages when it is not usable
    unresolved: tuple[str, ...] = ()  # parts not followed statically (core/names.py); `value` keeps the rest


class Docstring(NamedTuple):
    text: str
    line: int  # line of the opening quotes


@dataclass
class Extracted:
    """What the header (or the whole file) says: assignments, docstring, a syntax error if any."""

    assigns: dict[str, Assignment] = field(default_factory=dict)
    doc: Docstring | None = None
    syntax: SyntaxError | None = None
    whole: bool = False  # True when the whole file was parsed (or tried)

    @property
    def complete(self) -> bool:
        return all(name in self.assigns for name in _REQUIRED)


# -- values -> Revision and problems ------------------------------------------------------------------


def revision_from(found: Extracted, path: str, problems: list[Problem]) -> Revision | None:
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
        labels_unresolved=_unresolved(found, "branch_labels"),
    )


def _unresolved(found: Extracted, name: str) -> bool:
    assign = found.assigns.get(name)
    return assign is not None and bool(assign.unresolved)


def _line(found: Extracted, name: str) -> int | None:
    assign = found.assigns.get(name)
    return assign.line if assign else None


def _revision_id(found: Extracted, path: str, problems: list[Problem]) -> tuple[str | None, int | None]:
    assign = found.assigns.get("revision")
    if assign is None:
        legacy = _LEGACY_REV.match(os.path.basename(path))
        if legacy:
            return legacy[1], None  # Alembic 0.1 files: the id is the file name
        if found.syntax is None:
            problems.append(file_error("missing-revision", path, None, f"{file_name(path)} has no top-level "
                                       "`revision = \"...\"` assignment; Alembic cannot load a file in a "
                                       "versions folder without one"))
        return None, None
    if not assign.literal:
        problems.append(file_error("non-literal", path, assign.line, f"revision in {file_name(path)} is not "
                                   f"a literal: `{assign.source}`; write the id as a string, e.g. "
                                   "revision = \"1a2b3c4d5e6f\""))
        return None, assign.line
    value = assign.value
    if not isinstance(value, str) or not value:
        problems.append(file_error("invalid-value", path, assign.line,
                                   f"revision in {file_name(path)} must be a non-empty string, "
                                   f"not `{value!r}`"))
        return None, assign.line
    illegal = sorted(_ILLEGAL_ID_CHARS.intersection(value))
    if illegal:
        problems.append(file_error("invalid-value", path, assign.line, f"revision {value} contains "
                                   f"{', '.join(illegal)}, which Alembic does not allow in a revision id"))
    return value, assign.line


def _parents(found: Extracted, rid: str, path: str, line: int | None,
             problems: list[Problem]) -> tuple[str, ...]:
    assign = found.assigns.get("down_revision")
    if assign is None and found.syntax is not None:
        # Most likely the assignment itself is what does not parse (an unclosed quote, a stray line).
        at = found.syntax.lineno or line
        reason = found.syntax.msg or "invalid syntax"
        problems.append(file_error("syntax", path, at, f"down_revision of revision {rid} cannot be read: the "
                                   f"file is not valid Python at line {at} ({reason})"))
        return ()
    if assign is None:
        problems.append(file_error("missing-down-revision", path, line, f"revision {rid} has no "
                                   "down_revision; Alembic cannot load it (write down_revision = None for a "
                                   "base)"))
        return ()
    if not assign.literal or assign.unresolved:
        problems.append(file_error("non-literal", path, assign.line, f"down_revision of revision {rid} is "
                                   f"not a literal: `{assign.source}`; write the parent ids as strings "
                                   "(or None for a base)"))
        return ()
    ids = _as_ids(assign.value)
    if ids is None:
        problems.append(file_error("invalid-value", path, assign.line, f"down_revision of revision {rid} "
                                   "must be None, a string or a tuple or list of strings, not "
                                   f"`{assign.value!r}`"))
        return ()
    return ids


def _names(found: Extracted, name: str, rid: str, path: str, problems: list[Problem]) -> tuple[str, ...]:
    """branch_labels or depends_on; an unusable value is a warning and reads as empty."""
    assign = found.assigns.get(name)
    if assign is None:
        return ()
    if assign.unresolved:
        problems.append(_unresolved_problem(name, rid, path, assign))
    if assign.value is None and assign.unresolved:
        return ()
    ids = _as_ids(assign.value)
    if ids is None:
        problems.append(file_warning("invalid-value", path, assign.line, f"{name} of revision {rid} must be "
                                     "None, a string or a tuple or list of strings, not "
                                     f"`{assign.value!r}`; it is read as empty"))
        return ()
    return ids


def _unresolved_problem(name: str, rid: str, path: str, assign: Assignment) -> Problem:
    """A warning, never an error: what could be read stays, and only running the file knows the rest."""
    parts = ", ".join(f"`{part}`" for part in assign.unresolved)
    where = "" if assign.unresolved == (assign.source,) else f" in `{assign.source}`"
    kept = _as_ids(assign.value) or ()
    reading = f"read as {', '.join(kept)} only" if kept else "read as empty"
    return file_warning("non-literal", path, assign.line, f"{name} of revision {rid} is not a literal: "
                        f"{parts}{where} is found neither in {file_name(path)} nor in the project's modules, "
                        f"so it is {reading}; `--exec-unresolved` runs the file to read it")


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


def _doc_fields(doc: Docstring | None) -> _DocFields:
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


def file_name(path: str) -> str:
    """The file's name, for messages (the path and line travel in the Problem's own fields)."""
    return path.rpartition("/")[2]


def located(problem: Problem) -> str:
    """`path[:line]: message` for one line of text, without naming the file twice when the message
    starts with its name (`x.py cannot be read` becomes `versions/x.py cannot be read`)."""
    if not problem.path:
        return problem.message
    name = file_name(problem.path)
    where = f"{problem.path}:{problem.line}" if problem.line else problem.path
    if problem.message.startswith(name + " ") and not problem.line:
        return where + problem.message[len(name):]
    return f"{where}: {problem.message}"


def file_error(kind: str, path: str, line: int | None, message: str) -> Problem:
    return _problem(kind, "error", path, line, message)


def file_warning(kind: str, path: str, line: int | None, message: str) -> Problem:
    return _problem(kind, "warning", path, line, message)


def conflict_marker(text: str) -> int | None:
    """Offset of the first git conflict marker line, when the text has both `<<<<<<<` and `>>>>>>>`."""
    if "<<<<<<<" not in text or ">>>>>>>" not in text:
        return None
    markers = [m for m in _MARKER.finditer(text)]
    kinds = {m[0][0] for m in markers}
    if "<" not in kinds or ">" not in kinds:
        return None
    return markers[0].start()


def conflict_problem(path: str, text: str, offset: int) -> Problem:
    line = text.count("\n", 0, offset) + 1
    marker = text[offset:text.find("\n", offset) if "\n" in text[offset:] else len(text)].rstrip()
    return file_error("conflict-markers", path, line, f"git conflict marker `{marker}` in {file_name(path)}: "
                      "finish the git merge: resolve the conflict in this file, `git add` it and commit")


def syntax_problem(path: str, error: SyntaxError, revision: Revision | None) -> Problem:
    line = error.lineno or 1
    reason = error.msg or "invalid syntax"
    if revision is None:
        return file_error("syntax", path, line, f"{file_name(path)} is not valid Python ({reason}) and its "
                          "revision id cannot be read")
    return file_error("syntax", path, line, f"the file of revision {revision.id} is not valid Python "
                      f"({reason}); its header was read, but Alembic cannot load the file, so `upgrade` "
                      "fails")
