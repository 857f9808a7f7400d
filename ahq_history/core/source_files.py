"""Which file names are revision files, by Alembic's rules: the name filter of `Script._from_path`, and the
choice among a tree's POSIX paths (a git tree's, say). Pure: no filesystem, standard library only."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Alembic 1.20, alembic/script/base.py
_SOURCE_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)$")  # _only_source_rev_file
_SOURCELESS_FILE = re.compile(r"(?!\.\#|__init__)(.*\.py)(c|o)?$")  # _sourceless_rev_file


def revision_file_match(name: str, *, sourceless: bool = False) -> re.Match[str] | None:
    """Alembic's file-name filter for a file's base name: group 1 is the source name, group 2 `c` or `o`
    for a compiled file (only with `sourceless`)."""
    return (_SOURCELESS_FILE if sourceless else _SOURCE_FILE).match(name)


def is_revision_file(name: str, *, sourceless: bool = False) -> bool:
    """Alembic's file-name filter (`Script._from_path`) for a file's base name."""
    return revision_file_match(name, sourceless=sourceless) is not None


def revision_paths_in(paths: Iterable[str], locations: Iterable[str], *,
                      recursive: bool = False) -> list[str]:
    """Of POSIX `paths` (e.g. a git tree's), the source files Alembic would load from `locations`.

    Same name filter and `__pycache__` rule as `config.scan.revision_files`; compiled files are left out
    (a git tree holds sources)."""
    folders = [loc.strip("/") for loc in locations]
    chosen = []
    for path in paths:
        folder, _, name = path.rpartition("/")
        if any(part.endswith("__pycache__") for part in folder.split("/")):
            continue
        inside = any(folder == f or (recursive and (not f or folder.startswith(f + "/"))) for f in folders)
        if inside and is_revision_file(name):
            chosen.append(path)
    return sorted(chosen)
