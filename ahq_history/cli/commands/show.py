"""`ahq-history show REV`: the revisions REV names in Alembic's syntax (`core/revspec.py`): an id, a
partial id (4+ characters), a label, `head`, `heads`, `base`, `label@head`, `head-1`, `ID+1`.

The facts come from `report.detail`, which the TUI's detail pane shows too.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import json_text
from ahq_history.core.display import clean
from ahq_history.core.errors import EXIT_BROKEN, EXIT_OK

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.report.lanes import GitColumns


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("revision", metavar="REV",
                        help="revision id, a unique prefix of 4+ characters, a branch label, head, heads, "
                        "base, label@head, or a step from one: head-1, ID+1")
    from ahq_history.cli.commands.history import add_git_arguments

    add_git_arguments(parser)


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.core.revspec import resolve_revisions
    from ahq_history.report.history import git_columns, problem_lines

    loaded = load(args.config)
    rids = resolve_revisions(loaded.graph, args.revision)
    git, note = (None, None) if args.no_git else git_columns(loaded, args.upstream)
    exit_code = EXIT_BROKEN if loaded.broken else EXIT_OK
    if args.json:
        shown = _details_json(loaded, rids, git)
        payload = {"revision": shown[0], "revisions": shown, "git_note": note, "exit_code": exit_code}
        print(json_text(payload))
    else:
        print(_details_text(loaded, rids, git))
        for text in problem_lines([p for p in loaded.problems if p.is_error]):  # why the exit code is 3
            print(text, file=sys.stderr)
        if note:
            print(clean(f"note: {note}"), file=sys.stderr)
    return exit_code


def _details_json(loaded: Loaded, rids: tuple[str, ...], git: dict[str, GitColumns] | None
                  ) -> list[dict[str, Any]]:
    from ahq_history.report.detail import detail_json, revision_detail

    return [detail_json(revision_detail(loaded, rid, (git or {}).get(rid))) for rid in rids]


def _details_text(loaded: Loaded, rids: tuple[str, ...], git: dict[str, GitColumns] | None) -> str:
    """Each revision's detail; several (`heads`, `base`) are separated by a blank line."""
    from ahq_history.report.detail import detail_text, revision_detail

    return "\n\n".join(detail_text(revision_detail(loaded, rid, (git or {}).get(rid)), loaded.graph)
                        for rid in rids)
