"""What the TUI shows, as plain values: the loaded history, its layout, filters and search (no Textual).

Kept apart from the widgets so that filters and search are tested without a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Literal

from ahq_history.config.loading import Loaded
from ahq_history.core.advice import Advice
from ahq_history.core.display import clean
from ahq_history.core.graph import Divergence, RevisionGraph
from ahq_history.core.model import Problem
from ahq_history.report.lanes import GitColumns, Row, lanes

Filter = Literal["all", "heads", "local", "unapplied"]
FILTERS: tuple[Filter, ...] = ("all", "heads", "local", "unapplied")


@dataclass(frozen=True)
class History:
    """One load of the project: the graph, its full layout, and what git and the database add later."""

    loaded: Loaded
    rows: tuple[Row, ...]
    git: Mapping[str, GitColumns] | None = None  # None until git has answered (or outside git)
    git_note: str | None = None
    applied: frozenset[str] | None = None  # None: no database configured, or not read yet
    database_note: str | None = None
    database_at: tuple[str, ...] = ()  # the revision(s) the database is at (its alembic_version rows)

    @property
    def graph(self) -> RevisionGraph:
        return self.loaded.graph

    @cached_property
    def diverged_heads(self) -> frozenset[str]:
        return frozenset(h for d in self.graph.divergences for h in d.heads)

    @cached_property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that break the graph (those `check` exits 3 for)."""
        return tuple(p for p in self.loaded.problems if p.is_error)

    @cached_property
    def conflicts(self) -> dict[tuple[str, ...], tuple[str, ...]]:
        """Each divergence's operation conflicts (their messages), read from the revision files' text."""
        from ahq_history.core.conflicts import conflicts_for_divergence, divergence_sides

        graph, found = self.graph, {}
        for divergence in graph.divergences:
            sides = divergence_sides([s.revisions for s in divergence.sides], graph.revisions,
                                     self.loaded.source)
            found[tuple(divergence.heads)] = tuple(c.message for c in conflicts_for_divergence(sides))
        return found

    def with_git(self, git: Mapping[str, GitColumns] | None, note: str | None) -> History:
        return replace(self, git=git, git_note=note)

    def with_database(self, applied: frozenset[str] | None, note: str | None,
                      at: tuple[str, ...] = ()) -> History:
        return replace(self, applied=applied, database_note=note, database_at=at)


def build_history(loaded: Loaded) -> History:
    """Lay out the whole graph once; filtered views lay out their subset (`view_rows`).

    Runs in a worker, so it also answers the graph questions the first screen asks (heads,
    divergences): the screen's thread then only paints.
    """
    history = History(loaded=loaded, rows=tuple(lanes(loaded.graph)))
    _ = loaded.graph.heads, history.diverged_heads, history.errors, history.conflicts
    return history


def filtered_ids(history: History, name: Filter) -> list[str] | None:
    """The revisions a filter keeps, newest first; None when the filter needs facts not known yet."""
    order = [row.revision for row in history.rows]
    if name == "all":
        return order
    if name == "heads":
        heads = set(history.graph.heads)
        return [r for r in order if r in heads]
    if name == "local":
        if history.git is None:
            return None
        return [r for r in order if _is_local(history.git.get(r))]
    if history.applied is None:
        return None
    return [r for r in order if r not in history.applied]


def _is_local(git: GitColumns | None) -> bool:
    return git is not None and (not git.committed or git.published is False)


def view_rows(history: History, name: Filter) -> tuple[Row, ...] | None:
    """Rows for a filter: the full layout for `all`, else the kept revisions laid out on their own."""
    if name == "all":
        return history.rows
    kept = filtered_ids(history, name)
    return None if kept is None else tuple(lanes(history.graph, kept))


def filter_unavailable_reason(history: History, name: Filter) -> str:
    if name == "local":
        return history.git_note or "git facts are not loaded yet"
    return history.database_note or "the database has not been read yet"


def matches(history: History, row: Row, needle: str) -> bool:
    """Search by id (prefix or part), message or author, ignoring case."""
    needle = needle.casefold().strip()
    if not needle:
        return False
    rev = history.graph.revisions[row.revision]
    author = (history.git or {}).get(row.revision)
    haystacks = [row.revision, rev.message, author.author if author and author.author else ""]
    return any(needle in text.casefold() for text in haystacks)


