"""The pure core: a revision graph built from `Revision` values, answering every graph question.

Definitions follow Alembic's `RevisionMap` so that our answers equal `ScriptDirectory`'s:
- a head has no child through `down_revision` (a `depends_on` pointing at it does not remove it);
- a base has no `down_revision`;
- a branch point has two or more children through `down_revision`;
- a merge point has two or more `down_revision` entries.

The graph never opens a file. Broken input (duplicate ids, dangling parents, cycles, duplicate labels)
does not raise: it becomes `Problem` values in `problems`, and the rest of the graph is still answered.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from ahq_history.core.errors import UsageError
from ahq_history.core.model import Problem, Revision

PARENT = "parent"  # edge kind: child -> parent through down_revision
DEPENDS = "depends_on"  # edge kind: revision -> the revision it depends on

# Alembic 1.20 takes any unique prefix (even one character); we ask for four, so that a typed prefix
# keeps naming the same revision as the history grows.
MIN_PARTIAL_ID = 4


@dataclass(frozen=True)
class Side:
    """One side of a divergence: a head and the revisions only it brings, newest first."""

    head: str
    revisions: tuple[str, ...]


@dataclass(frozen=True)
class Divergence:
    """Heads that `upgrade head` (or `upgrade label@head`) cannot choose between."""

    heads: tuple[str, ...]
    forks: tuple[str, ...]  # the heads' nearest common ancestors (none an ancestor of another); empty
    # when the heads share no history
    sides: tuple[Side, ...]
    labels: tuple[str, ...] = ()  # the branch labels the heads share (empty: unlabelled heads)


class RevisionGraph:
    """A directed graph of revisions: an edge child -> parent for each `down_revision` entry
    (kind "parent") and each resolved `depends_on` entry (kind "depends_on")."""

    def __init__(self, revisions: Iterable[Revision]) -> None:
        self._problems: list[Problem] = []
        self.revisions: dict[str, Revision] = {}
        for rev in revisions:
            self._add_revision(rev)
        self.labels: dict[str, str] = self._collect_labels()
        self.graph: nx.DiGraph = nx.DiGraph()
        self.graph.add_nodes_from(self.revisions)
        self._children: dict[str, list[str]] = {rid: [] for rid in self.revisions}
        for rev in self.revisions.values():
            self._link(rev)
        self._problems.extend(self._cycle_problems())
        self._problems.extend(self._duplicate_merge_problems())

    # -- building -------------------------------------------------------------------------------

    def _add_revision(self, rev: Revision) -> None:
        first = self.revisions.get(rev.id)
        if first is None:
            self.revisions[rev.id] = rev
            return
        self._problems.append(Problem(
            kind="duplicate-id", severity="error",
            message=f"revision {rev.id} is defined twice: in {first.path} and in {rev.path}",
            path=rev.path, line=rev.line, revisions=(rev.id,),
        ))

    def _collect_labels(self) -> dict[str, str]:
        labels: dict[str, str] = {}
        for rev in self.revisions.values():
            for label in rev.branch_labels:
                owner = labels.get(label) or (label if label in self.revisions else None)
                if owner is not None:
                    self._problems.append(Problem(
                        kind="duplicate-label", severity="error",
                        message=f"branch label '{label}' of revision {rev.id} is already used by "
                        f"revision {owner}",
                        path=rev.path, line=rev.labels_line or rev.line, revisions=(rev.id, owner),
                    ))
                    continue
                labels[label] = rev.id
        return labels

    def _link(self, rev: Revision) -> None:
        # A parent named twice is one edge and one child, as in Alembic (whose `nextrev` is a set).
        for parent in dict.fromkeys(rev.parents):
            if parent not in self.revisions:
                self._problems.append(Problem(
                    kind="dangling-parent", severity="error",
                    message=f"revision {rev.id} names down_revision {parent}, which no file defines",
                    path=rev.path, line=rev.parents_line or rev.line, revisions=(rev.id, parent),
                ))
                continue
            self.graph.add_edge(rev.id, parent, kind=PARENT)
            self._children[parent].append(rev.id)
        for name in rev.depends_on:
            target = name if name in self.revisions else self.labels.get(name)
            if target is None:
                self._problems.append(self._dangling_depends_on(rev, name))
            elif not self.graph.has_edge(rev.id, target):
                self.graph.add_edge(rev.id, target, kind=DEPENDS)

    def _dangling_depends_on(self, rev: Revision, name: str) -> Problem:
        """An error, unless a branch label somewhere could not be read: `name` may be that label, so the
        unread value is the thing to report (a warning already names it), not a broken graph."""
        if any(r.labels_unresolved for r in self.revisions.values()):
            return Problem(kind="dangling-depends-on", severity="warning",
                           message=f"revision {rev.id} depends on {name}, which is no revision and no branch "
                           "label that could be read; it may be one of the labels that could not be",
                           path=rev.path, line=rev.depends_line or rev.line, revisions=(rev.id, name))
        return Problem(kind="dangling-depends-on", severity="error",
                       message=f"revision {rev.id} depends on {name}, which is neither a revision "
                       "nor a branch label",
                       path=rev.path, line=rev.depends_line or rev.line, revisions=(rev.id, name))

    def _cycle_problems(self) -> list[Problem]:
        problems: list[Problem] = []
        if nx.is_directed_acyclic_graph(self.graph):  # the usual case, four times cheaper to confirm
            return problems
        for component in nx.strongly_connected_components(self.graph):
            if len(component) == 1:
                (only,) = component
                if not self.graph.has_edge(only, only):
                    continue
            members = sorted(component)
            first = self.revisions[members[0]]
            problems.append(Problem(
                kind="cycle", severity="error",
                message=f"revisions form a cycle: {' -> '.join(members)}",
                path=first.path, line=first.parents_line or first.line, revisions=tuple(members),
            ))
        return problems

    def _duplicate_merge_problems(self) -> list[Problem]:
        seen: dict[frozenset[str], str] = {}
        problems = []
        for rev in self.revisions.values():
            if len(rev.parents) < 2:
                continue
            key = frozenset(rev.parents)
            if key in seen:
                problems.append(Problem(
                    kind="duplicate-merge", severity="warning",
                    message=f"revisions {seen[key]} and {rev.id} both merge {', '.join(sorted(key))}; "
                    f"keep one and delete the other (if it is not yet applied anywhere)",
                    path=rev.path, line=rev.parents_line or rev.line, revisions=(seen[key], rev.id),
                ))
            else:
                seen[key] = rev.id
        return problems

    # -- basic questions ------------------------------------------------------------------------

    @property
    def problems(self) -> list[Problem]:
        """Everything wrong with the graph itself (file problems come from the scanner)."""
        return list(self._problems)

    @property
    def broken(self) -> bool:
        return any(p.is_error for p in self._problems)

    def __len__(self) -> int:
        return len(self.revisions)

    def __contains__(self, revision_id: object) -> bool:
        return revision_id in self.revisions

    def parents(self, revision_id: str) -> list[str]:
        """`down_revision` entries that exist, in file order."""
        return [p for p in self.revisions[revision_id].parents if p in self.revisions]

    def dependencies(self, revision_id: str) -> list[str]:
        """Resolved `depends_on` targets (labels turned into revision ids)."""
        return [t for t in self.graph.successors(revision_id)
                if self.graph.edges[revision_id, t]["kind"] == DEPENDS]

    def children(self, revision_id: str) -> list[str]:
        """Revisions whose `down_revision` names this one."""
        return list(self._children[revision_id])

    @cached_property
    def heads(self) -> list[str]:
        """Revisions with no child through `down_revision`, oldest first."""
        return self._in_order(r for r, kids in self._children.items() if not kids)

    @cached_property
    def bases(self) -> list[str]:
        return self._in_order(r.id for r in self.revisions.values() if not r.parents)

    @cached_property
    def branchpoints(self) -> list[str]:
        return self._in_order(r for r, kids in self._children.items() if len(kids) > 1)

    @cached_property
    def mergepoints(self) -> list[str]:
        return self._in_order(r.id for r in self.revisions.values() if len(r.parents) > 1)

    def ancestors(self, revision_id: str, *, include_depends: bool = False) -> set[str]:
        """Every revision below `revision_id` (through down_revision; also depends_on if asked)."""
        if include_depends:
            return set(nx.descendants(self.graph, revision_id))
        return self._walk(revision_id, lambda r: self.parents(r))

    def descendants(self, revision_id: str, *, include_depends: bool = False) -> set[str]:
        """Every revision above `revision_id`."""
        if include_depends:
            return set(nx.ancestors(self.graph, revision_id))
        return self._walk(revision_id, lambda r: self._children[r])

    @staticmethod
    def _walk(start: str, step: Callable[[str], Iterable[str]]) -> set[str]:
        seen: set[str] = set()
        stack = list(step(start))
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack.extend(step(node))
        return seen

    @cached_property
    def _order(self) -> dict[str, int]:
        return {rid: i for i, rid in enumerate(self.topological())}

    def _in_order(self, ids: Iterable[str]) -> list[str]:
        return sorted(ids, key=lambda r: self._order[r])

    def topological(self) -> list[str]:
        """Every revision, parents before children (depends_on too); ties broken by create date, then id.

        With a cycle there is no such order: the cycle's members come last, by id.
        """
        return list(self._topological)

    @cached_property
    def _topological(self) -> tuple[str, ...]:
        # Kahn's algorithm with a heap: networkx's lexicographical sort needs the reversed graph copied,
        # which costs more than the sort itself on 10,000 revisions.
        def key(rid: str) -> tuple[str, str, str]:
            return (self.revisions[rid].create_date or "", rid, rid)

        waiting = dict(self.graph.out_degree())  # edges point to parents and dependencies
        ready = [key(rid) for rid, count in waiting.items() if count == 0]
        heapq.heapify(ready)
        order: list[str] = []
        while ready:
            rid = heapq.heappop(ready)[2]
            order.append(rid)
            for child in self.graph.pred[rid]:
                waiting[child] -= 1
                if waiting[child] == 0:
                    heapq.heappush(ready, key(child))
        # Members of a cycle (and whatever stands on one) never become ready: they come last, by id.
        stuck = sorted(rid for rid, count in waiting.items() if count > 0)
        return (*order, *stuck)

    def newest_first(self) -> list[str]:
        return list(reversed(self.topological()))

    # -- labels ---------------------------------------------------------------------------------

    @cached_property
    def _effective_labels(self) -> dict[str, frozenset[str]]:
        """Labels a revision carries: its own and those of every ancestor through down_revision."""
        result: dict[str, frozenset[str]] = {}
        if not self.labels:
            return result
        for rid in self._topological:
            own = frozenset(self.revisions[rid].branch_labels)
            inherited = [result[p] for p in self.parents(rid) if p in result]
            result[rid] = own.union(*inherited)
        return result

    def branch_labels(self, revision_id: str) -> frozenset[str]:
        """The branch labels that `label@head` would reach this revision through."""
        return self._effective_labels.get(revision_id, frozenset())

    # -- divergence -----------------------------------------------------------------------------

    @cached_property
    def divergences(self) -> list[Divergence]:
        """Groups of two or more heads that no distinct branch label separates.

        Unlabelled heads form one group whether or not they share history: `upgrade head` fails for
        all of them alike. A head below which a branch label could not be read (`labels_unresolved`)
        stands alone: the unknown label may be what separates it, and a guess must not report a divergence.
        """
        groups: dict[tuple[frozenset[str], str], list[str]] = {}
        unknown = self._labels_unknown
        for head in self.heads:
            groups.setdefault((self.branch_labels(head), head if head in unknown else ""), []).append(head)
        return [self._divergence(heads, key[0]) for key, heads in groups.items() if len(heads) > 1]

    @cached_property
    def _labels_unknown(self) -> set[str]:
        """Revisions that carry, or descend through down_revision from, a label not read statically."""
        marked = [rid for rid, rev in self.revisions.items() if rev.labels_unresolved]
        found: set[str] = set()
        for rid in marked:
            found |= self.descendants(rid) | {rid}
        return found

    def _divergence(self, heads: Sequence[str], labels: frozenset[str]) -> Divergence:
        reach = {h: self.ancestors(h) | {h} for h in heads}
        sides = []
        for head in heads:
            others = set().union(*(reach[h] for h in heads if h != head))
            own = reach[head] - others
            sides.append(Side(head=head, revisions=tuple(reversed(self._in_order(own)))))
        # The nearest common ancestors of the heads: shared by every head, and no other shared revision
        # stands on them (a child of one that is shared too would make it older than that child).
        shared = set.intersection(*reach.values())
        forks = {rid for rid in shared if not any(child in shared for child in self._children[rid])}
        return Divergence(heads=tuple(heads), forks=tuple(self._in_order(forks)), sides=tuple(sides),
                          labels=tuple(sorted(labels)))

    @property
    def diverged(self) -> bool:
        return bool(self.divergences)

    # -- naming revisions -----------------------------------------------------------------------

    def resolve(self, name: str) -> str:
        """A revision id from what a user typed: an id, a branch label, `head`, `label@head`,
        `revision@head` (as Alembic reads them), or a partial id of four characters or more."""
        if name in self.revisions:
            return name
        if name in self.labels:
            return self.labels[name]
        label, _, suffix = name.rpartition("@")
        if name == "head" or (label and suffix == "head"):
            return self._single_head(label or None, name)
        matches = [rid for rid in self.revisions if len(name) >= MIN_PARTIAL_ID and rid.startswith(name)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            shown = ", ".join(sorted(matches)[:5])
            raise UsageError(f"'{name}' matches several revisions: {shown}",
                             hint="type more characters of the revision id")
        hint = ("a partial id needs at least four characters" if len(name) < MIN_PARTIAL_ID
                else "`ahq-history history` lists every revision")
        raise UsageError(f"no revision or branch label '{name}' in this history", hint=hint)

    def _single_head(self, label: str | None, name: str) -> str:
        heads = self.heads if label is None else self._heads_above(label)
        if len(heads) == 1:
            return heads[0]
        if not heads:
            if not self.revisions:
                raise UsageError(f"'{name}' names no revision: the history has no revisions yet")
            raise UsageError(f"'{name}' names no revision: a cycle leaves no head to name",
                             hint="`ahq-history check` names the cycle")
        raise UsageError(f"'{name}' is ambiguous: there are {len(heads)} heads ({', '.join(heads)})",
                         hint="name one revision id, or run `ahq-history merge-heads`")

    def _heads_above(self, label: str) -> list[str]:
        """The heads `label@head` names: those carrying the branch label, or, as Alembic also reads
        `revision@head`, the heads at or above that revision."""
        if label in self.labels:
            return [h for h in self.heads if label in self.branch_labels(h)]
        start = self.resolve(label)
        above = self.descendants(start)
        return [h for h in self.heads if h == start or h in above]
