"""The history as `history --json` gives it, git's columns per revision, and problems as lines; shared by
the CLI and the TUI."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ahq_history.core.display import clean

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.model import Problem
    from ahq_history.report.lanes import GitColumns, Row


def history_report(loaded: Loaded, rows: list[Row], git: dict[str, GitColumns] | None, note: str | None,
                   exit_code: int) -> dict[str, object]:
    """The `history --json` object (docs/json.md)."""
    from ahq_history.report.lanes import history_json

    return {
        "revisions": history_json(rows, loaded.graph, git),
        "heads": loaded.graph.heads,
        "diverged": loaded.graph.diverged,
        "problems": [p.as_json() for p in loaded.problems],
        "git_note": note,
        "exit_code": exit_code,
    }


def git_columns(loaded: Loaded,
                upstream: str | None = None) -> tuple[dict[str, GitColumns] | None, str | None]:
    """Author, date and publication per revision, or (None, why not) outside a git repository.

    The note also says when publication is unknown (no remote-tracking branch). Raises UnreachableError
    when git fails or `upstream` names nothing.
    """
    from ahq_history.git.facts import provenance_for
    from ahq_history.report.lanes import git_columns as columns

    found = provenance_for(loaded, upstream)
    return (columns(found.provenance) if found.provenance else None), found.note


def problem_lines(problems: list[Problem]) -> list[str]:
    """`error: path:line: message`, one line per problem."""
    lines = []
    for problem in problems:
        where = problem.path or ""
        if where and problem.line:
            where += f":{problem.line}"
        lines.append(clean(f"{problem.severity}: {where + ': ' if where else ''}{problem.message}"))
    return lines
