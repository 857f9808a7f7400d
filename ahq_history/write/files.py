"""The files a plan writes: the `Written` value, atomic writes (temporary file in the same folder, fsync,
`os.replace`), the undo that puts the tree back, and the text helpers merge and re-parenting share (UTF-8
with its BOM kept, lines split as Python counts them, paths shown relative to the project).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ahq_history.core.errors import AhqError, RefusedError

STAGING_PREFIX = ".ahq-history-"  # not a revision file name for Alembic (no `.py` ending), easy to spot
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class Written:
    """One file written (or, in a dry run, that would be written)."""

    kind: Literal["merge", "rebase"]
    revision: str
    parents: tuple[str, ...]  # its down_revision after the write
    path: Path  # absolute
    relpath: str  # POSIX, relative to the project root
    text: str  # the file's content after the write
    old_parents: tuple[str, ...] = ()  # a re-parented revision's down_revision before
    diff: str | None = None  # a re-parented file's unified diff
    log: str = ""  # what Alembic and the post-write hooks printed while writing it
    data: bytes = field(default=b"", repr=False)  # the file's bytes after the write (`text`, encoded)
    before: bytes | None = field(default=None, repr=False)  # a re-parented file's bytes when rendered


@dataclass
class Undo:
    """What to put back when a later step fails: files to delete, folders we made, texts to restore."""

    created: list[Path] = field(default_factory=list)
    folders: list[Path] = field(default_factory=list)
    replaced: list[tuple[Path, bytes]] = field(default_factory=list)

    def run(self) -> None:
        for path, data in reversed(self.replaced):
            atomic_write_bytes(path, data)
        for path in reversed(self.created):
            path.unlink(missing_ok=True)
        for folder in reversed(self.folders):
            with contextlib.suppress(OSError):
                folder.rmdir()


def make_folders(path: Path) -> list[Path]:
    """Create `path` and its missing parents; return the ones made, outermost first (to undo)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def create_file(final: Path, data: bytes, undo: Undo) -> None:
    """A new file `final` holding `data`: written whole beside it, fsynced, then moved into place."""
    if final.exists():
        raise AhqError(f"{final} already exists; not overwritten",
                       hint="run merge-heads again (a new revision id is drawn each time)")
    undo.folders.extend(make_folders(final.parent))
    temp = final.parent / f"{STAGING_PREFIX}{uuid.uuid4().hex}.tmp"
    # 0o666: the umask applies, as it did to the file Alembic wrote (mkstemp would make it 0o600).
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, final)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    undo.created.append(final)
    _fsync_folder(final.parent)


def replace_file(item: Written, undo: Undo) -> None:
    """Put a re-parented file's new bytes in place atomically; `undo` can put the old ones back."""
    assert item.before is not None  # rendered by render_rebase
    undo.replaced.append((item.path, item.before))
    atomic_write_bytes(item.path, item.data)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically: a temporary file in the same folder, fsync, os.replace.
    The file's permission bits are kept."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    _fsync_folder(path.parent)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or filesystem lets a folder be fsynced
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


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
