"""The history kept under git's own folder as two JSON files, written atomically (standard library only): a
base, rewritten rarely, and a tail holding what was learned since (the commits a pull brought, blobs read),
so that a hook after a pull writes only the small tail. A damaged or foreign file is simply a miss, and so is
one made for other version folders or another shallow boundary.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ahq_history.git.index import History
from ahq_history.git.log import Change, CommitInfo

FORMAT = 3  # 2: Revision gained labels_unresolved (blobs kept as lists of its fields); 3: older folders
TAIL_LIMIT = 3000  # a new base once the tail holds more commits or blobs than this (and after a prune)


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
    history.older = tuple(stored["older"])
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
                     "older": list(history.older), "shallow": sorted(history.shallow),
                     **_section(history, 0, 0)}):
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
