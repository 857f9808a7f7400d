"""`ahq-history heads`: the head revisions, as `alembic heads` lists them, with their messages."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ahq_history.cli.options import json_text
from ahq_history.core.display import clean, clean_lines
from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK, BrokenGraphError, UsageError
from ahq_history.core.shell import command_line
from ahq_history.core.text import SHORT
from ahq_history.report.check import check_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true", help="read every file again; do not use the cache")
    parser.add_argument("--write", nargs="?", const="", metavar="FILE",
                        help="write the head ids to FILE (a committed heads marker: `check` verifies it, "
                        "`merge-heads` keeps it current) and record it as [tool.ahq-history] heads-file; "
                        "without FILE, rewrite the recorded one")


def run(args: argparse.Namespace) -> int:
    report = check_report(args.config, use_cache=not args.no_cache)
    if args.write is not None:
        return _write(args, report)
    if args.json:
        print(json_text({"heads": report["heads"], "diverged": report["diverged"],
                         "problems": report["problems"], "exit_code": report["exit_code"]}))
    else:
        for head in report["heads"]:
            labels = f" ({', '.join(head['branch_labels'])})" if head["branch_labels"] else ""
            print(clean(f"{head['revision'][:SHORT]:<{SHORT}} (head){labels}  {head['message']}"))
    return int(report["exit_code"])


def _write(args: argparse.Namespace, report: dict[str, Any]) -> int:
    """`--write`: the heads marker and its setting, in one transaction; `git add` for both."""
    from ahq_history.config.project import find_project
    from ahq_history.write.marker import marker_path, relative, write_heads_file

    if report["exit_code"] == EXIT_BROKEN:
        raise BrokenGraphError("the history is broken, so its heads cannot be written; nothing was written",
                               hint="run `ahq-history check` to see the problems, fix them, then write again")
    project = find_project(config=Path(args.config) if args.config else None)
    target = Path(args.write) if args.write else marker_path(project)
    if target is None:
        raise UsageError("no heads file is recorded ([tool.ahq-history] heads-file), so --write needs FILE",
                         hint="ahq-history heads --write migrations/HEADS")
    done = write_heads_file(project, target, [h["revision"] for h in report["heads"]])
    paths = [os.path.relpath(item.path) for item in done.written]
    code = EXIT_NEGATIVE if report["diverged"] else EXIT_OK
    if args.json:
        print(json_text({"written": [{"kind": w.kind, "path": w.relpath, "heads": list(w.parents)}
                                     for w in done.written], "add_by_hand": done.add_by_hand,
                         "next_argv": [["git", "add", *paths]], "exit_code": code}))
        return code
    marker = done.written[0]
    lines = [f"Wrote {marker.relpath}: heads {', '.join(marker.parents) or '(none)'}"]
    if len(done.written) > 1:
        lines.append(f"Recorded heads-file in {relative(done.written[1].path, Path.cwd())}")
    elif done.add_by_hand:
        where = done.settings_path or "pyproject.toml at the top of the repository"
        lines.append(f"Not recorded: add these lines to {where} by hand (it could not be edited safely):")
        lines.extend(f"  {line}" for line in done.add_by_hand.splitlines())
    if report["diverged"]:
        lines.append("note: the heads diverge; `ahq-history merge-heads` joins them and rewrites the file")
    lines.append(f"Next: {command_line(['git', 'add', *paths])}")
    print(clean_lines(lines))
    return code
