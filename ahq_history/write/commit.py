"""The rendered files of a plan written as one journaled transaction (`journal.py`): each file's target
(a symlinked revision file is written through to its target inside the repository, refused outside it),
its old bytes checked and kept, its permission bits kept, its new bytes staged outside every version
location; then all of them in place, the caller's check, and the journal removed, or every file put back.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.config.pending import journal_folder, repository_top
from ahq_history.core.errors import AhqError, RefusedError, UnreachableError
from ahq_history.write.files import Written
from ahq_history.write.journal import Entry, Journal, Recovery, incomplete, locked, recover, recover_locked
from ahq_history.write.staging import digest, missing_folders, real_path, staging_folder

if TYPE_CHECKING:
    from ahq_history.config.project import Project


def write_files(project: Project, items: Sequence[Written], check: Callable[[], None]) -> None:
    """Write `items` (their `data`) whole or not at all; `check` runs once every file is in place, and
    its error undoes them too.

    Raises RefusedError when an interrupted write is found first (it is finished or undone, and said so;
    nothing new is written) or a file changed since it was rendered; UnreachableError when a file cannot
    be written (everything put back) or cannot be put back (named, with its backup)."""
    folder = journal_folder(project.root)
    top = real_path(repository_top(project.root))
    with locked(folder):
        found = recover_locked(folder, top)
        if found is not None:
            raise RefusedError(f"{found.describe()}; nothing new was written",
                               hint="look at the history again (`ahq-history check`), then write again")
        journal, data, before = _journal(project, items, folder, top)
        try:
            journal.prepare(data, before)
            journal.apply()
            check()
            journal.save("done")
        except BaseException as error:
            _abort(journal, error)
            raise
        journal.cleanup()


def recover_project(project: Project) -> Recovery | None:
    """Finish or undo what an interrupted write left in the project's repository (`journal.py`); None
    when nothing was left. Raises UnreachableError when a file cannot be put back (named, with its
    backup; the journal is kept for the next try)."""
    return recover(project.root, real_path(repository_top(project.root)))


def describe(items: Sequence[Written]) -> str:
    """What a write does, in a few words (kept in the journal, shown if it is interrupted)."""
    merges = [f"merge revision {w.revision}" for w in items if w.kind == "merge"]
    moved = [w.revision for w in items if w.kind == "rebase"]
    files = [w.relpath for w in items if w.kind in ("marker", "settings")]
    return ", ".join([*merges, *([f"re-parent of {', '.join(moved)}"] if moved else []), *files]) or "nothing"


def _journal(project: Project, items: Sequence[Written], folder: Path, top: Path
             ) -> tuple[Journal, list[bytes], list[bytes | None]]:
    """The journal of writing `items`, with each file's new and old bytes; nothing is written yet."""
    entries: list[Entry] = []
    before: list[bytes | None] = []
    places: dict[Path, Path | None] = {}
    for index, item in enumerate(items):
        creating = item.kind == "merge" or item.before is None  # a marker may be new too
        target = _new_file(item) if creating else _rewritable(item, top)
        if target.parent not in places:
            places[target.parent] = staging_folder(target, folder, project.version_locations)
        stage = (places[target.parent] or folder) / f"stage-{index}"
        if creating:
            entries.append(Entry("create", target, item.relpath, digest(item.data), stage,
                                 folders=tuple(missing_folders(target.parent))))
            before.append(None)
            continue
        old = _unchanged(item, target)
        entries.append(Entry("replace", target, item.relpath, digest(item.data), stage, old=digest(old),
                             backup=folder / f"backup-{index}", mode=os.stat(target).st_mode & 0o7777))
        before.append(old)
    staging = tuple(dict.fromkeys(p for p in places.values() if p is not None))
    journal = Journal(folder, top, describe(items), entries, staging)
    return journal, [item.data for item in items], before


def _new_file(item: Written) -> Path:
    if os.path.lexists(item.path):
        raise AhqError(f"{item.path} already exists; not overwritten",
                       hint="run merge-heads again (a new revision id is drawn each time)")
    return real_path(item.path)


def _rewritable(item: Written, top: Path) -> Path:
    """The file whose bytes a re-parent changes: the revision file, or the file its symlink points to
    when that is inside the repository (a link to elsewhere is refused: the file is not the project's)."""
    target = real_path(item.path)
    if not target.is_relative_to(top):
        raise RefusedError(f"{item.relpath} is a symbolic link to {target}, outside the repository; "
                           "not rewritten; nothing was written",
                           hint="edit that file by hand, or join the sides with a merge revision: "
                           "ahq-history merge-heads")
    return target


def _unchanged(item: Written, target: Path) -> bytes:
    """The file's bytes now, which must be those it was rendered from."""
    try:
        old = target.read_bytes()
    except OSError as error:
        raise UnreachableError(f"cannot read {item.relpath}: {error.strerror or error}; nothing was written",
                               hint="check the file's permissions") from None
    if old != item.before:
        raise RefusedError(f"{item.relpath} changed while the change was prepared; nothing was written",
                           hint="run the command again")
    return old


def _abort(journal: Journal, error: BaseException) -> None:
    """Put every file back after `error`; raise the error that says what failed (or, when something
    could not be put back, what and where its backup is)."""
    _restored, _removed, failures = journal.rollback()
    reason = (error.strerror or str(error)) if isinstance(error, OSError) else getattr(error, "message", None)
    if failures:
        raise incomplete(journal, f"writing {journal.at} failed ({reason or type(error).__name__})",
                         failures) from error
    if journal.state in ("preparing", "writing"):
        with contextlib.suppress(OSError):  # else the next write rolls back again: nothing left to undo
            journal.save("rolled-back")
    journal.cleanup()
    if isinstance(error, OSError):  # a full disk, a read-only folder: words, not a traceback
        raise UnreachableError(f"cannot write {journal.at}: {reason}; nothing was kept",
                               hint=f"check the free space and permissions of {journal.at_folder}"
                               ) from None
