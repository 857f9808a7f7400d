"""What `merge-heads` would do, decided from facts alone (pure: no files, no git, no Alembic).

Input: the revision graph, publication per revision (`True` published, `False` local, `None` unknown), what
the database has applied (an `AppliedState`: read, unknown, or unchecked; None when it was not asked), and
what the user named. Output: a
`Plan` with one step per divergence (a merge revision, or local sides re-parented onto the published head),
or refusals that say in plain words why a step would be unsafe. Nothing here touches a file.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ahq_history.core.applied import AppliedState
from ahq_history.core.errors import RefusedError, UsageError
from ahq_history.core.graph import Divergence, RevisionGraph, Side
from ahq_history.core.shell import command_line

Mode = Literal["merge", "rebase"]
Published = Mapping[str, "bool | None"]  # revision id -> published (True), local (False), unknown (None)
# What the database has applied: a state (read, unknown, unchecked), a plain set of applied ids, or None
# when it was not asked (a merge revision moves nothing).
Applied = AppliedState | Collection[str] | None

MESSAGE_PART = 40  # characters of a head's message used in the default merge message
_LEADING_MERGE = re.compile(r"^(?:merge\b[\s:,-]*)+", re.IGNORECASE)  # "merge a and b", "Merge: x"


@dataclass(frozen=True)
class MergeStep:
    """Write one merge revision whose `down_revision` is `parents` (published sides first, then by id)."""

    heads: tuple[str, ...]  # the heads this step joins (as the divergence lists them)
    parents: tuple[str, ...]
    message: str
    labels: tuple[str, ...] = ()

    @property
    def kind(self) -> Literal["merge"]:
        return "merge"


@dataclass(frozen=True)
class Move:
    """Change the one parent of `revision` from `old_parent` to `new_parent`; `chain` moves with it."""

    revision: str
    path: str
    old_parent: str
    new_parent: str
    chain: tuple[str, ...]  # the local side's revisions, newest first (they keep their own parents)


@dataclass(frozen=True)
class RebaseStep:
    """Put the local sides on top of the published head `onto`, oldest side first."""

    heads: tuple[str, ...]
    onto: str
    moves: tuple[Move, ...]
    new_head: str  # the head once the sides are stacked

    @property
    def kind(self) -> Literal["rebase"]:
        return "rebase"


Step = MergeStep | RebaseStep


@dataclass(frozen=True)
class Refusal:
    """A divergence that will not be touched, and why (each reason a plain sentence)."""

    heads: tuple[str, ...]
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    mode: Mode
    steps: tuple[Step, ...]
    refusals: tuple[Refusal, ...] = ()
    heads: tuple[str, ...] = ()  # the graph's heads when the plan was made

    @property
    def nothing_to_do(self) -> bool:
        return not self.steps and not self.refusals

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


def applied_revisions(graph: RevisionGraph, rows: Iterable[str]) -> frozenset[str]:
    """Every revision the database has applied: the `alembic_version` rows and all their ancestors.

    Rows that name no revision of this checkout (another branch's revisions) are skipped.
    """
    applied: set[str] = set()
    for row in rows:
        if row in graph:
            applied |= graph.ancestors(row) | {row}
    return frozenset(applied)


def make_plan(
    graph: RevisionGraph,
    *,
    mode: Mode = "merge",
    named: Sequence[str] = (),
    published: Published | None = None,
    applied: Applied = None,
    message: str | None = None,
    authors: Mapping[str, str] | None = None,
) -> Plan:
    """Decide what `merge-heads` does. `named` are what the user typed (ids, partial ids, labels);
    `authors` (revision id -> who added it) name the sides in the default merge message.

    Raises UsageError for names that are not revisions or too few heads, and RefusedError for a named
    revision that is not a head (with Alembic's meaning explained).
    """
    facts = published or {}
    heads = tuple(graph.heads)
    if named:
        chosen = _named_heads(graph, named)
        if mode == "merge":
            return Plan(mode, (_merge_step(graph, chosen, chosen, (), facts, message, authors),), (), heads)
        return _plan_named_rebase(graph, chosen, facts, applied, heads)
    steps: list[Step] = []
    refusals: list[Refusal] = []
    for div in graph.divergences:
        if mode == "merge":
            steps.append(_merge_step(graph, div.heads, div.heads, div.labels, facts, message, authors))
            continue
        outcome = _rebase_divergence(graph, div, facts, applied, moving=None)
        if isinstance(outcome, RebaseStep):
            steps.append(outcome)
        else:
            refusals.append(outcome)
    return Plan(mode, tuple(steps), tuple(refusals), heads)


# -- naming ---------------------------------------------------------------------------------------


def _named_heads(graph: RevisionGraph, named: Sequence[str]) -> tuple[str, ...]:
    chosen: list[str] = []
    for name in named:
        rid = graph.resolve(name)
        if rid not in graph.heads:
            raise RefusedError(_not_a_head(graph, name, rid), hint=_not_a_head_hint(graph, rid))
        if rid not in chosen:
            chosen.append(rid)
    return tuple(chosen)


def _not_a_head(graph: RevisionGraph, name: str, rid: str) -> str:
    shown = rid if name == rid else f"{name} ({rid})"
    kids = ", ".join(sorted(graph.children(rid)))
    return (
        f"{shown} is not a head: revision {kids} already builds on it. Alembic merges heads only; "
        f"joining {rid} would start a new branch from the middle of the history (what `alembic merge "
        f"--splice` does), and `upgrade head` would then fail on two heads"
    )


def _not_a_head_hint(graph: RevisionGraph, rid: str) -> str:
    above = graph.descendants(rid) | {rid}
    tops = [h for h in graph.heads if h in above]
    return f"name the head of its branch instead: {', '.join(tops)}"


# -- merge ----------------------------------------------------------------------------------------


def _merge_step(
    graph: RevisionGraph,
    group: Sequence[str],
    heads: Sequence[str],
    labels: tuple[str, ...],
    facts: Published,
    message: str | None,
    authors: Mapping[str, str] | None = None,
) -> MergeStep:
    if len(heads) < 2:
        raise UsageError("name two or more heads to merge", hint="`ahq-history heads` lists them")
    parents = merge_order(heads, facts)
    text = message if message is not None else default_message(graph, parents, authors)
    return MergeStep(heads=tuple(group), parents=parents, message=text, labels=labels)


def merge_order(heads: Iterable[str], published: Published) -> tuple[str, ...]:
    """Published heads first (their history is shared, so it reads first), then by id: deterministic."""
    return tuple(sorted(heads, key=lambda h: (published.get(h) is not True, h)))


def default_message(graph: RevisionGraph, parents: Sequence[str], authors: Mapping[str, str] | None = None
                    ) -> str:
    """`merge <a> (<who>) and <b> (<who>)` (`merge <a>, <b> and <c>`): each head's message (its id when it
    has none; a head that is itself a merge loses its own leading "merge", so the message never reads
    "merge merge ...") and who added it, when git says."""
    parts = [_part(graph, p, (authors or {}).get(p)) for p in parents]
    joined = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"merge {joined}"


def _part(graph: RevisionGraph, rid: str, author: str | None) -> str:
    text = _short(graph, rid)
    who = _plain(author or "")
    return f"{text} ({who})" if who else text


def _plain(text: str) -> str:
    """One line that a docstring and a file name can hold."""
    return " ".join(text.split()).replace('"""', '"').replace("\\", "/")


def _short(graph: RevisionGraph, rid: str) -> str:
    text = _LEADING_MERGE.sub("", _plain(graph.revisions[rid].message))
    if not text:
        return rid
    return text if len(text) <= MESSAGE_PART else text[: MESSAGE_PART - 3].rstrip() + "..."


# -- rebase ---------------------------------------------------------------------------------------


def _plan_named_rebase(
    graph: RevisionGraph,
    chosen: tuple[str, ...],
    facts: Published,
    applied: Applied,
    heads: tuple[str, ...],
) -> Plan:
    div = next((d for d in graph.divergences if set(chosen) <= set(d.heads)), None)
    if div is None:
        raise UsageError(
            f"{', '.join(chosen)} {'is' if len(chosen) == 1 else 'are'} not the head of a side of a "
            "divergence: there is nothing to move it onto",
            hint="`ahq-history check` lists the divergences and their sides",
        )
    outcome = _rebase_divergence(graph, div, facts, applied, moving=set(chosen))
    if isinstance(outcome, RebaseStep):
        return Plan("rebase", (outcome,), (), heads)
    return Plan("rebase", (), (outcome,), heads)


def _rebase_divergence(
    graph: RevisionGraph,
    div: Divergence,
    facts: Published,
    applied: Applied,
    moving: set[str] | None,
) -> RebaseStep | Refusal:
    if moving is None:
        chosen = _choose_sides(div, facts)
        if isinstance(chosen, Refusal):
            return chosen
        onto_side, local = chosen
    else:
        others = [s for s in div.sides if s.head not in moving]
        if len(others) != 1:
            return Refusal(div.heads, (
                f"naming {', '.join(sorted(moving))} leaves {len(others)} sides to stay where they are; "
                "re-parenting needs exactly one side to build on: name every other side's head",))
        onto_side, local = others[0], [s for s in div.sides if s.head in moving]
    reasons = [*_published_reasons(local, facts), *_applied_reasons(graph, local, applied)]
    stacked = _stack(graph, onto_side.head, _oldest_first(graph, local))
    if isinstance(stacked, tuple):
        reasons.extend(stacked)
    if reasons:
        return Refusal(div.heads, tuple(reasons))
    assert isinstance(stacked, list)
    return RebaseStep(heads=div.heads, onto=onto_side.head, moves=tuple(stacked),
                      new_head=_oldest_first(graph, local)[-1].head)


def side_state(side: Side, published: Published) -> bool | None:
    """True when any of the side's revisions is published, False when all are local, None when unknown."""
    states = [published.get(r) for r in side.revisions]
    if any(s is True for s in states):
        return True
    if all(s is False for s in states):
        return False
    return None


def _choose_sides(div: Divergence, facts: Published) -> tuple[Side, list[Side]] | Refusal:
    states = {s.head: side_state(s, facts) for s in div.sides}
    published = [s for s in div.sides if states[s.head] is True]
    unknown = [s.head for s in div.sides if states[s.head] is None]
    heads = command_line(div.heads)  # quoted: this reason ends in a command line the reader may paste
    if unknown:
        return Refusal(div.heads, (
            f"whether {', '.join(unknown)} {'was' if len(unknown) == 1 else 'were'} pushed is unknown (no "
            "remote-tracking branch, or no git "
            f"repository); name the head to move: ahq-history merge-heads --rebase REV, REV one of {heads}",))
    if len(published) > 1:
        return Refusal(div.heads, (
            f"{' and '.join(s.head for s in published)} are {_all(len(published))} published: others may "
            "have them already; only a merge revision can join published sides: ahq-history merge-heads",))
    if not published:
        return Refusal(div.heads, (
            f"no side is published ({heads} are {_all(len(div.heads))} local); name the head to move: "
            f"ahq-history merge-heads --rebase REV, REV one of {heads}",))
    return published[0], [s for s in div.sides if s is not published[0]]


def _published_reasons(local: Iterable[Side], facts: Published) -> list[str]:
    reasons = []
    for side in local:
        pushed = [r for r in side.revisions if facts.get(r) is True]
        if pushed:
            reasons.append(
                f"{', '.join(pushed)} {'is' if len(pushed) == 1 else 'are'} published (a remote-tracking "
                "branch has it): others may have applied it, so its parent must not change; "
                "use a merge revision: ahq-history merge-heads")
    return reasons


def _all(count: int) -> str:
    return "both" if count == 2 else "all"


def _as_state(applied: Applied) -> AppliedState | None:
    if applied is None or isinstance(applied, AppliedState):
        return applied
    return AppliedState.read(frozenset(applied), "")


def _applied_reasons(graph: RevisionGraph, local: Iterable[Side], applied: Applied) -> list[str]:
    state = _as_state(applied)
    if state is None:
        return []
    reasons = []
    for side in local:
        if state.kind == "unknown":
            reasons.append(unknown_reason(tuple(reversed(side.revisions)), state.where))
            continue
        done = [r for r in reversed(side.revisions) if state.applied(r)]
        if done:
            below = ", ".join(p for r in side.revisions for p in graph.parents(r) if p not in side.revisions)
            reasons.append(
                f"{', '.join(done)} {'is' if len(done) == 1 else 'are'} applied to the database: moving it "
                "would leave the database on a history that no longer exists; downgrade the database to "
                f"{below or 'base'} first, or use a merge revision: ahq-history merge-heads")
    return reasons


def unknown_reason(revisions: Sequence[str], why: str) -> str:
    """Why a side whose applied state is unknown is not moved, and how to tell the tool."""
    verb = "is" if len(revisions) == 1 else "are"
    return (f"whether {', '.join(revisions)} {verb} applied to a database is unknown ({why}): moving an "
            "applied revision would leave that database on a history that no longer exists; name the "
            "database with --database-url URL, or pass --no-db-check if you know no database has applied "
            f"{'it' if len(revisions) == 1 else 'them'}; or use a merge revision: ahq-history merge-heads")


def _oldest_first(graph: RevisionGraph, sides: Iterable[Side]) -> list[Side]:
    order = {rid: i for i, rid in enumerate(graph.topological())}
    return sorted(sides, key=lambda s: (min(order[r] for r in s.revisions), s.head))


def _stack(graph: RevisionGraph, onto: str, sides: Sequence[Side]) -> list[Move] | tuple[str, ...]:
    """One move per root of each side (its revisions whose parent lies outside it), or the reasons why not."""
    below = graph.ancestors(onto) | {onto}
    moves: list[Move] = []
    reasons: list[str] = []
    for side in sides:
        for rid in reversed(side.revisions):
            parents = graph.revisions[rid].parents
            if parents and all(p in side.revisions for p in parents):
                continue  # inside the chain: it moves with its root
            problem = _root_problem(rid, parents, below, onto)
            if problem:
                reasons.append(problem)
                continue
            rev = graph.revisions[rid]
            moves.append(Move(rid, rev.path, parents[0], onto, side.revisions))
        onto = side.head
        below |= set(side.revisions)
    return moves if not reasons else tuple(reasons)


def _root_problem(rid: str, parents: tuple[str, ...], below: set[str], onto: str) -> str | None:
    if not parents:
        return (f"{rid} is a base (down_revision = None): giving it a parent would change what it is; "
                "use a merge revision: ahq-history merge-heads")
    if len(parents) != 1:
        return (f"{rid} merges {', '.join(parents)}: re-parenting a merge would drop one of its parents; "
                "use a merge revision: ahq-history merge-heads")
    if parents[0] not in below:
        return (f"{rid} builds on {parents[0]}, which {onto} does not contain: moving it would leave "
                f"{parents[0]} as a new head; use a merge revision: ahq-history merge-heads")
    return None
