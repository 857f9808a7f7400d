"""The heads marker file (`[tool.ahq-history] heads-file`): the head ids, sorted, one a line, under a short
comment. Committed, it makes git itself conflict when two branches each add a head, since both change the
same line. Text in, text out: the file is read and written by `write/marker.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ahq_history.core.model import Problem

STALE_KIND = "stale-heads-file"
HEADER = ("# The Alembic head revisions of this project, one a line (ahq-history heads-file).\n"
          "# `ahq-history check` verifies it and `ahq-history merge-heads` keeps it current; a git\n"
          "# conflict here means two branches each added a revision: run `ahq-history merge-heads`.\n")
_CONFLICT = ("<<<<<<<", "|||||||", "=======", ">>>>>>>")


@dataclass(frozen=True)
class MarkerText:
    """What a marker file says: its head ids, and whether git left conflict markers in it."""

    heads: tuple[str, ...]
    conflicted: bool


def render_marker(heads: Iterable[str], newline: str = "\n") -> str:
    """The file's text for `heads`: the header, then the ids sorted, one a line."""
    return (HEADER + "".join(f"{head}\n" for head in sorted(heads))).replace("\n", newline)


def read_marker(text: str) -> MarkerText:
    """The ids of a marker's text (comments and blank lines skipped) and whether it holds conflict markers."""
    heads, conflicted = [], False
    for line in text.splitlines():
        word = line.strip()
        if word.startswith(_CONFLICT):
            conflicted = True
        elif word and not word.startswith("#"):
            heads.append(word)
    return MarkerText(tuple(sorted(set(heads))), conflicted)


def stale_problem(relpath: str, text: str | None, heads: Iterable[str], *, diverged: bool) -> Problem | None:
    """None when the marker's `text` names exactly `heads`; else the finding that says what it should hold
    and the command that rewrites it (`text` None: the file is missing or unreadable)."""
    wanted = tuple(sorted(heads))
    found = read_marker(text) if text is not None else None
    if found is not None and not found.conflicted and found.heads == wanted:
        return None
    should = ", ".join(wanted) or "nothing (no revisions yet)"
    if found is None:
        state = "is missing"
    elif found.conflicted:
        state = "holds git conflict markers"
    else:
        state = f"names {', '.join(found.heads) or 'no head'}"
    fix = "ahq-history merge-heads" if diverged else "ahq-history heads --write"
    return Problem(STALE_KIND, "warning",
                   f"heads file {relpath} {state}, but the heads are {should}; run `{fix}` to rewrite it",
                   relpath, None)
