"""`ahq-history heads`: the head revisions, as `alembic heads` lists them, with their messages."""

from __future__ import annotations

import argparse

from ahq_history.cli.options import json_text
from ahq_history.core.display import clean
from ahq_history.core.text import SHORT
from ahq_history.report.check import check_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-cache", action="store_true", help="read every file again; do not use the cache")


def run(args: argparse.Namespace) -> int:
    report = check_report(args.config, use_cache=not args.no_cache)
    if args.json:
        print(json_text({"heads": report["heads"], "diverged": report["diverged"],
                         "problems": report["problems"], "exit_code": report["exit_code"]}))
    else:
        for head in report["heads"]:
            labels = f" ({', '.join(head['branch_labels'])})" if head["branch_labels"] else ""
            print(clean(f"{head['revision'][:SHORT]:<{SHORT}} (head){labels}  {head['message']}"))
    return int(report["exit_code"])
