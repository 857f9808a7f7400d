"""Compare the revisions a database holds with the revision graph of this checkout (pure).

Values in, values out: the rows of `alembic_version`, this checkout's graph, and, for each row this checkout
does not define, the graph of a git tree that does (found by `gitsearch`). No database, git or file access.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from ahq_history.core.shell import command_line, split_configured

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph

State = Literal["at-heads", "behind", "ahead", "unknown"]


@dataclass(frozen=True)
class UnknownRevision:
    """A database row that no revision file of this checkout defines."""

    revision: str
    found: bool  # a git tree that defines it was given
    shared: str | None  # nearest ancestor (there) that this checkout also defines; None: shares none
    ahead: bool  # its history (there) holds every revision of this checkout: the database is ahead


@dataclass(frozen=True)
class DbState:
    """Where the database stands against this checkout's heads."""

    current: tuple[str, ...]  # the rows, sorted
    heads: tuple[str, ...]
    unknown: tuple[UnknownRevision, ...]
    pending: tuple[str, ...]  # still to apply (after going back to the shared revisions), base first

    @property
    def at_heads(self) -> bool:
        return set(self.current) == set(self.heads)

    @property
    def multiple_rows(self) -> bool:
        return len(self.current) > 1

    @property
    def ahead(self) -> tuple[str, ...]:
        return tuple(u.revision for u in self.unknown if u.ahead)

    @property
    def state(self) -> State:
        """One word for the whole: an unknown row outweighs pending revisions."""
        if any(not u.ahead for u in self.unknown):
            return "unknown"
        if self.unknown:
            return "ahead"
        return "behind" if self.pending else "at-heads"


def compare(
    graph: RevisionGraph, current: Iterable[str], elsewhere: Mapping[str, RevisionGraph] | None = None
) -> DbState:
    """The state of a database holding the revisions `current`.

    `elsewhere` maps an unknown revision to the graph of a git tree that defines it; its shared revision
    then counts as applied (it is where the way back leads), so `pending` is what the upgrade after
    coming back will apply.
    """
    rows = tuple(sorted(set(current)))
    unknown = tuple(
        _unknown(graph, rev, (elsewhere or {}).get(rev)) for rev in rows if rev not in graph.revisions
    )
    applied_tips = [rev for rev in rows if rev in graph.revisions]
    applied_tips += [u.shared for u in unknown if u.shared is not None]
    return DbState(
        current=rows,
        heads=tuple(graph.heads),
        unknown=unknown,
        pending=pending_revisions(graph, applied_tips),
    )


def pending_revisions(graph: RevisionGraph, applied_tips: Iterable[str]) -> tuple[str, ...]:
    """Revisions an upgrade to the heads would apply, parents first.

    Like Alembic, a revision counts as applied when a row is it or descends from it through
    `down_revision` or `depends_on`.
    """
    applied: set[str] = set()
    for tip in applied_tips:
        if tip not in applied:
            applied |= graph.ancestors(tip, include_depends=True) | {tip}
    return tuple(rev for rev in graph.topological() if rev not in applied)


def _unknown(here: RevisionGraph, revision: str, there: RevisionGraph | None) -> UnknownRevision:
    if there is None or revision not in there.revisions:
        return UnknownRevision(revision, found=False, shared=None, ahead=False)
    history = there.ancestors(revision)
    ahead = bool(here.revisions) and set(here.revisions) <= history
    return UnknownRevision(revision, found=True, shared=shared_revision(here, there, revision), ahead=ahead)


def shared_revision(here: RevisionGraph, there: RevisionGraph, revision: str) -> str | None:
    """The revision to downgrade to: the newest ancestor of `revision` (in `there`) that `here` defines too.

    "Newest" is the shared ancestor that no other shared ancestor descends from; when a merge leaves
    several, the one latest in this checkout's order. None when the histories share no revision.
    """
    # Walk down from `revision`, stopping at revisions both sides have: every newest shared revision is
    # met this way (a path to it through another shared one would make it older than that one).
    met: set[str] = set()
    seen: set[str] = set()
    stack = list(there.parents(revision))
    while stack:
        rev = stack.pop()
        if rev in seen:
            continue
        seen.add(rev)
        if rev in here.revisions:
            met.add(rev)
        else:
            stack.extend(there.parents(rev))
    older: set[str] = set()
    for rev in met:
        older |= there.ancestors(rev) & met
    frontier = met - older
    if len(frontier) <= 1:
        return next(iter(frontier), None)
    order = {rev: i for i, rev in enumerate(here.topological())}
    return max(frontier, key=lambda rev: (order[rev], rev))


def downgrade_argv(upgrade: Sequence[str], target: str, *, flask: bool = False) -> tuple[str, ...]:
    """The team's upgrade command (as words) turned into a downgrade to `target`.

    The last `upgrade` word and what follows it become `downgrade <target>`
    (`flask --app backend.run db upgrade` -> `flask --app backend.run db downgrade abc123`); a command
    without that word falls back to the tool's own (`flask db downgrade` or `alembic downgrade`).
    """
    words = list(upgrade)
    if "upgrade" in words:
        cut = len(words) - 1 - words[::-1].index("upgrade")
        return (*words[:cut], "downgrade", target)
    return ("flask", "db", "downgrade", target) if flask else ("alembic", "downgrade", target)


def downgrade_command(upgrade_command: str, target: str, *, flask: bool = False) -> str:
    """`downgrade_argv` of a command line (split as a shell would), rendered with each word quoted."""
    try:
        words = split_configured(upgrade_command)
    except ValueError:
        words = upgrade_command.split()
    return command_line(downgrade_argv(words, target, flask=flask))


def steps_back_argv(
    checkout: str,
    shared: str | None,
    *,
    upgrade: Sequence[str],
    return_to: str,
    flask: bool = False,
) -> tuple[tuple[str, ...], ...]:
    """The commands that take the database back to this checkout's history, in order, each as words.

    `checkout` is what `git checkout` takes to reach the tree that has the revision (a branch, a
    remote-tracking ref or a commit); without a shared revision the way back is `base`.
    """
    return (
        ("git", "checkout", checkout),
        downgrade_argv(upgrade, shared or "base", flask=flask),
        ("git", "checkout", return_to),
        tuple(upgrade),
    )


def steps_back(
    checkout: str,
    shared: str | None,
    *,
    upgrade_command: str,
    return_to: str,
    flask: bool = False,
) -> tuple[str, ...]:
    """`steps_back_argv` for an upgrade command line, each step rendered as one quoted shell line."""
    try:
        upgrade = split_configured(upgrade_command)
    except ValueError:
        upgrade = upgrade_command.split()
    argvs = steps_back_argv(checkout, shared, upgrade=upgrade, return_to=return_to, flask=flask)
    return tuple(command_line(argv) for argv in argvs)
