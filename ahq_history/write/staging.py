"""The small pieces a write transaction is made of: a new file written whole and fsynced, a folder fsynced,
digests, where a file's new bytes are staged (never under a version location), and the pause that tests
put between steps.

A staged file must be on the target's filesystem (`os.replace` is atomic only there) and must never sit
under a version location: with `recursive_version_locations` Alembic loads every `.py` below one, dot
folders included. The journal folder (under `.git/`) is the first choice; when it is on another
filesystem, a folder beside the outermost version location that holds the target.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import uuid
from collections.abc import Sequence
from pathlib import Path

from ahq_history.core.errors import UnreachableError

PAUSE_VARIABLE = "AHQ_HISTORY_TEST_WRITE_PAUSE_US"  # tests only: the most microseconds to sleep per step
STAGING_FOLDER_PREFIX = ".ahq-history-staging-"


def pause() -> None:
    """Tests only (PAUSE_VARIABLE set): sleep a random number of microseconds, so that a test that kills
    the writer lands anywhere between two steps."""
    limit = os.environ.get(PAUSE_VARIABLE)
    if not limit:
        return
    import random
    import time

    time.sleep(random.uniform(0, float(limit)) / 1_000_000)


def write_new(path: Path, data: bytes, mode: int | None = None) -> None:
    """A new file `path` (it must not exist) holding `data`, fsynced before this returns. Its permission
    bits are `mode` when given, else those of any new file (0o666 less the umask, as Alembic's)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            if mode is not None:
                os.chmod(path, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def fsync_folder(folder: Path) -> None:
    """Make a rename or a new name in `folder` durable (where the platform lets a folder be fsynced)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_digest(path: Path) -> str | None:
    """The digest of the file at `path` (not following a final symlink's absence), None when missing."""
    try:
        return digest(path.read_bytes())
    except FileNotFoundError:
        return None


def missing_folders(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist, outermost first (what a write would make)."""
    return list(reversed([p for p in (folder, *folder.parents) if not os.path.lexists(p)]))


def real_path(path: Path) -> Path:
    """`path` with every symlink among its existing parts resolved (the rest kept as written)."""
    return Path(os.path.realpath(path))


def staging_folder(target: Path, journal: Path, locations: Sequence[Path]) -> Path | None:
    """Where to stage the new bytes of `target`: None for the journal folder itself (on the target's
    filesystem), else a new folder's path beside the outermost version location holding `target`.
    Raises UnreachableError when no folder outside the version locations shares the target's filesystem."""
    device = _device(_existing(target.parent))
    if _device(_existing(journal)) == device:
        return None
    outside = _outside(target.parent, [real_path(loc) for loc in locations])
    if _device(_existing(outside)) != device:
        raise UnreachableError(
            f"cannot stage {target.name}: no folder outside the version locations is on its filesystem",
            hint="a version location is a mount point of its own; write the change by hand")
    return outside / f"{STAGING_FOLDER_PREFIX}{uuid.uuid4().hex}"


def _device(path: Path) -> int:
    return os.stat(path).st_dev


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _outside(folder: Path, locations: Sequence[Path]) -> Path:
    """The nearest folder at or above `folder` that is neither a version location nor inside one."""
    while any(folder == loc or folder.is_relative_to(loc) for loc in locations) and folder != folder.parent:
        folder = folder.parent
    return folder
