"""The steps from a loaded history to a plan that `merge-heads` and the TUI's merge and re-parent screens
share: refuse a broken history or a git merge still in conflict, ask git what is published, read what the
database has applied, plan, find where the sides clash, and ask the advisor what to do.

The faces call `prepare` and only render its answer; nothing here prints or asks. The decisions are the
pure `plan.make_plan` and `advice.advise`; git, the database and the files are read here.

Refusals, each a plain sentence in `Plan.refusals` (exit 1, nothing written, in every mode: prompt, `--yes`,
`--dry-run`, the TUI): a side that is published or applied, or whose applied state is unknown (re-parent);
sides whose operations conflict, unless `allow_conflicts`; a version file a git merge or rebase still holds in
conflict (RefusedError).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import BrokenGraphError, RefusedError, UnreachableError

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.advice import Advice, NextSteps
    from ahq_history.core.applied import AppliedState
    from ahq_history.core.conflicts import Conflict
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.plan import Mode, Plan, Published
    from ahq_history.write.files import Written

Heads = tuple[str, ...]


@dataclass(frozen=True)
class Prepared:
    """A plan with the facts it was made from: publication per revision, the sides' conflicts, notes, what
    the database has applied (None when it was not asked), and the advisor's answer per divergence."""

    plan: Plan
    published: Published
    conflicts: tuple[Conflict, ...]
    notes: tuple[str, ...]
    applied: AppliedState | None = None
    advice: Mapping[Heads, Advice] = field(default_factory=dict)


def prepare(
    loaded: Loaded,
    *,
    mode: Mode = "merge",
    named: Sequence[str] = (),
    message: str | None = None,
    upstream: str | None = None,
    database_url: str | None = None,
    db_check: bool = True,
    allow_conflicts: bool = False,
) -> Prepared:
    """What `merge-heads` would do to `loaded`: a merge revision per divergence (or for the `named`
    heads), or with `mode="rebase"` the local sides moved onto the published head.

    Re-parenting reads the database (`database_url`, else the one `db/applied.py` can name) unless `db_check`
    is false, and is refused for a side it has applied or whose state is unknown. A step whose sides'
    operations conflict is refused unless `allow_conflicts`. Raises BrokenGraphError for a broken history,
    RefusedError for a git merge or rebase whose version files are still in conflict, UnreachableError
    when the named database does not answer, and what `make_plan` raises for names that are not heads.
    """
    from ahq_history.core.plan import make_plan

    refuse_broken(loaded)
    notes = refuse_underway(loaded)
    graph = loaded.graph
    published, authors, git_notes = git_facts(loaded, upstream)
    notes.extend(git_notes)
    plan = make_plan(graph, mode=mode, named=named, published=published, message=message, authors=authors)
    applied = None
    if mode == "rebase" and plan.steps:
        applied = applied_in_database(loaded, database_url=database_url, check=db_check)
        notes.append(applied.note())
        plan = make_plan(graph, mode=mode, named=named, published=published, applied=applied)
    by_heads = conflicts_by_heads(loaded, [*(d.heads for d in graph.divergences),
                                           *(step.heads for step in plan.steps)])
    conflicts = tuple(c for step in plan.steps for c in by_heads.get(tuple(step.heads), ()))
    if conflicts and not allow_conflicts:
        plan = refuse_conflicting(plan, by_heads)
    return Prepared(plan, published, conflicts, tuple(notes), applied,
                    advise_all(loaded, published, applied, by_heads))


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


def refuse_underway(loaded: Loaded) -> list[str]:
    """Nothing is written while a git merge or rebase still holds a version file in conflict (RefusedError,
    exit 1); once they are resolved, a note says that the incoming side counts as published."""
    from ahq_history.git.facts import operation_under_way
    from ahq_history.write.marker import marker_path, relative

    underway = operation_under_way(loaded.project)
    if underway is None:
        return []
    marker = marker_path(loaded.project)  # a conflicted heads marker is what merge-heads rewrites
    skip = relative(marker, loaded.project.root) if marker is not None else None
    unresolved = [p for p in underway.unresolved if p != skip]
    if unresolved:
        raise RefusedError(
            f"a git {underway.operation} is in progress and these version files are still in conflict: "
            f"{', '.join(unresolved)}; nothing was written",
            hint=f"resolve them and `git add` them (see `git status`), or finish or abort the "
            f"{underway.operation} first; then run merge-heads again")
    return [f"a git {underway.operation} is in progress: the revisions it brings in count as published "
            "and are never moved"]


def git_facts(loaded: Loaded, upstream: str | None = None) -> tuple[Published, dict[str, str], list[str]]:
    """Published (True) / local (False) / unknown (None) per revision, from git's remote-tracking refs
    (or the one `upstream` ref) and what a fetch, a pull or a rebase brought; who added each revision (for
    the merge message); and a note when git cannot say (no repository, no remote)."""
    from ahq_history.git.facts import provenance_for

    try:
        found = provenance_for(loaded, upstream=upstream)
    except UnreachableError as error:
        if upstream is not None:
            raise  # the user named a ref: say it is not there
        return {}, {}, [f"publication unknown: {error.message}"]  # a merge revision needs no git facts
    published = {rid: facts.published for rid, facts in found.provenance.items()}
    authors = {rid: facts.added.author for rid, facts in found.provenance.items() if facts.added}
    return published, authors, [found.note] if found.note else []


def publication(loaded: Loaded, upstream: str | None = None) -> tuple[Published, list[str]]:
    """`git_facts` without the authors."""
    published, _authors, notes = git_facts(loaded, upstream)
    return published, notes


