"""The history of the version folders by commit, parents first (standard library only): every commit with its
parents and, for the commits that touch the version folders, who made them and what they changed. The
version folders at any tip are a replay of the changes reachable from it (`replay`); which refs hold a
commit is one pass over the commits, children before parents (`ref_masks`); what a pull brought is a walk
that stops where the two histories meet (`only_in`). After a history rewrite, commits that no tip reaches
any more are never replayed, and `prune` drops them when they pile up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ahq_history.git.log import Change, CommitInfo, Record

STALE_FRACTION = 0.25  # prune when this share of cached commits is out of every tip's reach


@dataclass(slots=True)
class FileState:
    """A file of the version folders as one tip has it, and how it got there."""

    path: str
    blob: str
    added: int | None  # the commit that added it (following renames); None beyond a shallow boundary
    seen: int  # the oldest commit known to hold it: the adding commit, or the shallow boundary
    versions: list[tuple[int, str]] = field(default_factory=list)  # (commit, blob) per change, oldest first
    boundary: bool = False  # versions[0] is the shallow boundary's copy, not a change anybody made

    @property
    def changed(self) -> int | None:
        """The last commit that changed the file (never the shallow boundary)."""
        if not self.versions or (self.boundary and len(self.versions) == 1):
            return None
        return self.versions[-1][0]


@dataclass(frozen=True)
class Deletion:
    """A file that a commit deleted and no later commit brought back."""

    path: str
    commit: int
    blob: str | None  # its content before the deletion
    added: int | None
    seen: int | None


@dataclass(frozen=True)
class Snapshot:
    """The version folders at one tip: files present and files deleted, with their history."""

    tip: int
    reach: bytearray  # reach[i] is 1 when commit i is in the tip's history
    files: dict[str, FileState]
    deletions: dict[str, Deletion]


class History:
    """Every commit reachable from the walked tips, parents first, with the version folders' changes."""

    def __init__(self, pathspecs: Sequence[str], shallow: Iterable[str] = ()) -> None:
        self.pathspecs = tuple(pathspecs)
        self.older: tuple[str, ...] = ()  # folders version files were moved from (logged, never reported)
        self.shallow = frozenset(shallow)
        self.shas: list[str] = []
        self.index: dict[str, int] = {}
        self.parents: list[tuple[int, ...]] = []
        self.info: dict[int, CommitInfo] = {}  # commits with changes, and merges
        self.changes: dict[int, tuple[Change, ...]] = {}
        self.tips: set[str] = set()  # what the next update may exclude: everything below is known
        self.blobs: dict[str, list[Any] | None] = {}  # blob -> facts read from its text (see place.py)
        self.memo: dict[int, Any] = {}  # values callers derive per commit (not stored)
        self.stamp: str | None = None  # names the base file this was read from (None: write a new base)
        self.base_commits = 0  # how many commits and blobs that base file holds
        self.base_blobs = 0

    def __len__(self) -> int:
        return len(self.shas)

    # -- growing --------------------------------------------------------------------------------

    def add(self, records: Iterable[Record], tips: Iterable[str]) -> int:
        """Append commits given parents first; returns how many were new. `tips` were walked to the end."""
        added = 0
        for record in records:
            sha = record.info.sha
            if sha in self.index:
                continue
            number = len(self.shas)
            self.index[sha] = number
            self.shas.append(sha)
            # A parent that is unknown lies beyond a shallow boundary; git already hides those.
            self.parents.append(tuple(self.index[p] for p in record.parents if p in self.index))
            changes = record.changes
            if sha in self.shallow:
                # A boundary commit is diffed against nothing: its "additions" are only what it holds.
                changes = tuple(Change("B", c.path, c.blob) for c in changes if c.status == "A")
            if changes:
                self.changes[number] = changes
            if changes or len(record.parents) > 1:
                self.info[number] = record.info
            added += 1
        self.tips.update(t for t in tips if t in self.index)
        return added

    # -- questions ------------------------------------------------------------------------------

    def reach(self, tips: Iterable[str]) -> bytearray:
        """reach[i] == 1 for every commit in the history of `tips` (unknown tips are ignored)."""
        seen = bytearray(len(self.shas))
        stack = [self.index[t] for t in tips if t in self.index]
        while stack:
            number = stack.pop()
            if not seen[number]:
                seen[number] = 1
                stack.extend(p for p in self.parents[number] if not seen[p])
        return seen

    def only_in(self, tip: str, other: str | None) -> list[int]:
        """Commits in the history of `tip` but not of `other` (`other..tip`), newest first.

        Walks down from both at once in index order (children have higher indices than their parents)
        and stops as soon as nothing below can be reached from `tip` alone: a pull costs what it brought.
        """
        import heapq

        if tip not in self.index:
            return []
        flags: dict[int, int] = {self.index[tip]: 1}
        if other in self.index:
            flags[self.index[other]] = flags.get(self.index[other], 0) | 2
        queue = [-n for n in flags]
        heapq.heapify(queue)
        pending = sum(1 for f in flags.values() if f == 1)
        found = []
        while queue and pending:
            number = -heapq.heappop(queue)
            flag = flags[number]
            if flag == 1:
                pending -= 1
                found.append(number)
            for parent in self.parents[number]:
                before = flags.get(parent)
                after = (before or 0) | flag
                if before is None:
                    heapq.heappush(queue, -parent)
                    pending += after == 1
                elif before == 1 and after == 3:
                    pending -= 1
                flags[parent] = after
        return found

    def replay(self, tip: str) -> Snapshot:
        """The version folders as `tip` has them: each file's adding commit, its versions, and deletions."""
        reach = self.reach([tip])
        files: dict[str, FileState] = {}
        deletions: dict[str, Deletion] = {}
        first: dict[str, FileState] = {}  # blob -> the first file that held it
        for number in sorted(self.changes):
            if reach[number]:
                for change in self.changes[number]:
                    _apply(files, deletions, number, change, first)
        if self.older:  # the older folders were followed only to see moves out of them
            files = {p: f for p, f in files.items() if under(p, self.pathspecs)}
            deletions = {p: d for p, d in deletions.items() if under(p, self.pathspecs)}
        return Snapshot(tip=self.index.get(tip, -1), reach=reach, files=files, deletions=deletions)

    def ref_masks(self, tips: Sequence[str]) -> list[int]:
        """For each commit, a bit mask of the `tips` (by position) whose history holds it."""
        masks = [0] * len(self.shas)
        for bit, sha in enumerate(tips):
            if sha in self.index:
                masks[self.index[sha]] |= 1 << bit
        for number in range(len(masks) - 1, -1, -1):  # children come after their parents
            mask = masks[number]
            if mask:
                for parent in self.parents[number]:
                    masks[parent] |= mask
        return masks

    def first_join(self, groups: Sequence[Iterable[int]], within: bytearray) -> int | None:
        """The oldest merge commit inside `within` whose history first holds a commit of every group.

        None when the groups were joined without a merge commit (a rebase), or not joined at all.
        """
        own = [0] * len(self.shas)
        for bit, group in enumerate(groups):
            for number in group:
                own[number] |= 1 << bit
        full = (1 << len(groups)) - 1
        masks = [0] * len(self.shas)
        for number, parents in enumerate(self.parents):
            mask = own[number]
            for parent in parents:
                mask |= masks[parent]
            masks[number] = mask
            joins_here = mask == full and all(masks[p] != full for p in parents)
            if joins_here and within[number] and len(parents) > 1:
                return number
        return None

    def commit(self, number: int) -> CommitInfo | None:
        return self.info.get(number)

    # -- upkeep ---------------------------------------------------------------------------------

    def stale(self, live_tips: Iterable[str]) -> bool:
        """True when enough cached commits lie outside every live tip's history to be worth pruning."""
        reach = self.reach(live_tips)
        unreachable = len(reach) - sum(reach)
        return unreachable > 1000 and unreachable > STALE_FRACTION * len(reach)

    def prune(self, live_tips: Iterable[str]) -> None:
        """Forget the commits that no live tip reaches (left behind by rebases and deleted branches)."""
        live = list(live_tips)
        reach = self.reach(live)
        renumber: dict[int, int] = {}
        shas: list[str] = []
        parents: list[tuple[int, ...]] = []
        for number, sha in enumerate(self.shas):
            if reach[number]:
                renumber[number] = len(shas)
                shas.append(sha)
                parents.append(tuple(renumber[p] for p in self.parents[number]))
        self.info = {renumber[n]: i for n, i in self.info.items() if n in renumber}
        self.changes = {renumber[n]: c for n, c in self.changes.items() if n in renumber}
        self.shas, self.parents = shas, parents
        self.index = {sha: n for n, sha in enumerate(shas)}
        self.tips = {t for t in live if t in self.index}
        self.memo = {}
        self.stamp = None  # the numbers changed: the next save writes a whole new base


