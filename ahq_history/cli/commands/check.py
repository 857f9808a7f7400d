"""`ahq-history check`: heads, divergences with their forks and sides, problems, and the next step.

A warm run answers from the cache with the standard library alone; networkx and the scanner's full
work load only on a miss.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ahq_history.cli.options import add_format, add_upstream, json_text, output_format
from ahq_history.config.discover import SeveralProjects
from ahq_history.core.errors import AhqError, UsageError
from ahq_history.report.check import check_report, render_check_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true", help="read every file again; do not use the cache")
    parser.add_argument("--hook", nargs="+", metavar=("NAME", "ARG"), default=None,
                        help="what the git hooks run: warn about what git just brought (always exit 0); "
                        "`pre-commit` and `pre-push` are gates that exit non-zero to refuse")
    parser.add_argument("--against", metavar="REF", default=None,
                        help="the heads that merging REF (e.g. origin/main, after `git fetch`) would leave; "
                        "reads git objects only, never the work tree, the index or HEAD")
    parser.add_argument("--all", action="store_true",
                        help="cover every Alembic project in the repository, one report each (docs/json.md)")
    add_upstream(parser)
    add_format(parser, pictures=True)
    parser.add_argument("--exec-unresolved", action="store_true",
                        help="run with Python (as Alembic does) each revision file whose branch_labels, "
                        "depends_on or down_revision cannot be read statically; runs that file's code")


def run(args: argparse.Namespace) -> int:
    if getattr(args, "hook", None):
        if args.hook[0] in ("pre-commit", "pre-push"):  # a gate: its exit code blocks git (hooks/gate.py)
            from ahq_history.hooks.gate import run_gate

            return run_gate(args.hook[0], args.hook[1:], config=args.config, exit_if_stuck=True)
        try:  # before any heavy import; whatever happens, a hook exits 0 (hookrun.py)
            from ahq_history.hooks.run import run_hook

            return run_hook(args.hook[0], args.hook[1:], config=args.config, exit_if_stuck=True)
        except BaseException:
            return 0
    fmt = output_format(args)
    if args.all:
        return _several(args, None)
    try:
        report = check_report(args.config, use_cache=not args.no_cache, against=args.against,
                              upstream=args.upstream, exec_unresolved=args.exec_unresolved)
    except SeveralProjects as several:
        return _several(args, several)
    if fmt in ("text", "json"):
        print(json_text(report) if fmt == "json" else render_check_text(report))
    elif fmt in ("mermaid", "dot"):  # each divergence as a picture (report/pictures.py)
        from ahq_history.report.pictures import divergence_picture, draw

        print(draw(divergence_picture(report), fmt), end="")
    else:  # CI renderings load only when asked for: a warm `check` stays on the standard library
        from ahq_history.report.formats import render

        text = render(report, "check", fmt)
        print(text, end="\n" if text else "")
    return int(report["exit_code"])


def _several(args: argparse.Namespace, several: SeveralProjects | None) -> int:
    """`check` over several projects (report/projects.py): every one git lists (`--all`), or, when discovery
    found several, those `[tool.ahq-history] projects` lists; without that list, the error that lists them."""
    from ahq_history.config.covered import every_project, listed_projects
    from ahq_history.report.projects import covered_because, projects_report, render_projects_text

    if several is None and args.config:
        raise UsageError("--all covers every project of the repository, and -c names one",
                         hint="drop -c to check them all, or --all to check the one -c names")
    origin = Path.cwd()
    covered = every_project(origin) if several is None else listed_projects(origin)
    if covered is None:
        assert several is not None
        raise _counted(several) from None
    report = projects_report(covered, origin, why=covered_because(several is not None, covered.top),
                             use_cache=not args.no_cache, against=args.against, upstream=args.upstream)
    print(json_text(report) if args.json else render_projects_text(report))
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
