"""`ahq-history history`: the revision DAG drawn as lanes, newest first, like `git log --graph`.

A broken graph (exit 3) is still drawn as far as it can be, and its problems are listed under it.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ahq_history.cli.options import add_upstream, json_text
from ahq_history.core.display import clean
from ahq_history.core.errors import EXIT_BROKEN, EXIT_OK, UsageError

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.report.lanes import GitColumns, Row


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-n", "--max-count", type=int, metavar="N",
                        help="show only the N newest revisions")
    parser.add_argument("--ascii", action="store_true", help="draw the lanes with ASCII characters only")
    parser.add_argument("--format", choices=("text", "mermaid", "dot"), default="text",
                        help="text lanes (default), or the whole graph as a Mermaid flowchart or a "
                        "Graphviz DOT digraph")
    add_git_arguments(parser)


def add_git_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-git", action="store_true",
                        help="do not read git history (no author, date or published marks)")
    add_upstream(parser)


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.report.history import git_columns, history_report
    from ahq_history.report.lanes import lanes

    if args.format != "text" and args.json:
        raise UsageError(f"--format {args.format} and --json are two outputs: choose one")
    loaded = load(args.config)
    if args.format != "text":
        return _print_picture(loaded, args.format)
    rows = lanes(loaded.graph)
    if args.max_count is not None:
        rows = rows[: max(args.max_count, 0)]
    git, note = (None, None) if args.no_git else git_columns(loaded, args.upstream)
    exit_code = EXIT_BROKEN if loaded.broken else EXIT_OK
    if args.json:
        print(json_text(history_report(loaded, rows, git, note, exit_code)))
    else:
        _print_text(loaded, rows, git, note, ascii_only=args.ascii)
    return exit_code


def _print_picture(loaded: Loaded, form: str) -> int:
    """The graph as a picture; a broken graph is drawn as far as it goes, and exits 3 naming why."""
    from ahq_history.report.history import problem_lines
    from ahq_history.report.pictures import draw, graph_picture

    sys.stdout.write(draw(graph_picture(loaded.graph), form))
    for text in problem_lines(loaded.problems):
        print(text, file=sys.stderr)
    return EXIT_BROKEN if loaded.broken else EXIT_OK


def _print_text(loaded: Loaded, rows: list[Row], git: dict[str, GitColumns] | None, note: str | None,
                *, ascii_only: bool) -> None:
    from rich.console import Console
    from rich.text import Text

    from ahq_history.report.history import problem_lines
    from ahq_history.report.lanes import history_text

    console = Console(highlight=False, soft_wrap=True, emoji=False)
    lines = history_text(rows, loaded.graph, git, ascii_only=ascii_only)
    if console.is_terminal and console.color_system:
        console.print(Text("\n").join(lines))
    else:  # no colours to keep: plain text is 100x quicker than Rich's rendering for 10,000 lines
        sys.stdout.write("".join(f"{line.plain}\n" for line in lines))
    for text in problem_lines(loaded.problems):
        print(text, file=sys.stderr)
    if note:
        print(clean(f"note: {note}"), file=sys.stderr)