def under(path: str, folders: Iterable[str]) -> bool:
    """`path` lies in one of `folders` (repository paths; "" is the top)."""
    return any(not f or path == f or path.startswith(f + "/") for f in folders)


def _apply(files: dict[str, FileState], deletions: dict[str, Deletion], number: int, change: Change,
           first: dict[str, FileState]) -> None:
    """One change on top of the files so far (a replay step). An added file whose blob a file already held
    (moved in a commit that git did not pair as a rename, or brought by a merge) keeps that file's origin."""
    status, path = change.status, change.path
    if status == "D":
        gone = files.pop(path, None)
        deletions[path] = Deletion(path=path, commit=number, blob=change.old_blob,
                                   added=gone.added if gone else None, seen=gone.seen if gone else None)
        return
    assert change.blob is not None
    source = change.old_path if status == "R" and change.old_path else path
    state = None if status in ("A", "B") else files.pop(source, None)  # M, T, R keep the commit that added it
    earlier = first.get(change.blob) if state is None and status != "B" else None
    if earlier is not None:
        state = FileState(path=path, blob=change.blob, added=earlier.added, seen=earlier.seen,
                          versions=list(earlier.versions), boundary=earlier.boundary)
    elif state is None:
        state = FileState(path=path, blob=change.blob, added=number if status == "A" else None, seen=number,
                          boundary=status == "B")
    state.path, state.blob = path, change.blob
    state.versions.append((number, change.blob))
    files[path] = state
    first.setdefault(change.blob, files[path])
    deletions.pop(path, None)
