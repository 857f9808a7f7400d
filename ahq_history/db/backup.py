"""A copy of a SQLite database before destructive work, made with sqlite3's backup API.

A plain file copy can miss what still sits in the `-wal` file; the backup API reads through SQLite itself.
Server databases get no backup: the caller says so and requires `--yes`.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import closing
from pathlib import Path

from ahq_history.core.errors import UnreachableError


def backup_sqlite(source: Path, folder: Path) -> Path:
    """Copy the SQLite database `source` into `folder` (created), named after it and the time; its path.

    Raises UnreachableError (exit 2) when it cannot be read or written."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = folder / f"{source.stem}-{stamp}{source.suffix or '.db'}"
    count = 1
    while target.exists():  # two backups in one second keep each other
        count += 1
        target = folder / f"{source.stem}-{stamp}-{count}{source.suffix or '.db'}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)) as src, \
                closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
    except (sqlite3.Error, OSError) as error:
        raise UnreachableError(f"cannot back up the SQLite database {source}: {error}",
                               "check the file and the free space, then try again") from None
    return target
