"""`ahq-history heads` (not built yet)."""

from __future__ import annotations

import argparse

from ahq_history.errors import UsageError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise UsageError("'heads' is not available yet")
