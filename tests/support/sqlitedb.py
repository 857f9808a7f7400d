"""SQLite databases that hold an `alembic_version` table, as Alembic leaves one after an upgrade."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def database(path: Path, *rows: str) -> str:
    """A SQLite file whose alembic_version holds `rows`; its URL."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY)")
        conn.executemany("INSERT INTO alembic_version VALUES (?)", [(row,) for row in rows])
    return f"sqlite:///{path}"
