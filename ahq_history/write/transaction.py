"""A plan written whole or not at all: render every file first (the preview), write those very bytes as
one journaled transaction (`commit.py`, `journal.py`), read the history back and check one head per
divergence; on any failure every file is put back, so the tree is as it was. A preview the tree has moved
away from since is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import AhqError, BrokenGraphError, RefusedError, UsageError
from ahq_history.core.plan import MergeStep, Plan
from ahq_history.write.commit import write_files
from ahq_history.write.files import Written, read_bytes
from ahq_history.write.marker import heads_after, marker_for_heads
from ahq_history.write.merge import merge_location, render_merge
from ahq_history.write.reparent import render_rebase

if TYPE_CHECKING:
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph


def apply_plan(
    project: Project,
    graph: RevisionGraph,
    plan: Plan,
    *,
    dry_run: bool = False,
    rev_id: str | None = None,
    version_path: Path | None = None,
    rendered: Sequence[Written] | None = None,
) -> list[Written]:
    """Write every step of `plan`; with `dry_run`, only render them (`render_plan`).

    `rendered` is a preview `render_plan` made of this plan: its files are written byte for byte, once the
    tree is checked to be as it was then (the plan's heads still heads, re-parented files unchanged),
    else RefusedError. Without it the plan is rendered first.

    The files are written as one journaled transaction (`commit.write_files`): an interrupted write
    found first is finished or undone (RefusedError says which; nothing new is written).

    Raises AhqError when Alembic cannot write a revision or when the history read back does not have one
    head per divergence, UnreachableError when a file cannot be written; in each case every file written
    so far is put back first.
    """
    if dry_run:
        return render_plan(project, graph, plan, rev_id=rev_id, version_path=version_path)
    if rendered is None:
        rendered = render_plan(project, graph, plan, rev_id=rev_id, version_path=version_path)
    else:
        _check_still_current(project, plan, rendered)
    written = list(rendered)
    write_files(project, written, lambda: verify(project, plan, written))
    return written


def render_plan(
    project: Project,
    graph: RevisionGraph,
    plan: Plan,
    *,
    rev_id: str | None = None,
    version_path: Path | None = None,
) -> list[Written]:
    """What `plan` writes, and nothing written: each merge revision as Alembic renders it (template,
    file name, post-write hooks) in its version location, each re-parented file with its diff."""
    if rev_id is not None and len(plan.steps) != 1:
        raise UsageError(f"--rev-id names one revision, but there are {len(plan.steps)} merges to write",
                         hint="leave --rev-id out, or name the heads of one divergence")
    if rev_id:
        _check_rev_id(rev_id, graph)
    rendered: list[Written] = []
    for step in plan.steps:
        if isinstance(step, MergeStep):
            where = merge_location(project, graph, step, version_path)
            rendered.append(render_merge(project, step, where, rev_id=rev_id))
        else:
            rendered.extend(render_rebase(project, graph, step))
    if rendered:  # the heads marker, when configured, changes in the same transaction
        rendered.extend(marker_for_heads(project, _heads_after(graph, plan, rendered)))
    return rendered


def _heads_after(graph: RevisionGraph, plan: Plan, rendered: Sequence[Written]) -> list[str]:
    merged = iter(w.revision for w in rendered if w.kind == "merge")
    joined = [(step.heads, next(merged) if isinstance(step, MergeStep) else step.new_head)
              for step in plan.steps]
    return heads_after(graph.heads, joined)


def _check_rev_id(rev_id: str, graph: RevisionGraph) -> None:
    """Alembic makes the id part of the file name: a `/` or `..` would write outside the version folder."""
    if not re.fullmatch(r"\w+", rev_id):
        raise UsageError(f"--rev-id {rev_id!r} is not a revision id: use letters, digits and underscores",
                         hint="leave --rev-id out to draw a new id, as Alembic does")
    if rev_id in graph.revisions:
        raise UsageError(f"--rev-id {rev_id} is already a revision ({graph.revisions[rev_id].path})",
                         hint="choose another id, or leave --rev-id out to draw a new one")


def _check_still_current(project: Project, plan: Plan, rendered: Sequence[Written]) -> None:
    """Refuse a preview that the tree has moved away from: a file written from it would be stale."""
    from ahq_history.config.scan import scan_project
    from ahq_history.core.graph import RevisionGraph

    heads = set(RevisionGraph(scan_project(project).revisions).heads)
    gone = sorted({h for step in plan.steps for h in step.heads} - heads)
    if gone:
        state = "is no longer a head" if len(gone) == 1 else "are no longer heads"
        raise RefusedError(f"the history changed since the preview: {', '.join(gone)} {state}; nothing was "
                           "written",
                           hint="prepare the change again and look at its new preview")
    for item in rendered:
        if item.kind == "rebase" and read_bytes(item.path) != item.before:
            raise RefusedError(f"{item.relpath} changed since the preview; nothing was written",
                               hint="prepare the change again and look at its new preview")


def verify(project: Project, plan: Plan, written: Sequence[Written]) -> None:
    """Read the history back from the tree and check that each step left its divergence with one head."""
    from ahq_history.config.scan import scan_project
    from ahq_history.core.graph import RevisionGraph

    scanned = scan_project(project)
    graph = RevisionGraph(scanned.revisions)
    errors = [p for p in (*scanned.problems, *graph.problems) if p.is_error]
    if errors:
        raise BrokenGraphError(f"after writing, the history is broken: {errors[0].message}; nothing was kept",
                               hint="this is a bug in ahq-history; please report it with `ahq-history check`")
    merged = iter(w.revision for w in written if w.kind == "merge")
    diverged = {h for d in graph.divergences for h in d.heads}
    for step in plan.steps:
        expected = next(merged) if isinstance(step, MergeStep) else step.new_head
        left = [h for h in step.heads if h in graph.heads and h != expected]
        if expected not in graph.heads or left or expected in diverged:
            heads = ", ".join(h for h in graph.heads if h in {expected, *step.heads} or h in diverged)
            raise AhqError(f"after writing, Alembic's history still has several heads ({heads}) where one "
                           f"was expected ({expected}); nothing was kept",
                           hint="run `ahq-history check` and write the merge with `alembic merge heads`")
    marker = next((w for w in written if w.kind == "marker"), None)
    if marker is not None and marker.parents != tuple(sorted(graph.heads)):
        raise AhqError(f"after writing, the heads are {', '.join(sorted(graph.heads))}, not those written to "
                       f"{marker.relpath} ({', '.join(marker.parents)}); nothing was kept",
                       hint="this is a bug in ahq-history; please report it with `ahq-history check`")
