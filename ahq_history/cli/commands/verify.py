"""`ahq-history verify`: prove the history on a scratch database of the project's own dialect.

`upgrade heads`, `downgrade base`, `upgrade heads`, each run by Alembic (or the project's `flask db`) in a
child process with the user's env.py (`write/verify.py`), on a temporary SQLite file or a database created
for this run on `--scratch-server` (`db/scratch.py`). Exit 0 when every step passes, 1 naming the revision
that failed with Alembic's error, 2 when it cannot run (including an env.py that does not connect to the
scratch database it is given: refused before any revision runs).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import add_database_url, json_text, output_format
from ahq_history.core.display import clean

if TYPE_CHECKING:
    from ahq_history.config.project import Project
    from ahq_history.write.verify import StepResult, Verification


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_scratch_server(parser)
    add_database_url(parser, when="to choose the scratch dialect: ")
    parser.add_argument("--format", choices=("text", "json", "github"), default=None, dest="output_format",
                        help="text (default), json (as --json) or github (workflow annotations on the "
                        "failing revision's file, after the text); the exit code is the same in each")
    parser.add_argument("--step-timeout", metavar="SECONDS", type=_seconds, default=None,
                        help="stop a step (upgrade heads, downgrade base, upgrade heads) that runs longer, "
                        "killing its process group, and name the revision it was running (default 600)")


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number of seconds above 0")
    return seconds


def add_scratch_server(parser: argparse.ArgumentParser) -> None:
    """`--scratch-server URL`, shared with `merge-heads --verify`."""
    parser.add_argument("--scratch-server", metavar="URL", default=None,
                        help="PostgreSQL or MariaDB server on which a database is created for this run and "
                        "dropped after it (needed when the project's database is not SQLite)")


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.project import find_project

    fmt = output_format(args)
    project = find_project(config=Path(args.config) if args.config else None)
    return verify_and_say(project, args.database_url, args.scratch_server, fmt, args.step_timeout)


def verify_and_say(project: Project, database_url: str | None, scratch_server: str | None,
                   fmt: str = "text", step_timeout: float | None = None) -> int:
    """Verify the project and print what happened in `fmt`; the exit code (0 passed, 1 a step failed)."""
    from ahq_history.db.scratch import scratch_spec
    from ahq_history.write.verify import STEP_TIMEOUT, verify

    spec = scratch_spec(project, database_url, scratch_server)
    if fmt != "json":
        print(clean(f"verifying on a {'temporary SQLite file' if spec.server is None else 'scratch database'}"
                    f": upgrade heads, downgrade base, upgrade heads"))
    verification = verify(project, spec, step_timeout or STEP_TIMEOUT)
    if fmt == "json":
        print(json_text(as_json(verification)))
    else:
        print("\n".join(clean(line, multiline=True) for line in text_lines(verification)))
    if fmt == "github":
        annotations = github_annotations(project, verification)
        print(annotations, end="\n" if annotations else "")
    return verification.exit_code


def text_lines(verification: Verification) -> list[str]:
    from ahq_history.write.verify import STEPS

    lines = [f"note: {note}" for note in verification.notes]
    lines.append(f"scratch: {verification.scratch} (removed)")
    for step in verification.steps:
        lines.extend(_step_lines(step))
    for direction, target in STEPS[len(verification.steps):]:
        lines.append(f"{direction} {target}: not run")
    failed = next((step for step in verification.steps if not step.ok), None)
    if failed is None:
        lines.append("verified: every revision upgrades, downgrades and upgrades again")
    else:
        where = f"revision {failed.failed}'s {failed.direction}()" if failed.failed else failed.command
        lines.append(f"verify failed: {where} on the scratch database")
    return lines


def _step_lines(step: StepResult) -> list[str]:
    count = f"{len(step.ran)} revision{'s' if len(step.ran) != 1 else ''}"
    if step.ok:
        return [f"{step.command}: ok ({count}{': ' + ', '.join(step.ran) if step.ran else ''})"]
    if step.failed:
        head = (f"{step.command}: FAILED in revision {step.failed} ({step.direction}, {step.path}) "
                f"after {count}")
    else:
        head = f"{step.command}: FAILED after {count}"
    return [head, *(f"  {line}" for line in step.error.splitlines() if line.strip())]


def as_json(verification: Verification) -> dict[str, Any]:
    return {
        "scratch": verification.scratch,
        "notes": list(verification.notes),
        "steps": [{"command": s.command, "ok": s.ok, "ran": list(s.ran), "failed": s.failed,
                   "direction": s.direction or None, "path": s.path, "error": s.error or None}
                  for s in verification.steps],
        "exit_code": verification.exit_code,
    }


def github_annotations(project: Project, verification: Verification) -> str:
    """One `::error` per failed step, on the failing revision's file (its `def upgrade`/`def downgrade`
    line), else on the configuration file."""
    from ahq_history.report.annotations import Item
    from ahq_history.report.formats import render_github

    top = next((d for d in (project.root, *project.root.parents) if (d / ".git").exists()), project.root)
    items = []
    for step in verification.steps:
        if step.ok:
            continue
        path = Path(step.path) if step.path else project.config_path
        line = _def_line(path, step.direction) if step.path else 1
        title = f"ahq-history verify: {step.direction or step.command} of {step.failed}" if step.failed \
            else f"ahq-history verify: {step.command}"
        items.append(Item(level="error", rule="verify", rule_name="verify", line=line, title=title,
                          path=Path(os.path.relpath(path, top)).as_posix(), message=step.error))
    return render_github(items)


def _def_line(path: Path, direction: str) -> int:
    """The line of `def <direction>(` in the revision file, 1 when it cannot be found."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    return next((n for n, text in enumerate(lines, 1) if text.startswith(f"def {direction}(")), 1)
