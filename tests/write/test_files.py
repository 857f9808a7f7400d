"""The files a plan writes: a new merge file's permissions (the journaled writes: test_journal.py)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.support.mergeproject import write


def test_a_new_merge_file_gets_the_permissions_of_any_new_file(project: Path) -> None:
    umask = os.umask(0o022)
    try:
        (written,) = write(project)
    finally:
        os.umask(umask)
    assert stat.S_IMODE(written.path.stat().st_mode) == 0o644
