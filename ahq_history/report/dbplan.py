"""A `switch` or `sync` plan and its outcome in words, for both faces: `ahq-history switch --dry-run` prints
these lines, and the TUI's plan screen shows the same ones. Also the local branches a switch can go to."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from ahq_history.core.shell import command_line

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.write.steprun import Outcome
    from ahq_history.write.switch import Plan

Kind = Literal["switch", "sync"]


def make_plan(kind: Kind, loaded: Loaded, branch: str | None = None, database_url: str | None = None
              ) -> Plan:
    """`switch BRANCH`'s plan, or `sync`'s; refusals are raised as `switch` and `sync` raise them."""
    if kind == "switch":
        from ahq_history.write.switch import switch_plan

        assert branch is not None
        return switch_plan(loaded, branch, database_url)
    from ahq_history.write.sync import sync_plan

    return sync_plan(loaded, database_url)


def plan_lines(plan: Plan) -> list[str]:
    """Where the database is, each step in order, what the downgrades destroy, and the backup."""
    at = ", ".join(plan.rows.revisions) or "no revision"
    lines = [f"database  {plan.url.masked}", f"at        {at}"]
    if not plan.steps:
        return [*lines, "nothing to do: the database is where this checkout needs it"]
    lines.append("plan:")
    lines += [f"  {n}. {command_line(step.argv)}" + (f"   (-> {step.to})" if step.to else "")
              for n, step in enumerate(plan.steps, 1)]
    if plan.destructive:
        lines.append("the downgrades destroy:")
        lines += [f"  {words}" for words in plan.destructive]
    lines.append(f"backup    the SQLite file {plan.sqlite} is copied first" if plan.sqlite
                 else "backup    none: a server database is not backed up (--yes required)")
    return lines


def outcome_lines(outcome: Outcome) -> list[str]:
    """Where the database ended, or the step that stopped with its output and what to run next."""
    backup = [f"backup: {outcome.backup}"] if outcome.backup else []
    if outcome.ok:
        return [f"done: the database is at {', '.join(outcome.at) or 'no revision'}", *backup]
    step = outcome.failed
    named = f"{step.action} {step.revision}" if step and step.revision else (step.action if step else "?")
    return [f"stopped at the step `{command_line(step.argv) if step else '?'}` ({named}):",
            *[f"  {line}" for line in outcome.output.splitlines()], outcome.next, *backup]


def local_branches(root: Path) -> tuple[list[str], str | None]:
    """The local branches of the repository holding `root` (short names, sorted) and the checked-out one
    (None when HEAD is detached)."""
    from ahq_history.git.repo import branch_refs, current_branch, open_repo

    repo = open_repo(root)
    try:
        names = sorted(ref.name.removeprefix("refs/heads/") for ref in branch_refs(repo) if not ref.remote)
        return names, current_branch(repo)
    finally:
        repo.close()
