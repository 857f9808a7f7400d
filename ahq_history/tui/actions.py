"""What the TUI's merge builder and re-parent screen do, through the very functions `merge-heads` uses.

Slow (git, the database, Alembic's templates): these run in workers. Each returns a `Proposal` that
the screen previews; `write` then applies exactly the plan that was previewed.
"""

from __future__ import annotations

import argparse
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ahq_history.loading import Loaded

if TYPE_CHECKING:
    from ahq_history.conflicts import Conflict
    from ahq_history.plan import Plan
    from ahq_history.writer import Written


@dataclass(frozen=True)
class Proposal:
    """A plan with its preview: the merge file's text or the re-parent diffs, conflicts and notes."""

    plan: Plan
    preview: tuple[Written, ...]
    conflicts: tuple[Conflict, ...]
    notes: tuple[str, ...]
    rev_id: str | None = None  # the merge revision's id, drawn once so the preview is what gets written

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
    from ahq_history.commands.merge_heads import find_conflicts, publication, refuse_broken
    from ahq_history.plan import make_plan
    from ahq_history.writer import apply_plan

    refuse_broken(loaded)
    published, notes = publication(loaded)
    plan = make_plan(loaded.graph, mode="merge", named=list(heads), published=published, message=message)
    rev_id = rev_id or new_rev_id()
    if len(plan.steps) != 1:
        rev_id = None
    preview = (apply_plan(loaded.project, loaded.graph, plan, dry_run=True, rev_id=rev_id)
               if plan.steps else [])
    return Proposal(plan, tuple(preview), tuple(find_conflicts(loaded, plan)), tuple(notes), rev_id)


def propose_reparent(loaded: Loaded, heads: Sequence[str]) -> Proposal:
    """What `merge-heads --rebase [HEADS]` would change (diffs), or why it refuses.

    The database is read as `merge-heads --rebase` reads it; an unreachable one refuses (RefusedError).
    """
    from ahq_history.commands.merge_heads import (
        applied_in_database,
        find_conflicts,
        publication,
        refuse_broken,
    )
    from ahq_history.plan import make_plan
    from ahq_history.writer import apply_plan

    refuse_broken(loaded)
    published, notes = publication(loaded)
    plan = make_plan(loaded.graph, mode="rebase", named=list(heads), published=published)
    if plan.steps:
        options = argparse.Namespace(database_url=None, no_db_check=False)
        applied, db_note = applied_in_database(loaded, options)
        notes.append(db_note)
        plan = make_plan(loaded.graph, mode="rebase", named=list(heads), published=published, applied=applied)
    preview = apply_plan(loaded.project, loaded.graph, plan, dry_run=True) if plan.steps else []
    return Proposal(plan, tuple(preview), tuple(find_conflicts(loaded, plan)), tuple(notes))


def write(loaded: Loaded, proposal: Proposal) -> list[Written]:
    """Write the previewed plan, whole or not at all (the writer undoes a partial write)."""
    from ahq_history.writer import apply_plan

    return apply_plan(loaded.project, loaded.graph, proposal.plan, rev_id=proposal.rev_id)
