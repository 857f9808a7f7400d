"""The history of the version folders, kept by commit under git's own folder (standard library only).

One `git log` pass (see `gitrepo.log_history`) gives every commit with its parents and, for the commits that
touch the version folders, who made them and what they changed (status, path, blob). `History` keeps that in
parents-first order, so that:

- a later run reads only the commits that are new since the cached tips (`git log NEW --not OLD`);
- the state of the version folders at any tip is a replay of the changes reachable from it (`replay`);
- which refs hold a commit is one pass over the commits, children before parents (`ref_masks`).

A history rewrite needs no rebuild: commits that no tip reaches any more are never replayed, and `prune`
drops them when they pile up. Only a changed shallow boundary (or version folders) starts from empty.
The file is JSON, written atomically; a damaged or foreign file is simply a miss.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

FORMAT = 1
STALE_FRACTION = 0.25  # prune when this share of cached commits is out of every tip's reach
_RECORD, _FIELD = "\x1e", "\x1f"
# What `parse_log` reads: one record per commit, fields separated by \x1f, then `--raw -z` entries.
LOG_FORMAT = _RECORD + _FIELD.join(("%H", "%P", "%an", "%ae", "%aI"))


class CommitInfo(NamedTuple):
    """Who made a commit and when (ISO 8601 author date, as git gives it)."""

    sha: str
    author: str
    email: str
    date: str


class Change(NamedTuple):
    """One file change of a commit, as `git log --raw -M` reports it.

    status: A added, M modified, T type changed, D deleted, R renamed (from `old_path`), and B for a file
    present in a shallow clone's boundary commit, whose origin lies beyond the boundary.
    """

    status: str
    path: str
    blob: str | None  # content after the change; None when deleted
    old_path: str | None = None
    old_blob: str | None = None


@dataclass(frozen=True)
class Record:
    """One commit as `git log` gives it."""

    info: CommitInfo
    parents: tuple[str, ...]
    changes: tuple[Change, ...]


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
        self.shallow = frozenset(shallow)
        self.shas: list[str] = []
        self.index: dict[str, int] = {}
        self.parents: list[tuple[int, ...]] = []
        self.info: dict[int, CommitInfo] = {}  # commits with changes, and merges
        self.changes: dict[int, tuple[Change, ...]] = {}
        self.tips: set[str] = set()  # what the next update may exclude: everything below is known
        self.blobs: dict[str, list[Any] | None] = {}  # blob -> facts read from its text (see gitfacts)
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
        for number in sorted(self.changes):
            if reach[number]:
                for change in self.changes[number]:
                    _apply(files, deletions, number, change)
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


def _apply(files: dict[str, FileState], deletions: dict[str, Deletion], number: int, change: Change) -> None:
    """One change on top of the files so far (a replay step)."""
    status, path = change.status, change.path
    if status == "D":
        gone = files.pop(path, None)
        deletions[path] = Deletion(path=path, commit=number, blob=change.old_blob,
                                   added=gone.added if gone else None, seen=gone.seen if gone else None)
        return
    assert change.blob is not None
    if status in ("A", "B"):
        files[path] = FileState(path=path, blob=change.blob, added=number if status == "A" else None,
                                seen=number, versions=[(number, change.blob)], boundary=status == "B")
    else:  # M, T, R: a renamed file keeps the commit that added it
        source = change.old_path if status == "R" and change.old_path else path
        state = files.pop(source, None) or FileState(path=path, blob=change.blob, added=None, seen=number)
        state.path, state.blob = path, change.blob
        state.versions.append((number, change.blob))
        files[path] = state
    deletions.pop(path, None)


# -- reading git's words --------------------------------------------------------------------------


def parse_log(text: str) -> list[Record]:
    """Records from `git log -z --raw --no-abbrev --format=LOG_FORMAT` output, in the order given."""
    records = []
    for chunk in text.split(_RECORD):
        if not chunk:
            continue
        header, _, rest = chunk.partition("\0")
        sha, parents, author, email, date = header.split(_FIELD)
        records.append(Record(info=CommitInfo(sha=sha, author=author, email=email, date=date),
                              parents=tuple(parents.split()), changes=tuple(_raw_changes(rest))))
    return records


def _raw_changes(text: str) -> Iterable[Change]:
    """`:old_mode new_mode old_blob new_blob STATUS\\0path\\0[new_path\\0]` entries, and for a merge
    the combined form (`::` one colon per parent) that lists only what the merge itself changed."""
    parts = text.split("\0")
    position = 0
    while position < len(parts):
        meta = parts[position].strip()
        position += 1
        if meta.startswith("::"):
            yield _combined_change(meta, parts[position])
            position += 1
            continue
        if not meta.startswith(":"):
            continue
        _old_mode, _new_mode, old_blob, new_blob, status = meta[1:].split(" ")
        kind = status[0]
        if kind in ("R", "C"):
            old_path, path = parts[position], parts[position + 1]
            position += 2
        else:
            old_path, path = None, parts[position]
            position += 1
        if kind == "C":  # copies are not asked for; a copy is an addition of its own
            kind, old_path = "A", None
        yield Change(status=kind, path=path, blob=None if kind == "D" else new_blob,
                     old_path=old_path, old_blob=None if kind == "A" else old_blob)


def _combined_change(meta: str, path: str) -> Change:
    """A file a merge commit changed against every parent: added in the merge itself (all `A`),
    deleted by it, or edited while resolving it. Compared with the first parent otherwise."""
    count = len(meta) - len(meta.lstrip(":"))
    fields = meta[count:].split(" ")
    blobs, statuses = fields[count + 1:2 * count + 2], fields[-1]
    first, result = blobs[0], blobs[-1]
    if set(statuses) == {"A"}:
        return Change("A", path, result)
    if set(result) == {"0"}:
        return Change("D", path, None, old_blob=first)
    return Change("M", path, result, old_blob=None if set(first) == {"0"} else first)


# -- the files ------------------------------------------------------------------------------------
#
# Two JSON files: the base, rewritten rarely, and a tail holding what was learned since (the commits a
# pull brought, blobs read). A hook after a pull writes only the small tail; the base is rewritten when
# the tail grows past TAIL_LIMIT commits or blobs, or after a prune.

TAIL_LIMIT = 3000


def tail_path(path: Path) -> Path:
    return path.with_name(path.stem + ".tail.json")


def load(path: Path, pathspecs: Sequence[str], shallow: Iterable[str]) -> History | None:
    """The cached history when it was made for these version folders and this shallow boundary."""
    enabled = gc.isenabled()
    gc.disable()  # a few hundred thousand small objects: collecting while building them doubles the time
    try:
        history = _from_json(_read(path), tuple(pathspecs), frozenset(shallow))
        if history is not None:
            with contextlib.suppress(OSError, ValueError, KeyError, TypeError, IndexError):
                _apply_tail(history, _read(tail_path(path)))
        return history
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        stored = json.load(handle)
    if not isinstance(stored, dict):
        raise ValueError(f"{path} holds no object")
    return stored


def _from_json(stored: dict[str, Any], pathspecs: tuple[str, ...], shallow: frozenset[str]) -> History | None:
    if stored.get("format") != FORMAT or tuple(stored["pathspecs"]) != pathspecs:
        return None
    if frozenset(stored["shallow"]) != shallow:
        return None  # a deepened or new boundary changes what the oldest commits mean
    history = History(pathspecs, shallow)
    _extend(history, stored)
    history.stamp = str(stored["stamp"])
    history.base_commits, history.base_blobs = len(history.shas), len(history.blobs)
    return history


def _apply_tail(history: History, tail: dict[str, Any]) -> None:
    """Add the tail's commits and blobs when it extends exactly this base (else it is stale: ignored)."""
    if tail.get("stamp") != history.stamp or tail.get("from") != len(history.shas):
        return
    _extend(history, tail)


