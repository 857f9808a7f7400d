"""Driving the TUI in tests: wait until the app has finished its work before looking at the screen."""

from __future__ import annotations

import contextlib

from textual.pilot import Pilot
from textual.worker import WorkerState


async def settle(pilot: Pilot[int]) -> None:
    """Let every worker (and the workers they start) finish, and the screen catch up (the detail pane
    follows the cursor after a short rest, hence the first pause)."""
    await pilot.pause(0.1)
    for _ in range(100):
        await pilot.pause()
        running = [w for w in pilot.app.workers if w.state in (WorkerState.PENDING, WorkerState.RUNNING)]
        if not running:
            await pilot.pause()
            return
        for worker in running:
            with contextlib.suppress(Exception):  # a failed worker is the app's to show; tests look at it
                await worker.wait()
