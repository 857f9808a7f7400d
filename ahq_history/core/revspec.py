"""Alembic's revision syntax, read on our `RevisionGraph` as Alembic's `RevisionMap` reads it.

- `heads`: each head, as `get_revisions("heads")` (a head that another revision depends on is left out);
  `label@heads`: the heads on that branch;
- `base`: each base (`down_revision = None`), as `get_bases()`; `label@base`: the bases on that branch;
- `head`, `label@head`, an id, a branch label, a partial id of 4+ characters: `RevisionGraph.resolve`;
- `label@ID`: ID, refused when it is not on that branch;
- relative forms, as `upgrade`/`downgrade` walk them: `head-1`, `ID+1`, `ID-2`, `label@head-1`, `base+1`.
  A step up takes the one child, a step down the one parent; a fork or a merge on the way is ambiguous.

Git's `~` and `^` are not Alembic's syntax and are refused, as are forms relative to the database
(`+1`, `-1`), which name no revision without one.
"""

from __future__ import annotations

import difflib
import re

from ahq_history.core.errors import UsageError
from ahq_history.core.graph import RevisionGraph

# Alembic's `_relative_destination`, read whole (Alembic ignores what follows the number).
RELATIVE = re.compile(r"(?:(.+?)@)?(\w+)?([+-]\d+)")


def resolve_revisions(graph: RevisionGraph, name: str) -> tuple[str, ...]:
    """The revision ids `name` stands for (several for `heads` and `base`), or a `UsageError` that says
    why none: unknown (with the closest names), ambiguous, or a walk that leaves the graph."""
    if name in graph.revisions or name in graph.labels:
        return (graph.resolve(name),)
    if "~" in name or "^" in name:
        raise UsageError(f"'{name}': git's ~ and ^ are not Alembic's revision syntax",
                         hint="write it as Alembic does: head-1, ID-2, ID+1")
    label, _, symbol = name.rpartition("@")
    if symbol in ("heads", "base"):
        return _each(graph, label or None, symbol, name)
    relative = RELATIVE.fullmatch(name)
    if relative:
        return (_relative(graph, *relative.groups(), name=name),)
    if label and symbol != "head":
        return (_on_branch(graph, label, symbol),)
    return (resolve_one(graph, name),)


def resolve_one(graph: RevisionGraph, name: str) -> str:
    """`RevisionGraph.resolve`, with the closest names suggested when nothing matches."""
    try:
        return graph.resolve(name)
    except UsageError as error:
        if not error.message.startswith("no revision or branch label"):
            raise
        close = difflib.get_close_matches(name, [*graph.revisions, *graph.labels], n=3, cutoff=0.6)
        if close:
            raise UsageError(error.message, hint=f"did you mean {' or '.join(close)}?") from None
        raise


def _each(graph: RevisionGraph, label: str | None, symbol: str, name: str) -> tuple[str, ...]:
    if symbol == "heads":
        # Alembic's `_real_heads`: heads no other revision depends on (`upgrade heads` reaches those).
        found = [h for h in graph.heads if not graph.graph.in_degree(h)]
        if label is not None:
            found = [h for h in graph.heads if _shares_lineage(graph, h, label)]
    else:
        found = [b for b in graph.bases if label is None or _shares_lineage(graph, b, label)]
    if not found:
        raise UsageError(f"'{name}' names no revision" + (
            ": the history has no revisions yet" if not graph.revisions else ""))
    return tuple(found)


def _shares_lineage(graph: RevisionGraph, rid: str, label: str) -> bool:
    """Whether `rid` is on `label`'s branch: the labelled revision (or the revision `label` names) is
    `rid`, below it or above it, as Alembic's `filter_for_lineage` reads it."""
    target = resolve_one(graph, label)
    return target == rid or target in graph.ancestors(rid) or target in graph.descendants(rid)


def _on_branch(graph: RevisionGraph, label: str, symbol: str) -> str:
    rid = resolve_one(graph, symbol)
    if not _shares_lineage(graph, rid, label):
        raise UsageError(f"revision {rid} is not on branch '{label}'",
                         hint=f"`ahq-history show {label}@heads` lists that branch's heads")
    return rid


def _relative(graph: RevisionGraph, label: str | None, symbol: str | None, steps: str, *,
              name: str) -> str:
    if symbol is None:
        raise UsageError(f"'{name}' counts from the database's revision, which `show` does not read",
                         hint="count from a revision: head-1, ID-1, ID+1")
    count = int(steps)
    start: str | None = None  # None: below every base, where `base+1` starts
    if symbol != "base":
        start = resolve_one(graph, f"{label}@{symbol}" if label and symbol == "head" else symbol)
    for _ in range(abs(count)):
        if count > 0:
            nexts = graph.bases if start is None else graph.children(start)
            if label is not None:
                nexts = [n for n in nexts if _shares_lineage(graph, n, label)]
        else:
            nexts = [] if start is None else graph.parents(start)
            if start is not None and not nexts:
                start = None  # one step below a base is `base`, then nothing
                continue
        if len(nexts) > 1:
            raise UsageError(f"'{name}' is ambiguous: the walk reaches {', '.join(nexts)}",
                             hint="name the revision on the side you mean")
        if not nexts:
            break
        start = nexts[0]
    else:
        if start is not None:
            return start
    raise UsageError(f"'{name}' walks past the end of the history",
                     hint="`ahq-history history` shows how far it goes")
