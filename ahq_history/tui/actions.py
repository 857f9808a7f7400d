"""What the TUI's merge builder and re-parent screen do, through the very functions `merge-heads` uses.

Slow (git, the database, Alembic's templates): these run in workers. Each returns a `Proposal` that
the screen previews; `write` then writes exactly the files that were previewed.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ahq_history.config.loading import Loaded

if TYPE_CHECKING:
    from ahq_history.core.advice import NextSteps
    from ahq_history.core.conflicts import Conflict
    from ahq_history.core.plan import Plan
    from ahq_history.write.files import Written


@dataclass(frozen=True)
class Proposal:
    """A plan with its preview: the merge file's text or the re-parent diffs, conflicts and notes."""

    plan: Plan
    preview: tuple[Written, ...]
    conflicts: tuple[Conflict, ...]
    notes: tuple[str, ...]
    rev_id: str | None = None  # the merge revision's id, drawn once per screen: every preview keeps it

    @property
    def refusals(self) -> list[str]:
        return [reason for refusal in self.plan.refusals for reason in refusal.reasons]


def new_rev_id() -> str:
    """A fresh revision id, drawn the way Alembic's `util.rev_id()` draws it."""
    return uuid.uuid4().hex[-12:]


def propose_merge(loaded: Loaded, heads: Sequence[str], message: str | None,
                  rev_id: str | None = None) -> Proposal:
    """The merge revision that `merge-heads [HEADS] -m MESSAGE` would write, rendered, not written.

    `heads` empty means "every divergence", exactly as `merge-heads` with no revision argument.
    """
    from ahq_history.write.flow import prepare
    from ahq_history.write.transaction import render_plan

    prepared = prepare(loaded, mode="merge", named=heads, message=message)
    plan = prepared.plan
    rev_id = rev_id or new_rev_id()
    if len(plan.steps) != 1:
        rev_id = None
    preview = render_plan(loaded.project, loaded.graph, plan, rev_id=rev_id) if plan.steps else []
    return Proposal(plan, tuple(preview), prepared.conflicts, prepared.notes, rev_id)


def propose_reparent(loaded: Loaded, heads: Sequence[str]) -> Proposal:
    """What `merge-heads --rebase [HEADS]` would change (diffs), or why it refuses.

    The database is read as `merge-heads --rebase` reads it: one it cannot name is a refusal, an unreachable
    one an UnreachableError (the app shows it)."""
    from ahq_history.write.flow import prepare
    from ahq_history.write.transaction import render_plan

    prepared = prepare(loaded, mode="rebase", named=heads)
    plan = prepared.plan
    preview = render_plan(loaded.project, loaded.graph, plan) if plan.steps else []
    return Proposal(plan, tuple(preview), prepared.conflicts, prepared.notes)


def after_write(loaded: Loaded, plan: Plan, written: Sequence[Written]) -> NextSteps:
    """What the write changed and what to run next, as `merge-heads` says it (paths from the project)."""
    from ahq_history.write.flow import after_write as words_after

    return words_after(loaded, plan, written)


def write(loaded: Loaded, proposal: Proposal) -> list[Written]:
    """Write exactly the files that were previewed, whole or not at all (the writer undoes a partial
    write, and refuses when the history or a file changed since the preview)."""
    from ahq_history.write.transaction import apply_plan

    return apply_plan(loaded.project, loaded.graph, proposal.plan, rendered=proposal.preview)
