"""The command line run in this process, as `ahq-history ARGS` runs: its exit code and what it printed."""

from __future__ import annotations

import json
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
