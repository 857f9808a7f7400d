"""The files a plan writes: a new merge file's permissions, atomic replacement."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ahq_history.write.files import atomic_write_bytes
from tests.support.mergeproject import write


def test_a_new_merge_file_gets_the_permissions_of_any_new_file(project: Path) -> None:
    umask = os.umask(0o022)
    try:
        (written,) = write(project)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o644


# -- files ----------------------------------------------------------------------------------------


def test_atomic_write_keeps_permissions_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "rev.py"
    target.write_text("old\n")
    target.chmod(0o640)
    atomic_write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["rev.py"]
