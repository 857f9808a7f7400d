"""`ahq-history switch BRANCH`: downgrade what BRANCH lacks, `git switch BRANCH`, upgrade to its head(s).

Shows the plan (each command, every table and column a downgrade drops), asks (or `--yes`), backs a SQLite
database up first, and logs each step under `.git/ahq-history/` so `status` can say where a killed run
stopped. `--dry-run` only shows the plan. `sync` shares the plan, the prompt and the run.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import add_database_url, json_text
from ahq_history.core.display import clean, clean_lines
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, RefusedError
from ahq_history.report.dbplan import outcome_lines, plan_lines

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.write.steprun import Outcome
    from ahq_history.write.switch import Plan


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("branch", metavar="BRANCH", help="the branch to switch to")
    add_plan_options(parser)


def add_plan_options(parser: argparse.ArgumentParser) -> None:
    add_database_url(parser)
    parser.add_argument("-y", "--yes", action="store_true",
                        help="go on without asking (required for a server database, which gets no backup)")
    parser.add_argument("--dry-run", action="store_true", help="show the plan and change nothing")


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.write.switch import switch_plan

    loaded = load(args.config)
    return carry_out(args, loaded, switch_plan(loaded, args.branch, args.database_url))


def carry_out(args: argparse.Namespace, loaded: Loaded, plan: Plan) -> int:
    """Show `plan`, ask, run it; the exit code (0 done or nothing to do, 1 declined or stopped)."""
    from ahq_history.write.steprun import execute, log_folder

    if not args.json:
        print(clean_lines(plan_lines(plan)))
    if args.dry_run or not plan.steps:
        if args.json:
            print(json_text({"plan": plan_json(plan), "ran": False, "exit_code": EXIT_OK}))
        return EXIT_OK
    if plan.sqlite is None and not args.yes:
        raise RefusedError(f"the database {plan.url.masked} is a server: no backup is made before the "
                           "downgrades", "pass --yes to go on without one (make your own backup first)")
    if not args.yes and not _ask():
        return EXIT_NEGATIVE
    outcome = execute(plan, loaded.project, log_folder(loaded.project), _progress(args))
    if args.json:
        code = EXIT_OK if outcome.ok else EXIT_NEGATIVE
        print(json_text({"plan": plan_json(plan), "ran": True, "outcome": _outcome_json(outcome),
                         "exit_code": code}))
    else:
        print(clean_lines(outcome_lines(outcome)), file=sys.stdout if outcome.ok else sys.stderr)
    return EXIT_OK if outcome.ok else EXIT_NEGATIVE


def _ask() -> bool:
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise RefusedError("not asked: there is no terminal to ask on", "pass --yes to go on, or --dry-run")
    try:
        answer = input("Go on? [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def _progress(args: argparse.Namespace) -> Any:
    def say(text: str) -> None:
        if not args.json:
            print(clean(text), flush=True)
    return say


def plan_json(plan: Plan) -> dict[str, Any]:
    return {"database": plan.url.masked, "current": list(plan.rows.revisions),
            "steps": [{"action": s.action, "argv": list(s.argv), "to": s.to, "revision": s.revision}
                      for s in plan.steps],
            "destructive": list(plan.destructive), "backup": str(plan.sqlite) if plan.sqlite else None}


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    backup = str(outcome.backup) if outcome.backup else None
    return {"ok": outcome.ok, "at": list(outcome.at), "backup": backup,
            "failed": list(outcome.failed.argv) if outcome.failed else None, "output": outcome.output,
            "next": outcome.next}
