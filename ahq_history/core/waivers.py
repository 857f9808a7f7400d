"""In-file waivers of lint findings, read from a revision file's text (standard library `tokenize`; nothing
is run).

`# ahq: ignore[AHQ002] the column moved to profiles in 3f2a` on a line waives the named checks' findings on
that line; the same words on a line of the module docstring (the `#` is optional there) waive them for the
whole file. Several checks are separated by commas. The reason is what follows the bracket: `core/lint.py`
turns a waiver without one, or one that names no known check, into a finding of its own.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

_WAIVER = re.compile(r"ahq:\s*ignore\[(?P<checks>[^\]]*)\](?P<reason>.*)", re.IGNORECASE)
_DOCSTRING_LINE = re.compile(r"^\s*(?:#\s*)?(?=ahq:)", re.IGNORECASE)
_SKIPPED = frozenset({tokenize.ENCODING, tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE})


@dataclass(frozen=True)
class Waiver:
    """One `ahq: ignore[...]` as written: where, which checks (as spelled), why, and its reach."""

    line: int
    checks: tuple[str, ...]
    reason: str
    whole_file: bool

    def covers(self, line: int | None) -> bool:
        return self.whole_file or line == self.line


def read_waivers(source: str) -> list[Waiver]:
    """Every waiver in the file's comments and module docstring, in line order; none when the text does
    not tokenize (a file that does not parse is reported as such, and waives nothing)."""
    found: list[Waiver] = []
    first = True
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT:
                found.extend(_parsed(token.string, token.start[0], whole_file=False))
            elif first and token.type not in _SKIPPED:
                first = False
                if token.type == tokenize.STRING:
                    found.extend(_docstring_waivers(token.string, token.start[0]))
    except (tokenize.TokenError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    return sorted(found, key=lambda waiver: waiver.line)


def _docstring_waivers(text: str, first_line: int) -> list[Waiver]:
    found: list[Waiver] = []
    for offset, line in enumerate(text.splitlines()):
        if _DOCSTRING_LINE.match(line.lstrip("ruRUbB\"'")):
            found.extend(_parsed(line.rstrip().rstrip("\"'"), first_line + offset, whole_file=True))
    return found


def _parsed(text: str, line: int, *, whole_file: bool) -> list[Waiver]:
    match = _WAIVER.search(text)
    if match is None:
        return []
    checks = tuple(word for word in re.split(r"[\s,]+", match["checks"]) if word)
    reason = match["reason"].strip().lstrip(":-\u2013\u2014 ").strip()
    return [Waiver(line=line, checks=checks, reason=reason, whole_file=whole_file)]
