"""Options that several commands share, added in one place so they read and behave the same everywhere.

Standard library only: `check` imports this on its cheap path.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

# docs/json.md: the version of the JSON objects every `--json` prints (first field of each). 1: commands
# are given as argument lists beside their rendered lines (`next_argv`, `command_argv`, `steps_argv`).
JSON_SCHEMA_VERSION = 1


def json_text(payload: dict[str, Any]) -> str:
    """The one JSON object a command prints, with `schema_version` first. Values stay raw (text from
    revision files is escaped by JSON, not by the terminal sanitizer)."""
    return json.dumps({"schema_version": JSON_SCHEMA_VERSION, **payload}, indent=2)


def add_upstream(parser: argparse.ArgumentParser) -> None:
    """`--upstream REF`: what counts as published (gitfacts' `upstream`)."""
    parser.add_argument("--upstream", metavar="REF", default=None,
                        help="count as published only what REF's history holds (default: any "
                        "remote-tracking branch)")


def add_database_url(parser: argparse.ArgumentParser, *, when: str = "") -> None:
    """`--database-url URL`: the database to read instead of the one `database.resolve_url` finds.
    `when` starts the help with the condition under which it is read (e.g. "with --rebase: ")."""
    parser.add_argument("--database-url", metavar="URL", default=None,
                        help=f"{when}database to read (default: $DATABASE_URL, [tool.ahq-history] "
                        "database-url, then the ini's sqlalchemy.url)")


OUTPUT_FORMATS = ("text", "json", "github", "sarif", "junit")


def add_format(parser: argparse.ArgumentParser, pictures: bool = False) -> None:
    """`--format text|json|github|sarif|junit`: the CI renderings of report/formats.py (docs/ci.md);
    with `pictures`, also `mermaid|dot` (report/pictures.py)."""
    parser.add_argument("--format", choices=OUTPUT_FORMATS + (("mermaid", "dot") if pictures else ()),
                        default=None, dest="output_format",
                        help="text (default), json (as --json), github (workflow annotations), sarif "
                        "(code scanning), junit (test report)" + (", mermaid or dot (a picture of each "
                        "divergence)" if pictures else "") + "; the exit code is the same in each")


def output_format(args: argparse.Namespace) -> str:
    """The chosen format: `--format`, else json for `--json`, else text. `--json` with another `--format`
    is a usage error (exit 2)."""
    from ahq_history.core.errors import UsageError

    chosen = getattr(args, "output_format", None)
    if args.json and chosen not in (None, "json"):
        raise UsageError(f"--json and --format {chosen} ask for two outputs", "give one of them")
    return "json" if args.json else chosen or "text"
