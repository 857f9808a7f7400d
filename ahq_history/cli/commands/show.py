"""`ahq-history show REV`: one revision, found by id, partial id (4+ characters), label or `head`.

The facts come from `report.detail`, which the TUI's detail pane shows too.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ahq_history.cli.options import json_text
from ahq_history.core.display import clean
from ahq_history.core.errors import EXIT_BROKEN, EXIT_OK

if TYPE_CHECKING:
    pass


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("revision", metavar="REV",
                        help="revision id, a unique prefix of 4+ characters, a branch label, or head")
    from ahq_history.cli.commands.history import add_git_arguments

    add_git_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.report.detail import detail_json, detail_text, revision_detail
    from ahq_history.report.history import git_columns, problem_lines

    loaded = load(args.config)
    rid = loaded.graph.resolve(args.revision)
    git, note = (None, None) if args.no_git else git_columns(loaded, args.upstream)
    detail = revision_detail(loaded, rid, (git or {}).get(rid))
    exit_code = EXIT_BROKEN if loaded.broken else EXIT_OK
    if args.json:
        payload = {"revision": detail_json(detail), "git_note": note, "exit_code": exit_code}
        print(json_text(payload))
    else:
        print(detail_text(detail, loaded.graph))
        for text in problem_lines([p for p in loaded.problems if p.is_error]):  # why the exit code is 3
            print(text, file=sys.stderr)
        if note:
            print(clean(f"note: {note}"), file=sys.stderr)
    return exit_code
