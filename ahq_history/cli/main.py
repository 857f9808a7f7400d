"""Command line: parse arguments, call the command, and turn an `AhqError` into words and an exit code.

Each command lives in `ahq_history/cli/commands/<name>.py` with `add_arguments(parser)` and
`run(args) -> int`. A command module is imported only when its command is chosen, by a plain
function-local import (so tools and readers can follow it), and imports its heavy dependencies inside
`run`: the hooks' fast path (`check` with a warm cache) starts on the standard library alone.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import select
import sys
from collections.abc import Sequence
from types import ModuleType

from ahq_history import __version__
from ahq_history.core.display import clean
from ahq_history.core.errors import (
    EXIT_USAGE,
    AhqError,
    BrokenGraphError,
    ConfigError,
    RefusedError,
    UnreachableError,
    UsageError,
)

# name -> (module, one-line help). Order is the order of `--help`.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "summary of the history: heads, divergences, problems, next step"),
    "heads": ("heads", "list the head revisions"),
    "history": ("history", "draw the revision graph as lanes, newest first"),
    "show": ("show", "show one revision (a partial id of 4+ characters is enough)"),
    "status": ("status", "compare the database's alembic_version with this checkout"),
    "merge-heads": ("merge_heads", "resolve a divergence: merge revision or re-parent local revisions"),
    "lint": ("lint", "review revision files against the team's migration guide"),
    "verify": ("verify", "prove upgrade, downgrade and upgrade again on a scratch database"),
    "switch": ("switch", "downgrade what a branch lacks, switch to it, upgrade to its head"),
    "sync": ("sync", "bring the database back from a revision this checkout lacks"),
    "hooks": ("hooks", "install, uninstall or inspect the git hooks"),
    "tui": ("tui", "browse the revision graph in the terminal"),
    "completion": ("completion", "print a shell completion script for bash, zsh or fish"),
}

# name -> the examples its `--help` ends with.
EXAMPLES: dict[str, str] = {
    "check": "ahq-history check\n  ahq-history check --against origin/main --json",
    "heads": "ahq-history heads --json",
    "history": "ahq-history history -n 20\n  ahq-history history --format mermaid > history.mmd",
    "show": "ahq-history show head\n  ahq-history show heads\n  ahq-history show head-1\n"
            "  ahq-history show reports@head",
    "status": "ahq-history status --database-url sqlite:///app.db",
    "merge-heads": "ahq-history merge-heads --dry-run\n  ahq-history merge-heads --rebase --yes",
    "lint": "ahq-history lint\n  ahq-history lint --json",
    "verify": "ahq-history verify\n"
              "  ahq-history verify --scratch-server postgresql://postgres@127.0.0.1/postgres",
    "hooks": "ahq-history hooks install\n  ahq-history hooks status --json",
    "switch": "ahq-history switch main --dry-run\n  ahq-history switch feature/audit --yes",
    "sync": "ahq-history sync --dry-run",
    "tui": "ahq-history tui",
    "completion": "source <(ahq-history completion bash)\n"
                  "  ahq-history completion fish > ~/.config/fish/completions/ahq-history.fish",
}
NO_JSON = ("tui", "completion")  # commands whose output is not data: `--json` is not offered in help


def _command_module(name: str) -> ModuleType:
    """The command's module, imported on demand: only the chosen command is loaded."""
    match COMMANDS[name][0]:
        case "check":
            from ahq_history.cli.commands import check
            return check
        case "heads":
            from ahq_history.cli.commands import heads
            return heads
        case "history":
            from ahq_history.cli.commands import history
            return history
        case "show":
            from ahq_history.cli.commands import show
            return show
        case "status":
            from ahq_history.cli.commands import status
            return status
        case "merge_heads":
            from ahq_history.cli.commands import merge_heads
            return merge_heads
        case "lint":
            from ahq_history.cli.commands import lint
            return lint
        case "verify":
            from ahq_history.cli.commands import verify
            return verify
    return _setup_command_module(name)


