"""`ahq-history sync`: the database is at a revision this checkout lacks; bring it back to this checkout.

git's copy of the revision's files (a branch, a deleted file, the reflog) is placed with a copy of the
scripts folder outside the repository, the database downgraded with it to the shared revision, then
upgraded to this checkout's head(s). The plan, prompt, backup and log are `switch`'s.
"""

from __future__ import annotations

import argparse

from ahq_history.cli.commands.switch import add_plan_options, carry_out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_plan_options(parser)


def run(args: argparse.Namespace) -> int:
    from ahq_history.config.loading import load
    from ahq_history.write.sync import sync_plan

    loaded = load(args.config)
    plan = sync_plan(loaded, args.database_url)
    try:
        return carry_out(args, loaded, plan)
    finally:
        if plan.scratch is not None and plan.scratch.exists():  # a dry run or a refusal left it
            import shutil

            shutil.rmtree(plan.scratch, ignore_errors=True)
