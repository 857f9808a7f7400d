"""Run a `switch` or `sync` plan: back the database up, then each step in order, logged.

After each Alembic step the version table is read again and must hold what the plan said; a step that
fails (or leaves the database elsewhere) stops the run, and the outcome says where the database stands and
what to run next. When `git switch` fails after the downgrades, the database is upgraded back.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ahq_history.config.project import Project
from ahq_history.core.shell import command_line
from ahq_history.db.steps import LOG_NAME, Step, StepLog, run_step
from ahq_history.write.switch import Plan, alembic_argv


@dataclass(frozen=True)
class Outcome:
    """How a run ended: `ok`, or the failed step, Alembic's (or git's) last words and what to run next."""

    ok: bool
    backup: Path | None = None
    failed: Step | None = None
    output: str = ""
    at: tuple[str, ...] = ()  # the database's rows when it stopped
    next: str = ""  # what to run next, as a sentence


def backup_first(plan: Plan, folder: Path) -> Path | None:
    """The SQLite backup, made before any step (None for a server: the caller has said there is none)."""
    from ahq_history.db.backup import backup_sqlite

    if plan.sqlite is None or not plan.sqlite.exists():
        return None
    return backup_sqlite(plan.sqlite, folder / "backups")


def execute(plan: Plan, project: Project, folder: Path, say: Callable[[str], None]) -> Outcome:
    """Back up, then run every step of `plan`, logging each one in `folder` (`.git/ahq-history/`)."""
    backup = backup_first(plan, folder)
    log = StepLog(folder / LOG_NAME, command_line(plan.command[:-1]), plan.command, list(plan.steps))
    log.save()
    try:
        for index, step in enumerate(plan.steps):
            say(f"step {index + 1}/{len(plan.steps)}: {command_line(step.argv)}")
            log.mark(index, "running")
            failure = _run_one(plan, project, step)
            if failure is not None:
                log.mark(index, "failed")
                return _stopped(plan, project, step, failure, backup)
            log.mark(index, "done")
    finally:
        if plan.scratch is not None:
            shutil.rmtree(plan.scratch, ignore_errors=True)
    log.clear()
    return Outcome(True, backup, at=_rows(plan, project))


def _run_one(plan: Plan, project: Project, step: Step) -> str | None:
    """None when the step ran and the database holds what it should; else what went wrong."""
    result = run_step(step)
    if not result.ok:
        return result.output or f"{command_line(step.argv)} failed"
    if step.action == "switch":
        return None
    rows = _rows(plan, project)
    expected = sorted(step.to.split("+")) if step.to != "base" else []
    if sorted(rows) != expected:
        return (f"the command ran, yet the database holds {', '.join(rows) or 'no revision'} instead of "
                f"{step.to}")
    return None


def _rows(plan: Plan, project: Project) -> tuple[str, ...]:
    from ahq_history.db.read import read_version_rows, version_table_settings

    table, schema = version_table_settings(project)
    return read_version_rows(plan.url, project.root, version_table=table, schema=schema).revisions


def _stopped(plan: Plan, project: Project, step: Step, failure: str, backup: Path | None) -> Outcome:
    at = _rows(plan, project)
    if step.action == "switch":
        return _switch_failed(plan, project, step, failure, backup)
    where = ", ".join(at) or "no revision"
    after = f"; the backup made before it is {backup}" if backup else ""
    dialect = plan.rows.dialect
    partial = (" On MariaDB/MySQL each DDL statement commits at once, so the revision may be partly "
               "applied: compare the schema with its file." if dialect in ("mysql", "mariadb") else "")
    return Outcome(False, backup, step, failure, at,
                   f"the database is at {where}{after}. Fix the cause, then run "
                   f"`{command_line(plan.command)}` to finish.{partial}")


def _switch_failed(plan: Plan, project: Project, step: Step, failure: str, backup: Path | None) -> Outcome:
    """`git switch` failed after the downgrades: upgrade back to where the database was."""
    rows = plan.rows.revisions
    target = rows[0] if len(rows) == 1 else "heads"
    back = Step("upgrade", alembic_argv(project, "upgrade", target), "+".join(rows), str(project.root))
    undone = _run_one(plan, project, back)
    at = _rows(plan, project)
    if undone is None:
        return Outcome(False, backup, step, failure, at,
                       f"the database was upgraded back to {', '.join(rows)}, where it was; nothing changed")
    return Outcome(False, backup, step, failure, at,
                   f"upgrading back failed too ({undone}); the database is at "
                   f"{', '.join(at) or 'no revision'}: run `{command_line(back.argv)}`")


def log_folder(project: Project) -> Path:
    """Where the step log and the backups go: the repository's `.git/ahq-history/`."""
    from ahq_history.git.repo import open_repo

    repo = open_repo(project.root)
    try:
        return repo.cache_dir
    finally:
        repo.close()
