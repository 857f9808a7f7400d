"""Reading git's words: the records of one `git log -z --raw` pass (see `repo.log_history`), each commit
with its parents, who made it and when, and what it changed under the version folders (status, path, blob),
a merge in git's combined form (standard library only).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

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