def find(history: History, rows: Sequence[Row], needle: str, start: int, step: int = 1) -> int | None:
    """Index of the next row (after `start`, wrapping, in direction `step`) that matches `needle`."""
    count = len(rows)
    for offset in range(1, count + 1):
        index = (start + step * offset) % count
        if matches(history, rows[index], needle):
            return index
    return None


def divergence_summary(history: History, divergence: Divergence) -> str:
    """`2 heads since aaaa00000002: cccc00000002 add runs (Bob, local) and ...`, cleaned of escapes."""
    graph = history.graph
    parts = []
    for head in divergence.heads:
        git = (history.git or {}).get(head)
        who = [w for w in (git.author if git else None, _state(git)) if w]
        suffix = f" ({', '.join(who)})" if who else ""
        parts.append(f"{head[:12]} {graph.revisions[head].message}{suffix}")
    forks = ", ".join(f[:12] for f in divergence.forks) or "no shared revision"
    label = f" on {', '.join(divergence.labels)}" if divergence.labels else ""
    return clean(f"{len(divergence.heads)} heads{label} since {forks}: " + " and ".join(parts))


def problem_line(problem: Problem) -> str:
    """`path:line: message`, as the broken-graph dialog lists a problem (cleaned of escapes)."""
    if problem.path and problem.line:
        return clean(f"{problem.path}:{problem.line}: {problem.message}")
    return clean(problem.message)


def broken_notice(history: History) -> str | None:
    """Why merging must wait, when the graph is broken; None when it is not."""
    count = len(history.errors)
    if not count:
        return None
    what, them = ("1 problem", "it") if count == 1 else (f"{count} problems", "them")
    return (f"The revision graph is broken ({what}): fix {them} first, then press R to reload; "
            "merging and re-parenting wait until then")


def merge_unavailable(history: History | None) -> str | None:
    """Why merging and re-parenting cannot apply now (still loading, a broken graph, one head); None
    when they can."""
    if history is None:
        return "the history is still loading"
    notice = broken_notice(history)
    if notice is not None:
        return notice
    if not history.graph.divergences:
        return "one head: nothing to merge"
    return None


def banner_lines(history: History) -> list[str]:
    """The banner above the graph: each divergence with the keys that resolve it, or, when the graph is
    broken, that it must be fixed first (a merge of a broken graph would only hide the problem)."""
    divergences = history.graph.divergences
    notice = broken_notice(history)
    if notice is None:
        lines = []
        for divergence in divergences:
            advised = divergence_advice(history, divergence)
            lines.append(f"Diverged (m merge, r re-parent): {divergence_summary(history, divergence)}")
            lines.append(clean(f"  run: {advised.command}  ({advised.reason})"))  # the command first: it fits
        return lines
    more = len(history.errors) - 1
    first = problem_line(history.errors[0]) + (f" (and {more} more)" if more else "")
    return [notice, f"  {first}", *(f"As drawn: {divergence_summary(history, d)}" for d in divergences)]


def divergence_advice(history: History, divergence: Divergence) -> Advice:
    """The advisor's answer (`core/advice.py`) from what the TUI knows: git's publication, the database it
    read (unknown until then, or when it can name none) and the sides' conflicts."""
    from ahq_history.core.advice import DivergenceFacts, SideFacts, advise
    from ahq_history.core.applied import AppliedState
    from ahq_history.core.reconcile import heads_once_joined

    git = history.git or {}
    sides = []
    for side in divergence.sides:
        states = [git[r].published if r in git else None for r in side.revisions]
        published = True if True in states else False if all(s is False for s in states) else None
        sides.append(SideFacts(side.head, side.revisions, published))
    if history.applied is not None:
        applied = AppliedState.read(history.applied, history.database_note or "the database")
    else:
        applied = AppliedState.unknown(history.database_note or "no database the tool can name was read")
    heads = tuple(divergence.heads)
    facts = DivergenceFacts(heads=heads, sides=tuple(sides), labels=tuple(divergence.labels),
                            conflicts=history.conflicts.get(heads, ()))
    graph = history.graph
    return advise(facts, applied, several=len(graph.divergences) > 1,
                  upgrade=history.loaded.project.upgrade_argv, heads_after=heads_once_joined(graph))


def _state(git: GitColumns | None) -> str | None:
    if git is None:
        return None
    if not git.committed:
        return "uncommitted"
    return {True: "published", False: "local", None: None}[git.published]