def applied_in_database(loaded: Loaded, *, database_url: str | None = None, check: bool = True
                        ) -> AppliedState:
    """What the project's database has applied (`db/applied.py`): read from the database the tool can
    name, unknown when it can name none, unchecked when not `check`ed.

    Raises UnreachableError (exit 2) when the named database does not answer: a re-parent must know what
    it ran."""
    from ahq_history.db.applied import applied_state

    try:
        return applied_state(loaded.project, loaded.graph, database_url=database_url, check=check)
    except UnreachableError as error:
        raise UnreachableError(
            f"{error.message}; --rebase must know that the moved revisions are not applied there",
            hint="start the database or pass --database-url; --no-db-check if you know they are not "
            "applied; or merge without --rebase") from None


def conflicts_by_heads(loaded: Loaded, groups: Sequence[Sequence[str]]) -> dict[Heads, list[Conflict]]:
    """Where the sides of each group of heads clash (`conflicts.py`), read from the files' text."""
    from ahq_history.core.conflicts import conflicts_for_divergence
    from ahq_history.core.opread import read_operations

    graph, root = loaded.graph, loaded.project.root
    found: dict[Heads, list[Conflict]] = {}
    for heads in dict.fromkeys(tuple(group) for group in groups):
        sides = []
        for side in _sides_oldest_first(graph, heads):
            revs = [graph.revisions[r] for r in side]
            sides.append([(rev, read_operations(_text(root / rev.path))) for rev in revs])
        found[heads] = conflicts_for_divergence(sides)
    return found


def find_conflicts(loaded: Loaded, plan: Plan) -> list[Conflict]:
    """Where the sides of each planned step clash."""
    by_heads = conflicts_by_heads(loaded, [step.heads for step in plan.steps])
    return [c for step in plan.steps for c in by_heads[tuple(step.heads)]]


def refuse_conflicting(plan: Plan, by_heads: Mapping[Heads, Sequence[Conflict]]) -> Plan:
    """`plan` with each step whose sides conflict turned into a refusal that names the conflicts."""
    from dataclasses import replace

    from ahq_history.core.plan import Refusal

    steps, refusals = [], list(plan.refusals)
    for step in plan.steps:
        clashes = by_heads.get(tuple(step.heads), ())
        if not clashes:
            steps.append(step)
            continue
        listed = "; ".join(c.message for c in clashes)
        verb = "merging" if step.kind == "merge" else "re-parenting"
        refusals.append(Refusal(tuple(step.heads), (
            f"the sides conflict: {listed}; a merge revision does not make them compatible, and "
            f"{verb} them as they are needs --allow-conflicts (change one side first, or run again with "
            "--allow-conflicts)",)))
    return replace(plan, steps=tuple(steps), refusals=tuple(refusals))


def advise_all(loaded: Loaded, published: Published, applied: AppliedState | None,
               by_heads: Mapping[Heads, Sequence[Conflict]]) -> dict[Heads, Advice]:
    """The advisor's answer for each divergence, from the same facts the plan was made from."""
    from ahq_history.core.advice import DivergenceFacts, SideFacts, advise
    from ahq_history.core.applied import NOT_READ
    from ahq_history.core.plan import side_state
    from ahq_history.core.reconcile import heads_once_joined

    graph = loaded.graph
    several = len(graph.divergences) > 1
    answers: dict[Heads, Advice] = {}
    for div in graph.divergences:
        facts = DivergenceFacts(
            heads=tuple(div.heads), labels=tuple(div.labels),
            sides=tuple(SideFacts(s.head, s.revisions, side_state(s, published)) for s in div.sides),
            conflicts=tuple(c.message for c in by_heads.get(tuple(div.heads), ())))
        answers[tuple(div.heads)] = advise(facts, applied or NOT_READ, several=several,
                                           upgrade=loaded.project.upgrade_argv,
                                           heads_after=heads_once_joined(graph))
    return answers


def after_write(loaded: Loaded, plan: Plan, written: Sequence[Written], *, here: Path | None = None
                ) -> NextSteps:
    """What a write changed and what to run next (`core/advice.py`), for `merge-heads` and the TUI:
    `git add` of the files (relative to `here`, else to the project folder), a commit after a re-parent,
    then the upgrade for the heads that remain."""
    import os

    from ahq_history.core.advice import after_merge, after_rebase
    from ahq_history.core.plan import RebaseStep

    heads = len(plan.heads) - sum(len(step.heads) - 1 for step in plan.steps)
    paths = [item.relpath if here is None else os.path.relpath(item.path, here) for item in written]
    upgrade = loaded.project.upgrade_argv
    if plan.mode == "rebase":
        onto = [step.onto for step in plan.steps if isinstance(step, RebaseStep)]
        return after_rebase(paths, onto, upgrade, heads)
    return after_merge(paths, upgrade, heads)


def verify_offer(loaded: Loaded, config: str | None = None) -> tuple[str, ...]:
    """`ahq-history verify`, offered after a merge: the merged history run up, down and up again on a
    scratch database; with `--scratch-server URL` when the project's database is a server, since a
    temporary SQLite file would not prove its migrations. Nothing is connected to here."""
    from ahq_history.core.errors import UsageError
    from ahq_history.db.scratch import scratch_spec

    argv: tuple[str, ...] = ("ahq-history", *(("-c", config) if config else ()), "verify")
    try:
        scratch_spec(loaded.project, None, None)
    except UsageError:  # a server database: only a server of its dialect proves it
        return (*argv, "--scratch-server", "URL")
    return argv


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
