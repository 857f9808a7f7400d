"""The one sanitizer for text from outside before it reaches a terminal.

Revision ids, messages, authors, branch and file names, paths and database errors are written by other
people. Printed raw, an ESC sequence recolours or retitles the terminal or forges a hyperlink, a carriage
return overwrites the line, and a bidirectional override shows text in another order than it runs. `clean`
replaces every such character by a visible escape (`\\x1b`, `\\u202e`), so the reader sees that it is there.
JSON output keeps the raw value (JSON escaping is enough). Standard library only.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache

# Categories that never print as themselves: controls (C0, DEL, C1), format characters (bidirectional
# overrides and isolates, zero-width spaces, soft hyphen...), lone surrogates (a file name that is not
# UTF-8, decoded with `surrogateescape`, which would also crash `print`), and line/paragraph separators.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# The zero-width joiner builds emoji and some scripts' ligatures; it hides nothing.
_ALLOWED_FORMAT = frozenset({"\u200d"})
_MULTILINE = frozenset({"\n", "\t"})


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


@lru_cache(maxsize=1024)
def _is_hidden(char: str) -> bool:
    return char not in _ALLOWED_FORMAT and unicodedata.category(char) in _HIDDEN


def clean(text: object, *, multiline: bool = False) -> str:
    """`text` safe to print: every control, format or separator character replaced by a visible escape.

    A single-line value (an id, a name, a path) escapes tab and newline too; `multiline=True` (a message, a
    database error) keeps them. Carriage return is always escaped: it would overwrite the line."""
    value = str(text)
    if value.isprintable():  # the common case, fast: every character escaped below is not printable
        return value
    keep = _MULTILINE if multiline else frozenset()
    return "".join(c if c in keep or not _is_hidden(c) else _escape(c) for c in value)


def clean_lines(lines: Iterable[str]) -> str:
    """Lines of text for a terminal, each cleaned as one line and joined with newlines: a newline or a
    carriage return inside a value shows as `\\x0a` / `\\x0d` and cannot forge a line of its own."""
    return "\n".join(clean(line) for line in lines)
