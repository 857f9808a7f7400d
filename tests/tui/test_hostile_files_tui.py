"""The TUI on a versions folder that holds symlinks to `/dev/zero` and `/dev/tty`, a FIFO and a symlink loop:
it opens, names them in its error dialog, and never reads one (read naively, they eat memory or hang)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from ahq_history.tui.app import HistoryApp
from ahq_history.tui.screens.dialogs import MessageDialog
from tests.support.pilot import settle
from tests.support.projects import add_revision, alembic_project


def test_tui_names_dev_zero_dev_tty_a_fifo_and_a_loop_instead_of_reading_them(tmp_path: Path) -> None:
    root = alembic_project(tmp_path / "p")
    add_revision(root, "create users", "cafe00000001")
    versions = root / "migrations" / "versions"
    (versions / "zero.py").symlink_to("/dev/zero")
    (versions / "tty.py").symlink_to("/dev/tty")
    (versions / "loop.py").symlink_to(versions / "loop.py")
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
    assert "migrations/versions/fifo.py cannot be read (it is a FIFO, not a file)" in dialog.message
    assert "migrations/versions/loop.py cannot be read (it is a symlink loop)" in dialog.message
    assert "and 1 more" in dialog.message  # tty.py and zero.py: three are named, the rest counted
