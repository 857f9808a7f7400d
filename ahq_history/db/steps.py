"""Running the steps of a `switch` or `sync` (Alembic, Flask-Migrate, git) as subprocesses, and the step log.

The log (`steps.json` under `.git/ahq-history/`) is rewritten atomically before and after each step, so
after a failure or a kill it says which step was under way, and `status` can name the way to finish.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ahq_history.core.errors import UnreachableError

LOG_NAME = "steps.json"
StepState = Literal["todo", "running", "done", "failed"]


@dataclass(frozen=True)
class Step:
    """One command of a plan. `revision`: the revision a downgrade undoes; `to`: where the database stands
    after the step (a revision id, `base`, or the heads joined by `+`); `cwd`: where it runs."""

    action: Literal["downgrade", "switch", "upgrade"]
    argv: tuple[str, ...]
    to: str
    cwd: str
    revision: str | None = None
    state: StepState = "todo"


@dataclass
class StepLog:
    """The steps of one run and how far it got; `finish` is the command that completes it."""

    path: Path
    command: str
    finish: tuple[str, ...]
    steps: list[Step] = field(default_factory=list)
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%S"))

    def save(self) -> None:
        """Write the log atomically: a temporary file beside it, fsynced, then renamed over it."""
        payload = {"command": self.command, "finish": list(self.finish), "started": self.started,
                   "steps": [{**asdict(step), "argv": list(step.argv)} for step in self.steps]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".steps-", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, indent=2)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)

    def mark(self, index: int, state: StepState) -> None:
        self.steps[index] = replace(self.steps[index], state=state)
        self.save()

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def read_log(folder: Path) -> dict[str, Any] | None:
    """The step log left in `folder` by a run that did not finish, or None (none, or unreadable)."""
    try:
        data = json.loads((folder / LOG_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("steps"), list) else None


def unfinished(log: dict[str, Any], rows: Sequence[str]) -> tuple[int, dict[str, Any]] | None:
    """The first step still to run (its index and value), given the database's rows now: a step marked
    running whose target the database already holds counts as done (the kill came after its commit)."""
    for index, step in enumerate(log["steps"]):
        if step.get("state") == "done":
            continue
        if step.get("state") == "running" and step.get("action") != "switch" and _holds(step, rows):
            continue
        return index, step
    return None


def _holds(step: dict[str, Any], rows: Sequence[str]) -> bool:
    target = str(step.get("to", ""))
    return sorted(target.split("+")) == sorted(rows) or (target == "base" and not rows)


@dataclass(frozen=True)
class StepResult:
    ok: bool
    output: str  # the last lines the command wrote (its error, when it failed)


def run_step(step: Step, env: dict[str, str] | None = None) -> StepResult:
    """Run the step's command in its folder, output captured; a command that cannot start raises
    UnreachableError (exit 2)."""
    try:
        done = subprocess.run(list(step.argv), cwd=step.cwd, capture_output=True, text=True,
                              env={**os.environ, **(env or {})}, check=False)
    except OSError as error:
        raise UnreachableError(f"cannot run {step.argv[0]}: {error.strerror or error}",
                               "check that the command is installed in this environment") from None
    tail = "\n".join((done.stderr + done.stdout).strip().splitlines()[-8:])
    return StepResult(done.returncode == 0, tail)


def interrupted_run(root: Path, rows: Sequence[str]) -> dict[str, Any] | None:
    """What the step log of the repository holding `root` says about a run that did not finish, given the
    database's rows now: the command, the step it stopped at, where the database is, and how to finish.
    None when there is no log (or no git)."""
    from ahq_history.git.repo import open_repo

    try:
        repo = open_repo(root)
    except UnreachableError:
        return None
    try:
        log = read_log(repo.cache_dir)
    finally:
        repo.close()
    if log is None:
        return None
    left = unfinished(log, rows)
    index, step = left if left is not None else (len(log["steps"]), {})
    return {"command": log.get("command"), "finish": list(log.get("finish") or []), "step": index + 1,
            "steps": len(log["steps"]), "action": step.get("action"), "revision": step.get("revision"),
            "argv": list(step.get("argv") or []), "at": list(rows)}


def interrupted_lines(run: dict[str, Any]) -> list[str]:
    """`interrupted_run` in words, for `status`."""
    from ahq_history.core.shell import command_line

    at = ", ".join(run["at"]) or "no revision"
    what = f" ({run['action']} {run['revision'] or ''})".replace(" )", ")") if run["action"] else ""
    return ["", f"`{run['command']}` did not finish: it stopped at step {run['step']} of {run['steps']}"
            f"{what}; the database is at {at}.",
            f"  to finish: {command_line(run['finish'])}" if run["finish"] else "",
            f"  (the step it stopped at: {command_line(run['argv'])})" if run["argv"] else ""]
