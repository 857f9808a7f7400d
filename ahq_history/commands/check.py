"""`ahq-history check`: heads, divergences with their forks and sides, problems, and the next step.

A warm run answers from the cache with the standard library alone; networkx and the scanner's full
work load only on a miss.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ahq_history import cache
from ahq_history.commands.options import add_upstream
from ahq_history.project import find_project
from ahq_history.scan import revision_file_names


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
            from ahq_history.hookrun import run_hook

            return run_hook(args.hook[0], args.hook[1:], config=args.config)
        except BaseException:
            return 0
    report = check_report(args.config, use_cache=not args.no_cache, against=args.against,
                          upstream=args.upstream)
    print(json.dumps(report, indent=2) if args.json else _render(report))
    return int(report["exit_code"])


def check_report(config: str | None, *, use_cache: bool = True, variant: str = "check",
                 against: str | None = None, upstream: str | None = None) -> dict[str, Any]:
    """The check report for the project found from here (or `config`), from the cache when it is fresh.

    Git's fields (docs/json.md) come from `gitfacts`; `against` predicts the merge of that ref, and
    `upstream` narrows what counts as published. The cache key covers HEAD, refs and the index."""
    project = find_project(config=Path(config) if config else None)
    variant = f"{variant}|against={against}|upstream={upstream}"
    gitdir = cache.git_dir(project.root)
    files = revision_file_names(project)
    key = cache.cache_key(project, files, variant, gitdir)
    where = cache.cache_path(project, gitdir)
    if use_cache:
        cached = cache.lookup(where, key)
        if cached is not None:
            return cached
    from ahq_history.loading import load

    report = _git_report(load(config), against, upstream)
    cache.store(where, key, report)
    return report


def _git_report(loaded: Any, against: str | None, upstream: str | None) -> dict[str, Any]:
    """The report with git's fields; for `against`, the report of the tree the merge would leave."""
    from ahq_history import gitfacts
    from ahq_history.report import build_check_report

    if against is not None:
        prediction = gitfacts.predict_merge(loaded, against, upstream=upstream)
        report = build_check_report(prediction.loaded)
        report["against"] = prediction.against
        gitfacts.annotate_report(report, prediction.view)
        return report
    report = build_check_report(loaded)
    gitfacts.annotate_report(report, gitfacts.git_view(loaded, upstream=upstream))
    return report


def _render(report: dict[str, Any]) -> str:
    from ahq_history.report import render_check_text

    return render_check_text(report)
