"""The files a plan writes: the `Written` value, and the text helpers merge and re-parenting share (UTF-8
with its BOM kept, lines split as Python counts them, paths shown relative to the project). How they are
written (a journaled transaction, all or nothing) is `commit.py` and `journal.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ahq_history.core.errors import RefusedError

STAGING_PREFIX = ".ahq-history-"  # not a revision file name for Alembic (no `.py` ending), easy to spot
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Written:
    """One file written (or, in a dry run, that would be written)."""

    kind: Literal["merge", "rebase", "marker", "settings"]  # marker: the heads file; settings: pyproject
    revision: str
    parents: tuple[str, ...]  # its down_revision after the write (a marker: the heads it holds)
    path: Path  # absolute
    relpath: str  # POSIX, relative to the project root
    text: str  # the file's content after the write
    old_parents: tuple[str, ...] = ()  # a re-parented revision's down_revision before
    diff: str | None = None  # a re-parented file's unified diff
    log: str = ""  # what Alembic and the post-write hooks printed while writing it
    data: bytes = field(default=b"", repr=False)  # the file's bytes after the write (`text`, encoded)
    before: bytes | None = field(default=None, repr=False)  # a re-parented file's bytes when rendered


def decode(data: bytes, path: Path) -> str:
    try:
        return data.removeprefix(_BOM).decode("utf-8")
    except UnicodeDecodeError as error:
        raise RefusedError(f"{path}: not UTF-8 ({error.reason} at byte {error.start}); not rewritten",
                           hint="re-save the file as UTF-8") from None


def encode(text: str, before: bytes) -> bytes:
    return (_BOM if before.startswith(_BOM) else b"") + text.encode("utf-8")


def read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def split_lines(text: str) -> list[str]:
    """Lines with their endings, split on newlines only (as the Python tokenizer counts lines)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


def relative(path: Path, root: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
