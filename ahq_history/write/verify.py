"""`verify`: run the project's migrations `upgrade heads`, `downgrade base`, `upgrade heads` on a scratch
database (`db/scratch.py`), each step in a child process with the user's `env.py`, and say which revision
failed with Alembic's error.

The child (`write/verifychild.py`) is Alembic's own command line, or for Flask-Migrate the project's `flask
db` (its env.py needs the application), given the scratch URL as the configuration's `sqlalchemy.url` and as
`DATABASE_URL` (and the variable env.py reads, when it reads another). Before a revision runs, the child
proves that the connection env.py passes to Alembic is the scratch database, by reading the marker table
created there; otherwise it stops at once and verify refuses (exit 2). Steps stop at the first failure: a
failed step leaves the scratch database half-way, so the next one would prove nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ahq_history.config.project import Project
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, RefusedError, UnreachableError
from ahq_history.db.scratch import MARKER, Scratch, ScratchSpec, scratch_database
from ahq_history.db.url import scrub

STEPS = (("upgrade", "heads"), ("downgrade", "base"), ("upgrade", "heads"))
STEP_TIMEOUT = 600.0  # seconds per step: generous, yet a migration that hangs cannot hang verify (or CI)
REFUSED = 86  # verifychild.REFUSED (not imported: that module imports Alembic's patched parts)
HINT = ("env.py must connect to the URL it is given (the configuration's sqlalchemy.url, or DATABASE_URL for "
        "an application); verify never runs migrations on another database")


class VerifyRefused(RefusedError):
    """The connection env.py opened is not the scratch database: nothing was run on it (exit 2)."""

    exit_code = 2


@dataclass(frozen=True)
class StepResult:
    """One of the three steps: the revisions it ran, and the one that failed with Alembic's error."""

    command: str  # "upgrade heads"
    ran: tuple[str, ...]  # revision ids whose upgrade()/downgrade() finished
    failed: str | None = None  # the revision that raised, when one did
    path: str | None = None  # its file, as Alembic loaded it
    direction: str = ""
    error: str = ""  # Alembic's (or the driver's) error; "" when the step passed

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Verification:
    scratch: str  # where it ran, as shown
    steps: tuple[StepResult, ...]
    notes: tuple[str, ...]

    @property
    def exit_code(self) -> int:
        return EXIT_OK if all(step.ok for step in self.steps) else EXIT_NEGATIVE


def verify(project: Project, spec: ScratchSpec, timeout: float = STEP_TIMEOUT) -> Verification:
    """Run the steps on a new scratch database; the first failure (or a step past `timeout` seconds) ends
    the run."""
    results: list[StepResult] = []
    with scratch_database(spec) as scratch:
        for direction, target in STEPS:
            result = run_step(project, scratch, direction, target, timeout)
            results.append(result)
            if not result.ok:
                break
    return Verification(scratch.shown, tuple(results), spec.notes)


def run_step(project: Project, scratch: Scratch, direction: str, target: str,
             timeout: float = STEP_TIMEOUT) -> StepResult:
    """One Alembic command in the child process, and what its events say; past `timeout` seconds the
    child's whole process group is killed and the revision it was running is named."""
    command = f"{direction} {target}"
    with tempfile.TemporaryDirectory(prefix="ahq-verify-events-") as folder:
        events_path = Path(folder) / "events.jsonl"
        events_path.touch()
        done = _run_child(child_argv(project, direction, target), child_cwd(project),
                          child_env(project, scratch, events_path), timeout)
        events = [json.loads(line) for line in events_path.read_text().splitlines() if line.strip()]
    if done is None:
        return _timed_out(command, events, timeout)
    return _result(command, done, events, scratch)


def _run_child(argv: list[str], cwd: Path, env: dict[str, str], timeout: float
               ) -> subprocess.CompletedProcess[str] | None:
    """Run the child in its own process group (a migration may start processes of its own); None when
    it ran past `timeout` and the group was killed."""
    with subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          start_new_session=True) as child:
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):  # it ended just now
                os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            return None
    return subprocess.CompletedProcess(argv, child.returncode, out, err)