def _setup_command_module(name: str) -> ModuleType:
    """The commands that set things up or open another face (kept apart for the complexity budget)."""
    match COMMANDS[name][0]:
        case "hooks":
            from ahq_history.cli.commands import hooks
            return hooks
        case "tui":
            from ahq_history.cli.commands import tui
            return tui
        case "completion":
            from ahq_history.cli.commands import completion
            return completion
        case "switch":
            from ahq_history.cli.commands import switch
            return switch
        case "sync":
            from ahq_history.cli.commands import sync
            return sync
    raise KeyError(name)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with `only`, just that command's sub-parser is filled in (a cheap start)."""
    common, plain = _common_options(json_help="print one JSON object (docs/json.md)"), _common_options()
    parser = argparse.ArgumentParser(
        prog="ahq-history",
        description="Multi-developer head-merge and history manager for Alembic.",
        epilog="Exit codes: 0 fine; 1 the command's negative answer; 2 usage, configuration or "
        "unreachable resource; 3 broken revision graph.",
        parents=[common],
    )
    parser.add_argument("--version", action="version", version=f"ahq-history {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (_module, help_text) in COMMANDS.items():
        cmd = sub.add_parser(name, help=help_text, description=help_text,
                             parents=[plain if name in NO_JSON else common],
                             epilog=f"example:\n  {EXAMPLES[name]}" if name in EXAMPLES else None,
                             formatter_class=argparse.RawDescriptionHelpFormatter)
        if only is None or only == name:
            _command_module(name).add_arguments(cmd)
    return parser


def _common_options(json_help: str = argparse.SUPPRESS) -> argparse.ArgumentParser:
    """The options every command takes; `--json` is hidden from help where it does not apply."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c", "--config", metavar="PATH", default=argparse.SUPPRESS,
        help="alembic.ini, migrations/alembic.ini or pyproject.toml to use (default: found from here)",
    )
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help=json_help)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the traceback of an unexpected error (as AHQ_DEBUG=1 does)")
    return common


def _refuse_unknown_command(words: Sequence[str]) -> None:
    """An unknown command word is one message with the closest command, not argparse's list."""
    import difflib

    words_iter = iter(words)
    for word in words_iter:
        if word in ("-c", "--config"):
            next(words_iter, None)
        elif not word.startswith("-"):
            if word not in COMMANDS:
                close = difflib.get_close_matches(word, COMMANDS, n=1, cutoff=0.5)
                hint = f"did you mean `ahq-history {close[0]}`?" if close else ""
                raise UsageError(f"unknown command '{word}'",
                                 hint=f"{hint + ' ' if hint else ''}`ahq-history --help` lists the commands")
            return


def _chosen_command(argv: Sequence[str]) -> str | None:
    """The command word, skipping the value of a global `-c/--config` that happens to look like one."""
    words = iter(argv)
    for word in words:
        if word in ("-c", "--config"):
            next(words, None)
        elif word in COMMANDS:
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run `ahq-history ARGS`; the one handler: whatever goes wrong ends as words and an exit code."""
    words = list(sys.argv[1:] if argv is None else argv)
    # Read from the words, not the parsed arguments: a failure while parsing is handled here too.
    as_json = "--json" in words
    try:
        code = _run(words)
        sys.stdout.flush()  # output waiting in the buffer meets a closed pipe here, not in Python's exit
        return code
    except AhqError as error:
        report_error(error, as_json=as_json)
        return error.exit_code
    except SystemExit:  # argparse's usage errors, --help and --version
        raise
    except KeyboardInterrupt:
        _say("ahq-history: interrupted")
        return 130
    except BrokenPipeError as error:
        if _stdout_closed():  # `ahq-history history | head -1` stopped reading: that is not an error
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 0
        return _internal_error(error, words, as_json)
    except BaseException as error:  # a bug of ours (RecursionError, MemoryError, ...): one line, no traceback
        return _internal_error(error, words, as_json)


def _run(words: list[str]) -> int:
    _refuse_unknown_command(words)
    chosen = _chosen_command(words)
    parser = build_parser(only=chosen)
    args = parser.parse_args(words)
    if chosen == "completion":  # the script covers every command: it needs the whole parser
        args.parser = build_parser()
    if not getattr(args, "config", None):
        args.config = None
    if not getattr(args, "json", False):
        args.json = False
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    return int(_command_module(args.command).run(args))


def _internal_error(error: BaseException, words: list[str], as_json: bool) -> int:
    """One line (and a way to see more), never a traceback a user has to read; `--debug` shows it."""
    if "--debug" in words or os.environ.get("AHQ_DEBUG"):
        import traceback

        traceback.print_exception(error, file=sys.stderr)
    detail = str(error)
    with contextlib.suppress(Exception):  # stderr (or stdout, for --json) is gone: the exit code says it
        report_error(AhqError(f"internal error: {type(error).__name__}{': ' + detail if detail else ''}",
                              hint="run again with --debug to see the traceback, and report it"),
                     as_json=as_json)
    return EXIT_USAGE


def _say(line: str) -> None:
    with contextlib.suppress(Exception):  # stderr is gone
        print(line, file=sys.stderr)


def _stdout_closed() -> bool:
    """Whether the reader of stdout went away (a pipe whose other end is closed reports an error)."""
    try:
        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(events & select.POLLERR for _fd, events in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no poll here, or no stdout: take the pipe as closed
        return True


def error_kind(error: AhqError) -> str:
    """The documented kind (docs/json.md) an error belongs to; subclasses are details of ours."""
    documented = (ConfigError, UsageError, UnreachableError, BrokenGraphError, RefusedError)
    return next((kind.__name__ for kind in documented if isinstance(error, kind)), "AhqError")


def report_error(error: AhqError, *, as_json: bool) -> None:
    """The one place an error becomes words: the message, then what to do."""
    if as_json:
        from ahq_history.cli.options import json_text

        payload = {"error": {"kind": error_kind(error), "message": error.message, "hint": error.hint,
                             "exit_code": error.exit_code}}
        print(json_text(payload))
        return
    # Messages quote ids, paths and database errors from outside: cleaned of escapes (JSON keeps them raw).
    print(f"ahq-history: {clean(error.message, multiline=True)}", file=sys.stderr)
    if error.hint:
        print(f"  hint: {clean(error.hint, multiline=True)}", file=sys.stderr)
