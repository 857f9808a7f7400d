"""A gate's verdict: whether the tree a commit or a push would leave adds a head or breaks the graph, against
the tree it replaces, and the words that say so (what, the advisor's command, how to bypass).

The rule: refuse when the new tree has more divergent heads than the one it replaces (two heads that no
branch label separates: `upgrade head` fails on them), or an error-level problem the old tree did not
have. A tree that was already diverged or broken is not held against an unrelated commit: the gate stops
what this commit or push adds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK
from ahq_history.core.shell import command_line

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.advice import Advice
    from ahq_history.core.model import Problem

# What the person runs to go past a gate, by gate.
BYPASS: dict[str, tuple[str, ...]] = {
    "pre-commit": ("git", "commit", "--no-verify"),
    "pre-push": ("git", "push", "--no-verify"),
}
# What to do once the heads are merged, by gate.
AFTER_MERGE = {
    "pre-commit": "then `git add` the new revision file and commit again",
    "pre-push": "then commit the new revision file and push again",
}


@dataclass(frozen=True)
class Verdict:
    """0 passes; 1 the change adds a divergent head; 3 it breaks the graph; 2 it could not be judged."""

    code: int
    lines: tuple[str, ...] = ()


def bypass_line(gate: str) -> str:
    verb = "commit" if gate == "pre-commit" else "push"
    return f"  to {verb} anyway: {command_line(BYPASS[gate])}"


def divergent_heads(loaded: Loaded | None) -> int:
    """How many heads take part in a divergence (0 when there is no tree yet)."""
    if loaded is None:
        return 0
    return sum(len(divergence.heads) for divergence in loaded.graph.divergences)


def _errors(loaded: Loaded | None) -> list[Problem]:
    return [] if loaded is None else [p for p in loaded.problems if p.is_error]


def judge(gate: str, before: Loaded | None, after: Loaded, what: str,
          published: frozenset[str] | None = None) -> Verdict:
    """The verdict on `after` (the tree `what` names, e.g. "the staged revision files") replacing
    `before` (None: nothing, a new branch or a first commit). `published`: the revision ids a remote
    holds, for the advice (None: unknown)."""
    known = {(p.kind, p.path, p.message) for p in _errors(before)}
    new = [p for p in _errors(after) if (p.kind, p.path, p.message) not in known]
    if new:
        lines = [f"ahq-history ({gate} gate): {what} break the revision graph:"]
        lines += [f"  {p.path or '?'}{f':{p.line}' if p.line else ''}: {p.message}" for p in new]
        lines += ["  fix the file, then try again; `ahq-history check` shows the whole graph",
                  bypass_line(gate)]
        return Verdict(EXIT_BROKEN, tuple(lines))
    if divergent_heads(after) > divergent_heads(before):
        return Verdict(EXIT_NEGATIVE, _divergence_lines(gate, after, what, published))
    return Verdict(EXIT_OK)


def _divergence_lines(gate: str, loaded: Loaded, what: str, published: frozenset[str] | None
                      ) -> tuple[str, ...]:
    graph = loaded.graph
    messages = {revision.id: revision.message for revision in loaded.scan.revisions}
    heads = [head for divergence in graph.divergences for head in divergence.heads]
    lines = [f"ahq-history ({gate} gate): refused: {what} have {len(heads)} Alembic heads that no branch "
             "label separates (`upgrade head` fails on them):"]
    lines += [f"  {head[:12]}  {messages.get(head, '')}" for head in heads]
    for advice in _advice(loaded, published):
        lines += [f"  {advice.reason}", f"  run: {advice.command}"]
    lines += [f"  {AFTER_MERGE[gate]}", bypass_line(gate)]
    return tuple(lines)


def _advice(loaded: Loaded, published: frozenset[str] | None) -> Sequence[Advice]:
    """The advisor's answer for each divergence (core/advice.py). A gate reads no database, so a local
    side's applied state is unknown and the advice is a merge revision (the words say `status` can tell)."""
    from ahq_history.core.advice import DivergenceFacts, SideFacts, advise
    from ahq_history.core.applied import NOT_READ

    graph = loaded.graph
    divergences = graph.divergences
    remaining = len(graph.heads) - sum(len(d.heads) - 1 for d in divergences)
    answers: list[Advice] = []
    for divergence in divergences:
        facts = DivergenceFacts(heads=divergence.heads, labels=divergence.labels,
                                sides=tuple(SideFacts(s.head, s.revisions, _published(s.revisions, published))
                                            for s in divergence.sides))
        answers.append(advise(facts, NOT_READ, several=len(divergences) > 1,
                              upgrade=loaded.project.upgrade_argv, heads_after=remaining))
    return answers


def _published(revisions: Sequence[str], published: frozenset[str] | None) -> bool | None:
    return None if published is None else any(revision in published for revision in revisions)