def _timed_out(command: str, events: list[dict[str, Any]], timeout: float) -> StepResult:
    """The step that ran past its time: the revision that started and did not finish, when one did."""
    ran = tuple(event["revision"] for event in events if event["event"] == "done")
    started = [event for event in events if event["event"] == "start"]
    running = next((event for event in reversed(started) if event["revision"] not in ran), None)
    error = f"timed out after {timeout:g} s: the child process was killed (--step-timeout sets the limit)"
    if running is None:
        return StepResult(command, ran, error=error)
    return StepResult(command, ran, running["revision"], running["path"], running["direction"], error)


def child_argv(project: Project, direction: str, target: str) -> list[str]:
    """The child's words: `alembic -c INI -n SECTION upgrade heads`, or the project's `flask [--app X] db
    upgrade --directory MIGRATIONS heads`."""
    child = [sys.executable, "-m", "ahq_history.write.verifychild"]
    if project.layout == "flask-migrate":
        return [*child, "flask", *_flask_options(project), "db", direction, "--directory",
                str(project.script_location), target]
    config = [] if project.config_path.name == "pyproject.toml" else ["-c", str(project.config_path)]
    return [*child, "alembic", *config, "-n", project.ini_section, direction, target]


def _flask_options(project: Project) -> list[str]:
    """What the team's upgrade command puts between `flask` and `db` (`--app backend.run`)."""
    words = list(project.upgrade_argv)
    if words and Path(words[0]).name == "flask" and "db" in words:
        return words[1:words.index("db")]
    return []


def child_cwd(project: Project) -> Path:
    """Where the team runs the command: beside the ini, or for Flask-Migrate the folder holding
    `migrations/` (the app's package is imported from there)."""
    if project.layout == "flask-migrate":
        return project.script_location.parent
    return project.config_path.parent


def child_env(project: Project, scratch: Scratch, events: Path) -> dict[str, str]:
    from ahq_history.db.applied import _env_connection

    env = dict(os.environ)
    env.update(AHQ_VERIFY_EVENTS=str(events), AHQ_VERIFY_TOKEN=scratch.token, AHQ_VERIFY_MARKER=MARKER,
               AHQ_VERIFY_URL=scratch.url, DATABASE_URL=scratch.url)
    variable = _env_connection(project, env).variable  # env.py reads another variable: set it too
    if variable:
        env[variable] = scratch.url
    return env


def _result(command: str, done: subprocess.CompletedProcess[str], events: list[dict[str, Any]],
            scratch: Scratch) -> StepResult:
    kinds = [event["event"] for event in events]
    refused = next((event for event in events if event["event"] == "refused"), None)
    if refused is not None or done.returncode == REFUSED:
        reason = refused["reason"] if refused else "the child stopped without saying why"
        raise VerifyRefused(f"refused: {reason}; nothing was run", hint=HINT)
    ran = tuple(event["revision"] for event in events if event["event"] == "done")
    failed = next((event for event in events if event["event"] == "failed"), None)
    if failed is not None:
        return StepResult(command, ran, failed["revision"], failed["path"], failed["direction"],
                          scrub(failed["error"], scratch.url))
    if "proven" not in kinds:
        tail = _tail(done, scratch)
        if done.returncode:
            raise UnreachableError(f"{command}: env.py failed before it opened a connection: {tail}",
                                   hint="run the project's own upgrade command to see the whole error")
        raise VerifyRefused(f"refused: {command} ran without a connection that could be checked; nothing "
                            "was run", hint=HINT)
    if done.returncode:
        return StepResult(command, ran, error=_tail(done, scratch))
    return StepResult(command, ran)


def _tail(done: subprocess.CompletedProcess[str], scratch: Scratch) -> str:
    """The last words the child said (Alembic's `FAILED: ...`, a traceback's last line)."""
    lines = [line for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return scrub(lines[-1].strip() if lines else f"exit status {done.returncode}", scratch.url)
