"""Notice added, removed and edited revision files without holding the screen up (standard library only).

Every poll compares the version folders' own modification times (a file added, removed or renamed, and
every atomic write, changes its folder); now and then it also compares each file's size and modification
time, which catches an edit made in place. The thorough look runs less often on large histories, so that
on 10,000 files it takes a few percent of one core.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from ahq_history.config.project import Project

THOROUGH_EVERY = 5.0  # seconds between looks at every file, at least
THOROUGH_SHARE = 50  # ... and at least this many times the look's own duration

Signature = tuple[tuple[str, int, int], ...]


def _folders(project: Project) -> list[Path]:
    found = []
    for location in project.version_locations:
        if not location.is_dir():
            continue
        found.append(location)
        if project.recursive:
            found += [Path(top) / d for top, dirs, _ in os.walk(location) for d in dirs if d != "__pycache__"]
    return found


def folder_signature(project: Project) -> Signature:
    """Each version folder with its modification time (size 0: folders' sizes mean nothing)."""
    found = []
    for folder in _folders(project):
        try:
            found.append((str(folder), 0, folder.stat().st_mtime_ns))
        except OSError:
            continue
    return tuple(found)


def file_signature(project: Project) -> Signature:
    """Every Python file of the version folders with its size and modification time."""
    found = []
    for folder in _folders(project):
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name.endswith(".py") and entry.is_file():
                        stat = entry.stat()
                        found.append((entry.path, stat.st_size, stat.st_mtime_ns))
        except OSError:
            continue
    return tuple(sorted(found))


class FileWatch:
    """Remembers what the revision files looked like at the last load, and says when that changed."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.folders = folder_signature(project)
        self.files, self.cost = self._timed_files()
        self.checked = time.monotonic()

    def _timed_files(self) -> tuple[Signature, float]:
        started = time.perf_counter()
        files = file_signature(self.project)
        return files, time.perf_counter() - started

    def changed(self) -> bool:
        """True when a revision file was added, removed or edited since this watch was made."""
        if folder_signature(self.project) != self.folders:
            return True
        if time.monotonic() - self.checked < max(THOROUGH_EVERY, THOROUGH_SHARE * self.cost):
            return False
        files, self.cost = self._timed_files()
        self.checked = time.monotonic()
        return files != self.files
