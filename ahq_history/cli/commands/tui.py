"""`ahq-history tui`: browse the revision graph in the terminal (Textual, imported only here)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.display import clean
from ahq_history.core.errors import EXIT_OK, UsageError

if TYPE_CHECKING:
    from ahq_history.config.project import Project


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-git", action="store_true", help="do not read git history")
    parser.add_argument("--no-database", action="store_true",
                        help="do not read which revisions the database has applied")
    parser.add_argument("--no-watch", action="store_true", help="do not reload when revision files change")
    parser.add_argument("--database-url", metavar="URL",
                        help="the database whose applied revisions are marked (default: as `status`)")


def run(args: argparse.Namespace) -> int:
    if args.json:
        raise UsageError("--json does not apply to the TUI",
                         hint="`ahq-history check --json` or `ahq-history history --json` give JSON")
    if not _on_a_terminal():  # first, before anything is read or recovered: Textual would wait forever
        raise UsageError("the TUI needs a terminal (standard input and output are not both one); "
                         "use `ahq-history check` or `ahq-history history` instead")

    # A missing or unreadable project is said in the terminal (exit 2), before the screen opens; so is an
    # interrupted write, finished or undone first (the TUI writes too), its words left above the screen.
    project, projects = _opened(args.config)
    from ahq_history.write.commit import recover_project

    recovered = recover_project(project)
    if recovered is not None:
        print(f"ahq-history: {clean(recovered.describe())}", file=sys.stderr)
    from ahq_history.tui.app import HistoryApp

    config = str(project.config_path) if projects else args.config
    app = HistoryApp(config, projects=projects, watch=not args.no_watch, git=not args.no_git,
                     database=not args.no_database, database_url=args.database_url)
    app.run()
    return app.return_code or EXIT_OK


def _opened(config: str | None) -> tuple[Project, tuple[tuple[str, Path], ...]]:
    """The project the TUI opens on, and the projects `P` offers: none when one was found or named; when the
    repository holds several and none is named, those `[tool.ahq-history] projects` lists (in its order),
    else every one git lists (sorted by configuration). The TUI cannot ask which, so, like the hooks, it
    covers them all and opens on the first; a configuration that cannot be read is named and left out."""
    from ahq_history.config.covered import every_project, listed_projects
    from ahq_history.config.discover import SeveralProjects
    from ahq_history.config.project import find_project

    try:
        return find_project(config=Path(config) if config else None), ()
    except SeveralProjects:
        covered = listed_projects(Path.cwd()) or every_project(Path.cwd())
        if not covered.projects:  # none can be read: the error that lists them
            raise
    for shown, error in covered.broken:
        print(f"ahq-history: {clean(shown)} left out: {clean(error.message)}", file=sys.stderr)
    first = covered.projects[0][1]
    return first, tuple((shown, project.config_path) for shown, project in covered.projects)


def _on_a_terminal() -> bool:
    """Whether standard input and output are both a terminal (either may be None or closed)."""
    try:
        return bool(sys.stdin and sys.stdin.isatty() and sys.stdout and sys.stdout.isatty())
    except ValueError:  # a closed stream
        return False