def _extend(history: History, stored: dict[str, Any]) -> None:
    start = len(history.shas)
    new = stored["commits"].split()
    parents = stored["parents"]
    if len(parents) != len(new) or any(p >= start + n or p < 0 for n, ps in enumerate(parents) for p in ps):
        raise ValueError("cached parents do not match cached commits")
    history.shas.extend(new)
    history.index.update((sha, start + n) for n, sha in enumerate(new))
    history.parents.extend(map(tuple, parents))
    shas = history.shas
    history.info.update((int(n), CommitInfo(shas[int(n)], *fields)) for n, fields in stored["info"].items())
    make = Change._make
    history.changes.update((int(n), tuple(map(make, changes))) for n, changes in stored["changes"].items())
    history.tips = set(stored["tips"])
    history.blobs.update(stored["blobs"])


def save(path: Path, history: History) -> None:
    """Write atomically: only the tail when the base still holds most of it, else a new base.
    A cache that cannot be written is simply not kept."""
    new_commits = len(history.shas) - history.base_commits
    new_blobs = len(history.blobs) - history.base_blobs
    if history.stamp is not None and new_commits <= TAIL_LIMIT and new_blobs <= TAIL_LIMIT:
        _write(tail_path(path), {"stamp": history.stamp, "from": history.base_commits,
                                 **_section(history, history.base_commits, history.base_blobs)})
        return
    stamp = secrets.token_hex(8)
    if _write(path, {"format": FORMAT, "stamp": stamp, "pathspecs": list(history.pathspecs),
                     "shallow": sorted(history.shallow), **_section(history, 0, 0)}):
        history.stamp, history.base_commits, history.base_blobs = stamp, len(history.shas), len(history.blobs)
        with contextlib.suppress(OSError):
            os.unlink(tail_path(path))


def _section(history: History, commits: int, blobs: int) -> dict[str, Any]:
    """The commits from number `commits` on, and the blobs after the first `blobs`."""
    return {
        "tips": sorted(history.tips),
        "commits": " ".join(history.shas[commits:]),
        "parents": history.parents[commits:],
        "info": {str(n): [i.author, i.email, i.date] for n, i in history.info.items() if n >= commits},
        "changes": {str(n): [list(c) for c in changes]
                    for n, changes in history.changes.items() if n >= commits},
        "blobs": dict(list(history.blobs.items())[blobs:]),
    }


def _write(path: Path, stored: dict[str, Any]) -> bool:
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".history-", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(stored, handle, separators=(",", ":"))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        temp = None
        return True
    except OSError:
        return False
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                os.unlink(temp)
