"""The TUI on a versions folder that holds a symlink to `/dev/zero` and a FIFO: it opens, names both in its
error dialog, and never reads either (read naively, the first eats memory and the second hangs)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ahq_history.tui.app import HistoryApp
from ahq_history.tui.screens.dialogs import MessageDialog
from tests.support.pilot import settle
from tests.support.projects import add_revision, alembic_project


def test_tui_names_a_symlink_to_dev_zero_and_a_fifo_instead_of_reading_them(tmp_path: Path) -> None:
    root = alembic_project(tmp_path / "p")
    add_revision(root, "create users", "cafe00000001")
    versions = root / "migrations" / "versions"
    (versions / "zero.py").symlink_to("/dev/zero")
    os.mkfifo(versions / "fifo.py")

    async def go() -> MessageDialog:
        app = HistoryApp(str(root / "alembic.ini"), watch=False, git=False, database=False,
                         cursor_blink=False)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            dialog = app.screen
            assert isinstance(dialog, MessageDialog)
            return dialog

    dialog = asyncio.run(asyncio.wait_for(go(), timeout=60))
    assert "migrations/versions/fifo.py: fifo.py cannot be read (it is a FIFO, not a file)" in dialog.message
    assert "migrations/versions/zero.py: zero.py cannot be read (it is a character device" in dialog.message
