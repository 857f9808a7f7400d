"""`ahq-history check`: heads, divergences with their forks and sides, problems, and the next step.

A warm run answers from the cache with the standard library alone; networkx and the scanner's full
work load only on a miss.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ahq_history.cli.options import add_upstream, json_text
from ahq_history.config.discover import SeveralProjects
from ahq_history.core.errors import AhqError
from ahq_history.report.check import check_report, render_check_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true", help="read every file again; do not use the cache")
    parser.add_argument("--hook", nargs="+", metavar=("NAME", "ARG"), default=None,
                        help="what the git hooks run: warn about what git just brought (always exit 0)")
    parser.add_argument("--against", metavar="REF", default=None,
                        help="the heads that merging REF (e.g. origin/main, after `git fetch`) would leave; "
                        "reads git objects only, never the work tree, the index or HEAD")
    add_upstream(parser)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "hook", None):
        try:  # before any heavy import; whatever happens, a hook exits 0 (hookrun.py)
            from ahq_history.hooks.run import run_hook

            return run_hook(args.hook[0], args.hook[1:], config=args.config, exit_if_stuck=True)
        except BaseException:
            return 0
    try:
        report = check_report(args.config, use_cache=not args.no_cache, against=args.against,
                              upstream=args.upstream)
    except SeveralProjects as several:
        raise _counted(several) from None
    print(json_text(report) if args.json else render_check_text(report))
    return int(report["exit_code"])


def _counted(several: SeveralProjects) -> SeveralProjects:
    """The several-projects error with each project's revision files counted, so the choice is informed."""
    from ahq_history.config.scan import revision_file_names

    counts: dict[Path, int | None] = {}
    for project in several.projects:
        try:
            counts[project.config_path] = len(revision_file_names(project))
        except AhqError:  # a versions folder that cannot be listed: say so beside that project
            counts[project.config_path] = None
    return several.counted(counts)
