"""A warning hook's time budget: how long it may hold git, and running its work within it.

The budget is `AHQ_HOOK_BUDGET` (seconds), else `git config ahq-history.hook-budget`, else 5 seconds. A file
in the repository cannot set it (config/settings.py: `hook-budget` is local-only). A value that is not a
number of seconds between 0 and `MAX_BUDGET` is warned about and the default is used: a warning hook must
never fail.
"""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from ahq_history.config.settings import SETTINGS

DEFAULT_BUDGET = 5.0  # seconds
BUDGET_VARIABLE = "AHQ_HOOK_BUDGET"
BUDGET_KEY = "ahq-history.hook-budget"

T = TypeVar("T")


def hook_budget(environ: Mapping[str, str], start: Path, warn: Callable[[str], None], *,
                variable: str = BUDGET_VARIABLE, key: str = BUDGET_KEY, default: float = DEFAULT_BUDGET
                ) -> float:
    """The budget in seconds: the environment variable, else git config, else the default. The gates
    (gate.py) pass their own `variable`, `key` and `default`."""
    text = environ.get(variable, "")
    if text.strip():
        return _checked(text, variable, warn, key, default)
    text = _git_config(start, key) or ""
    if text.strip():
        return _checked(text, f"git config {key}", warn, key, default)
    return default


def _checked(text: str, where: str, warn: Callable[[str], None], key: str, default: float) -> float:
    """`text` as seconds, checked by the one validator of the setting; the default when it is wrong."""
    setting = SETTINGS[key.removeprefix("ahq-history.")]
    value: object
    try:
        value = float(text)
    except ValueError:
        value = text
    problem = setting.problem(value)
    if problem is None and isinstance(value, float):
        return value
    what = f"{text!r} is {problem}" if (problem or "").startswith("not ") else f"{text!r}: {problem}"
    warn(f"ahq-history: {where} must be {setting.expects}: {what}; using {default:g} seconds")
    return default


def _git_config(start: Path, key: str) -> str | None:
    """`git config --get KEY`, or None (not set, no git, or git does not answer)."""
    try:
        done = subprocess.run(["git", "config", "--get", key], cwd=start, capture_output=True,
                              text=True, check=False, timeout=DEFAULT_BUDGET)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@dataclass
class Outcome(Generic[T]):
    """What the work came to: its value or its error, or neither when the budget ran out first."""

    done: bool = False
    value: T | None = None
    error: BaseException | None = None


def run_within(work: Callable[[], T], seconds: float) -> Outcome[T]:
    """Run `work` in a daemon thread and wait at most `seconds` for it.

    A thread rather than a signal: the waiting main thread is free whatever the work is stuck in (a read
    of a FIFO, a git subprocess, a C library that retries its call after EINTR), while a signal reaches
    only Python code in the main thread. The thread cannot be stopped; the caller leaves it behind."""
    outcome: Outcome[T] = Outcome()

    def target() -> None:
        try:
            outcome.value = work()
        except BaseException as error:  # handed to the caller, which reports it
            outcome.error = error
        outcome.done = True

    thread = threading.Thread(target=target, name="ahq-hook", daemon=True)
    thread.start()
    thread.join(seconds)
    return outcome
