"""Time the TUI on a generated project: process start to the first screen with revisions on it, and the
time from a key press to the cursor having moved on screen.

    python benchmarks/tui_bench.py --revisions 10000 [--presses 200] [--repeat 3]

The first-screen time is measured from just before a fresh Python process starts until the first screen
update that shows revisions is handed to the driver (headless Textual, so no terminal emulator is in the
figure); it includes
Python's start, the imports, scanning every revision file, the layout and the first paint. Git and the
database are read after the first screen, in workers, while the key presses are timed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OPTIONS = json.loads(os.environ.get("AHQ_TUI_BENCH_OPTIONS", "{}"))  # e.g. {"git": false}, to find a cost
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def child(root: Path, presses: int) -> None:
    """Run the app headless in this process; print one JSON line of figures."""
    from textual.worker import WorkerState

    from ahq_history.tui.app import HistoryApp
    from ahq_history.tui.widgets.graph_view import GraphView

    async def run() -> dict[str, object]:
        app = HistoryApp(str(root / "alembic.ini"), **{"watch": True, "cursor_blink": False, **OPTIONS})
        async with app.run_test(size=(160, 45)):  # headless: the screen is composed, not printed
            screen_updates = watch_updates(app)
            while not screen_updates.with_rows:
                await asyncio.sleep(0.002)
            first = screen_updates.with_rows[0]
            view = app.screen.query_one(GraphView)
            rows = len(view.rows)
            times = []
            for i in range(presses):
                key = "j" if (i // 50) % 2 == 0 else "k"  # down 50, up 50, ...
                times.append(await key_to_screen(app, view, key, screen_updates))
                await asyncio.sleep(0.02)  # a person's pace: the detail pane's worker runs in between
            end_jump = await key_to_screen(app, view, "G", screen_updates)
            assert view.cursor == rows - 1
            busy = [w.name for w in app.workers if w.state == WorkerState.RUNNING]
        return {"first_paint": first, "rows": rows, "press_ms": [t * 1000 for t in times],
                "end_ms": end_jump * 1000, "workers_running_at_end": busy}

    print(json.dumps(asyncio.run(run())))


class Updates(list[float]):
    """perf_counter() of each finished screen update; `with_rows`: time.time() of those showing revisions."""

    with_rows: list[float]


def watch_updates(app: Any) -> Updates:
    """Record when the app hands a finished screen update to its driver (`App._display`)."""
    from ahq_history.tui.widgets.graph_view import GraphView

    shown = Updates()
    shown.with_rows = []
    display = app._display

    def recorded(screen: Any, renderable: Any) -> None:
        display(screen, renderable)
        if renderable is not None:
            shown.append(time.perf_counter())
            views = app.screen.query(GraphView)
            if views and views.first().rows:
                shown.with_rows.append(time.time())

    app._display = recorded
    return shown


async def key_to_screen(app: Any, view: Any, key: str, shown: list[float]) -> float:
    """Seconds from a key event reaching the app's driver until a screen update with the cursor moved.

    The key goes in as the terminal driver sends it (not through the test pilot, whose waits for an idle
    process would be part of the figure)."""
    from textual import events

    before = view.cursor
    start = time.perf_counter()
    app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
    while not (view.cursor != before and shown and shown[-1] > start):
        await asyncio.sleep(0.0002)
    return shown[-1] - start


def first_screen(root: Path, presses: int) -> dict[str, object]:
    started = time.time()
    done = subprocess.run([sys.executable, __file__, "--child", str(root), "--presses", str(presses)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    figures["first_screen_s"] = float(figures["first_paint"]) - started  # type: ignore[arg-type]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--revisions", type=int, default=10_000)
    parser.add_argument("--presses", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.presses)
        return
    from generate import generate

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, args.revisions)
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "history"]):
            subprocess.run(["git", *command], cwd=root, check=True, capture_output=True)
        runs = [first_screen(root, args.presses) for _ in range(args.repeat)]
    firsts = [float(r["first_screen_s"]) for r in runs]  # type: ignore[arg-type]
    presses = sorted(ms for r in runs for ms in r["press_ms"])  # type: ignore[attr-defined]
    print(f"{runs[0]['rows']} revisions, {args.repeat} runs, {len(presses)} key presses")
    print(f"first screen: median {statistics.median(firsts):.2f} s (runs: "
          f"{', '.join(f'{t:.2f}' for t in firsts)})")
    print(f"key press to cursor moved: median {statistics.median(presses):.1f} ms, "
          f"p95 {presses[int(len(presses) * 0.95)]:.1f} ms, max {presses[-1]:.1f} ms")
    ends = ", ".join(f"{float(r['end_ms']):.1f}" for r in runs)  # type: ignore[arg-type]
    print(f"G (jump to the last revision): {ends} ms")


if __name__ == "__main__":
    main()
