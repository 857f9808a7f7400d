"""Open a SQLite database file so that nothing is written or created beside it.

`mode=ro` stops SQLite writing the file, but a WAL database still gets `-wal` and `-shm` files created
next to it, and they stay. So: a WAL database without a `-wal` file has every committed row in the main
file, which `immutable=1` reads alone; one with a `-wal` but no `-shm` (left by a writer that crashed, or
copied without it) is copied with its `-wal` into a private temporary folder, and the copy is read; one
with both (a writer is open) is read in place, where SQLite creates nothing.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote, urlsplit

from ahq_history.core.errors import UnreachableError

if TYPE_CHECKING:
    from sqlalchemy.engine import URL, Engine


def sqlite_path(url: URL, root: Path) -> Path | None:
    """The file a SQLite URL names, relative paths taken from `root`; None for an in-memory database."""
    database = url.database or ""
    if database.startswith("file:"):  # already a SQLite URI (`?uri=true`)
        database = unquote(urlsplit(database).path)
    if database in ("", ":memory:"):
        return None
    path = Path(database)
    with contextlib.suppress(RuntimeError):  # `~user` of no known user: taken as written
        path = path.expanduser()
    return path if path.is_absolute() else root / path


def sqlite_engine(path: Path, cleanup: contextlib.ExitStack) -> Engine:
    """An engine that reads `path` (an existing file) read-only and creates no file beside it.

    A private copy, when one is needed, lives in a temporary folder that `cleanup` removes. Raises
    UnreachableError (exit 2) when the `-wal` file is not a regular file or the copy cannot be made."""
    import sqlite3

    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    path = path.resolve()
    _refuse_not_a_file(path)
    wal, shm = _beside(path, "-wal"), _beside(path, "-shm")
    options = "mode=ro"
    if _wal_mode(path):
        if not os.path.lexists(wal):
            options += "&immutable=1"
        elif not os.path.lexists(shm):
            folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="ahq-history-")))
            path = _private_copy(path, wal, folder)
    # A creator keeps odd characters in the path (spaces, `?`, `#`) away from URL parsing.
    uri = f"file:{quote(str(path))}?{options}"

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(uri, uri=True, timeout=1.0)

    return create_engine("sqlite://", creator=connect, poolclass=NullPool)


def _refuse_not_a_file(path: Path) -> None:
    """A database path from a repository's config may name a FIFO or a device: SQLite would hang on it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return  # SQLite says why, as for any missing file
    if not stat.S_ISREG(mode):
        raise UnreachableError(f"cannot read the database {path}: it is not a regular file",
                               hint="point the database URL at the SQLite file")


def _beside(path: Path, suffix: str) -> Path:
    return path.with_name(path.name + suffix)


def _private_copy(path: Path, wal: Path, folder: Path) -> Path:
    """The database and its `-wal`, copied into `folder` (created private by `tempfile`)."""
    try:
        mode = os.stat(wal).st_mode
    except OSError as error:
        raise UnreachableError(f"cannot read the database {path}: {wal.name} cannot be read "
                               f"({error.strerror})") from None
    if not stat.S_ISREG(mode):  # a FIFO or a device would hang or never end the copy
        raise UnreachableError(f"cannot read the database {path}: {wal.name} is not a regular file",
                               hint=f"remove {wal} if no program has the database open")
    copy = folder / path.name
    try:
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, _beside(copy, "-wal"))
    except OSError as error:
        raise UnreachableError(f"cannot read the database {path}: copying it with its {wal.name} into a "
                               f"temporary folder failed ({error.strerror})",
                               hint="free some space in the temporary folder (TMPDIR), or open the database "
                               "once with sqlite3 so that it folds its -wal file in") from None
    return copy


def _wal_mode(path: Path) -> bool:
    """The SQLite header says WAL (bytes 18 and 19, the write and read versions, are 2)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(20)
    except OSError:
        return False
    return header.startswith(b"SQLite format 3\0") and header[18:20] == b"\2\2"
