"""The steps from a loaded history to a plan that `merge-heads` and the TUI's merge and re-parent screens
share: refuse a broken history, ask git what is published, read what the database has applied, plan, and
find where the sides clash.

The faces call `prepare` and only render its answer; nothing here prints or asks. The decisions are the
pure `plan.make_plan`; git, the database and the files are read here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import BrokenGraphError, RefusedError

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.conflicts import Conflict
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.plan import Mode, Plan, Published


@dataclass(frozen=True)
class Prepared:
    """A plan with the facts it was made from: publication per revision, the sides' conflicts, notes."""

    plan: Plan
    published: Published
    conflicts: tuple[Conflict, ...]
    notes: tuple[str, ...]


def prepare(
    loaded: Loaded,
    *,
    mode: Mode = "merge",
    named: Sequence[str] = (),
    message: str | None = None,
    upstream: str | None = None,
    database_url: str | None = None,
    db_check: bool = True,
) -> Prepared:
    """What `merge-heads` would do to `loaded`: a merge revision per divergence (or for the `named`
    heads), or with `mode="rebase"` the local sides moved onto the published head.

    Re-parenting reads the database (`database_url`, else as `status` finds it) unless `db_check` is
    false, and is refused for a side it has applied. Raises BrokenGraphError for a broken history or a
    git merge in progress, RefusedError when the database cannot be read for a re-parent, and what
    `make_plan` raises for names that are not heads.
    """
    from ahq_history.core.plan import make_plan

    refuse_broken(loaded)
    graph = loaded.graph
    published, notes = publication(loaded, upstream)
    plan = make_plan(graph, mode=mode, named=named, published=published, message=message)
    if mode == "rebase" and plan.steps:
        applied, db_note = applied_in_database(loaded, database_url=database_url, check=db_check)
        notes.append(db_note)
        plan = make_plan(graph, mode=mode, named=named, published=published, applied=applied)
    return Prepared(plan, published, tuple(find_conflicts(loaded, plan)), tuple(notes))


def refuse_broken(loaded: Loaded) -> None:
    """A merge in progress (conflict markers) or a broken history is reported, never merged over (exit 3)."""
    errors = [p for p in loaded.problems if p.is_error]
    if not errors:
        return
    markers = [p for p in errors if p.kind == "conflict-markers"]
    if markers:
        first = markers[0]
        where = ", ".join(f"{p.path}:{p.line}" for p in markers)
        raise BrokenGraphError(
            f"a git merge is in progress: conflict markers in {where}; not merged over ({first.message})",
            hint="finish the git merge first: resolve the file and `git add` it, then run "
            "ahq-history merge-heads")
    first = errors[0]
    where = f" ({first.path}:{first.line})" if first.path and first.line else ""
    more = f" and {len(errors) - 1} more problem(s)" if len(errors) > 1 else ""
    raise BrokenGraphError(f"the history is broken: {first.message}{where}{more}; nothing was written",
                           hint="run `ahq-history check` to see every problem, fix them, then merge")


def publication(loaded: Loaded, upstream: str | None = None) -> tuple[Published, list[str]]:
    """Published (True) / local (False) / unknown (None) per revision, from git's remote-tracking refs
    (or the one `upstream` ref), with a note when git cannot say (no repository, no remote)."""
    from ahq_history.core.errors import UnreachableError
    from ahq_history.git.facts import provenance_for

    try:
        found = provenance_for(loaded, upstream=upstream)
    except UnreachableError as error:
        if upstream is not None:
            raise  # the user named a ref: say it is not there
        return {}, [f"publication unknown: {error.message}"]  # a merge revision needs no git facts
    published = {rid: facts.published for rid, facts in found.provenance.items()}
    return published, [found.note] if found.note else []


def applied_in_database(
    loaded: Loaded, *, database_url: str | None = None, check: bool = True
) -> tuple[frozenset[str] | None, str]:
    """The revisions the project's database has applied (rows and their ancestors), and a note saying
    which database said so. None when not `check`ed; empty when no database is configured.

    Raises RefusedError when the database does not answer: a re-parent must know what it ran."""
    from ahq_history.db.status import read_applied

    if not check:
        return None, "database not checked (--no-db-check)"
    found = read_applied(loaded.project, loaded.graph, database_url=database_url)
    if found.error is not None:
        raise RefusedError(
            f"{found.error.message}; --rebase must know that the moved revisions are not applied there",
            hint="start the database or pass --database-url; --no-db-check if you know they are not "
            "applied; or merge without --rebase")
    if found.rows is None:
        return frozenset(), "no database configured: nothing applied"
    rows = found.rows
    state = rows.note or ("applied: " + ", ".join(rows.revisions) if rows.revisions else "nothing applied")
    return found.revisions, f"database {rows.url} ({found.source}): {state}"


def find_conflicts(loaded: Loaded, plan: Plan) -> list[Conflict]:
    """Where the sides of each planned step clash (`conflicts.py`), read from the files' text."""
    from ahq_history.core.conflicts import conflicts_for_divergence
    from ahq_history.core.opread import read_operations

    graph, root = loaded.graph, loaded.project.root
    found: list[Conflict] = []
    for step in plan.steps:
        sides = []
        for side in _sides_oldest_first(graph, step.heads):
            revs = [graph.revisions[r] for r in side]
            sides.append([(rev, read_operations(_text(root / rev.path))) for rev in revs])
        found.extend(conflicts_for_divergence(sides))
    return found


def _sides_oldest_first(graph: RevisionGraph, heads: tuple[str, ...]) -> list[list[str]]:
    """Each head's own revisions (those no other head has), oldest first."""
    reach = {h: graph.ancestors(h) | {h} for h in heads}
    order = graph.topological()
    return [[r for r in order if r in reach[h] and not any(r in reach[o] for o in heads if o != h)]
            for h in heads]


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return ""
