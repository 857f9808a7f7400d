"""Reading a file that someone else put in the repository: never a hang, never unbounded memory.

Standard library only. A FIFO, a device, a socket or a folder (or a symlink to one) is refused before a
byte is read, with words that say what it is."""

from __future__ import annotations

import errno
import os
import stat

MAX_FILE_BYTES = 16 * 1024 * 1024  # a revision file is a few kB; this is a mistake or an attack
_KINDS = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder"))


def read_regular_file(full: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `full` (symlinks followed, as Alembic does), or OSError naming why not.

    `stat` first, so that a device, a FIFO or a socket is never opened at all (opening some devices acts);
    then opened with O_NONBLOCK, so that one swapped in meanwhile cannot hang the open, and checked again
    with `fstat` on the open descriptor (no window between that check and the read). Anything but a
    regular file of at most `limit` bytes is refused before a byte is read."""
    _refuse(os.stat(full), limit)
    fd = os.open(full, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        _refuse(os.fstat(fd), limit)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew after the check
        raise OSError(errno.EFBIG, f"it is over {limit:,} bytes; a revision file is far smaller")
    return data


def _refuse(info: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        raise OSError(errno.EINVAL, f"it is {kind}, not a file")
    if info.st_size > limit:
        raise OSError(errno.EFBIG, f"it is {info.st_size:,} bytes; a revision file is far smaller")


def reason(error: OSError) -> str:
    if error.errno == errno.ELOOP:
        return "it is a symlink loop"
    if error.errno == errno.ENOENT:
        return "it vanished while being read, or is a symlink to nothing"
    return error.strerror or str(error)
