"""`check` over several projects of one repository (`check --all`, `[tool.ahq-history] projects`): each
project's own `check` report, one after the other, and one exit code for all of them.

The exit code is the worst by what it asks of the person: 2 (a project cannot be read: its answer is
missing) over 3 (a broken graph) over 1 (a divergence) over 0, as exit 2 already wins over 3 for one
project (docs/json.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ahq_history.config.covered import Covered
from ahq_history.core.display import clean, clean_lines
from ahq_history.core.errors import (
    EXIT_BROKEN,
    EXIT_NEGATIVE,
    EXIT_OK,
    EXIT_USAGE,
    AhqError,
    BrokenGraphError,
    ConfigError,
    RefusedError,
    UnreachableError,
    UsageError,
)
from ahq_history.core.shell import command_line
from ahq_history.report.check import check_report, render_check_text

PROGRAM = "ahq-history"
_RANK = {EXIT_OK: 0, EXIT_NEGATIVE: 1, EXIT_BROKEN: 2, EXIT_USAGE: 3}
_WORDS = {EXIT_OK: "fine", EXIT_NEGATIVE: "diverged", EXIT_BROKEN: "broken graph",
          EXIT_USAGE: "cannot be read"}


def worst_exit_code(codes: list[int]) -> int:
    """2 over 3 over 1 over 0 (an unknown code counts as 2)."""
    return max(codes, key=lambda code: _RANK.get(code, _RANK[EXIT_USAGE]), default=EXIT_OK)


def projects_report(covered: Covered, origin: Path, *, why: str, use_cache: bool = True,
                    against: str | None = None, upstream: str | None = None) -> dict[str, Any]:
    """One entry per project (docs/json.md, `check` over several projects): its configuration as shown,
    its exit code, and its `check` report or the error that stopped it. The commands each report advises
    name the project with `-c`, from `origin`, so they run from where `check` ran."""
    entries: list[dict[str, Any]] = []
    for shown, project in covered.projects:
        try:
            report = check_report(str(project.config_path), use_cache=use_cache, against=against,
                                  upstream=upstream)
        except AhqError as error:
            entries.append(_failed(shown, error))
            continue
        name_config(report, os.path.relpath(project.config_path, origin))
        entries.append({"config": shown, "exit_code": report["exit_code"], "report": report, "error": None})
    entries.extend(_failed(shown, error) for shown, error in covered.broken)
    return {"projects": entries, "exit_code": worst_exit_code([e["exit_code"] for e in entries]),
            "notes": [why]}


def _failed(shown: str, error: AhqError) -> dict[str, Any]:
    documented = (ConfigError, UsageError, UnreachableError, BrokenGraphError, RefusedError)
    kind = next((k.__name__ for k in documented if isinstance(error, k)), "AhqError")
    return {"config": shown, "exit_code": error.exit_code, "report": None,
            "error": {"kind": kind, "message": error.message, "hint": error.hint,
                      "exit_code": error.exit_code}}


def name_config(report: dict[str, Any], config: str) -> None:
    """Put `-c CONFIG` into every `ahq-history` command the report advises (its argv and its line): with
    several projects, a command without it would stop at the choice between them."""
    def named(argv: list[str]) -> list[str]:
        return [argv[0], "-c", config, *argv[1:]] if argv and argv[0] == PROGRAM else argv

    for divergence in report["divergences"]:
        if divergence.get("command_argv"):
            divergence["command_argv"] = named(divergence["command_argv"])
            divergence["command"] = command_line(divergence["command_argv"])
    steps = [named(list(argv)) for argv in report["next_argv"]]
    for before, after in zip(report["next_argv"], steps, strict=True):
        report["next"] = report["next"].replace(command_line(before), command_line(after), 1)
    report["next_argv"] = steps


def render_projects_text(report: dict[str, Any]) -> str:
    """One block per project under its configuration's path, then one line with each project's answer."""
    blocks: list[str] = []
    for entry in report["projects"]:
        if entry["report"] is not None:
            body = render_check_text(entry["report"])
        else:
            error = entry["error"]
            hint = f"\n  hint: {error['hint']}" if error["hint"] else ""
            body = clean(f"error: {error['message']}{hint}", multiline=True)  # as `main` prints an error
        blocks.append(f"== {clean_lines([entry['config']])} ==\n{body}")
    answers = ", ".join(f"{e['config']} {_WORDS.get(e['exit_code'], 'failed')} (exit {e['exit_code']})"
                        for e in report["projects"])
    summary = clean_lines([*(f"note: {note}" for note in report["notes"]),
                           f"{len(report['projects'])} projects: {answers}"])
    return "\n\n".join([*blocks, summary])


def covered_because(listed: bool, top: Path) -> str:
    """The note saying which projects were covered and why."""
    if listed:
        return f"the projects listed in [tool.ahq-history] projects (relative to {top})"
    return f"every Alembic project git lists in the repository at {top} (--all)"

