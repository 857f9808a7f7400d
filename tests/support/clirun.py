"""The command line run in this process, as `ahq-history ARGS` runs: its exit code and what it printed."""

from __future__ import annotations

import contextlib
import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ahq_history.cli.main import main


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`ahq-history ARGS`: exit code, stdout, stderr."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    """`ahq-history -c ROOT/alembic.ini check --json ARGS`: exit code and the report."""
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "check", "--json", *args)
    return code, json.loads(out)


def read_until(fd: int, marker: bytes) -> bytes:
    """What a terminal's leader side reads until `marker` shows (or the child closes it)."""
    seen = b""
    while marker not in seen:
        ready, _, _ = select.select([fd], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def on_a_terminal(cwd: Path, args: list[str], answer: bytes, prompt: bytes = b"Write it? [y/N] "
                  ) -> tuple[int, bytes]:
    """`ahq-history ARGS` on a real terminal (a pty), typing `answer` when it asks (or when it ends without
    asking): its exit code and everything it showed."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ahq_history", *args], cwd=cwd,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    shown = read_until(leader, prompt)
    with contextlib.suppress(OSError):  # it ended without asking
        os.write(leader, answer)
    shown += read_until(leader, b"\x00never")
    os.close(leader)
    return proc.wait(), shown
