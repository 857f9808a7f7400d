"""A write as a transaction, with a journal that survives a kill.

The journal is a folder under the git directory (`config/pending.py` says where): `intent.json` (what is
written where, the digests of each file's old and new bytes, its permission bits, the folders a new file
needs), a backup of every file to be replaced, and the new bytes, staged. A write goes, each step durable
(fsynced) before the next:

1. lock `journal.lock` beside the journal (one writer per repository at a time), and finish or undo what an
   interrupted write left (`recover`);
2. intent `preparing`; the backups and the staged new bytes (on the target's filesystem, never under a
   version location: `staging.py`); intent `writing`. Only now is the work tree touched:
3. each staged file `os.replace`d onto its target (the real file when the revision file is a symlink into
   the repository), then the caller's check (the history read back), intent `done`, the journal removed.

On any failure every file is put back (`Journal.rollback`), which keeps going past its own errors and
names what it could not restore, with the backup's path. After a kill the next write (or
`merge-heads --recover`) reads the intent: `preparing` changed nothing in the tree; `writing` is rolled
back, file by file, by comparing digests (a file that is neither the old nor the new bytes is someone
else's edit, left as is and named); `done` only needed its journal removed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from ahq_history.config.pending import FINISHED, INTENT, RECOVER_ARGV, journal_folder
from ahq_history.core.errors import UnreachableError
from ahq_history.core.shell import command_line
from ahq_history.write.staging import digest, file_digest, fsync_folder, pause, write_new

Kind = Literal["create", "replace"]
Outcome = Literal["discarded", "rolled-back"]
FORMAT = 1


@dataclass(frozen=True)
class Entry:
    """One file of a write: a new file (`create`) or new bytes for an existing one (`replace`)."""

    kind: Kind
    target: Path  # absolute, symlinks resolved: the file whose bytes change
    shown: str  # how messages name it (relative to the project)
    new: str  # digest of the new bytes
    stage: Path  # where the new bytes wait for their os.replace
    old: str | None = None  # replace: digest of the bytes before
    backup: Path | None = None  # replace: a copy of the bytes before
    mode: int | None = None  # replace: the permission bits kept
    folders: tuple[Path, ...] = ()  # create: the folders to make first, outermost first


@dataclass(frozen=True)
class Failure:
    """A file the rollback could not put back: why, and where its old bytes are kept."""

    shown: str
    reason: str
    backup: Path | None

    def describe(self) -> str:
        kept = f"; its old content is in {self.backup}" if self.backup else ""
        return f"{self.shown}: {self.reason}{kept}"


@dataclass(frozen=True)
class Recovery:
    """What finishing or undoing an interrupted write did."""

    outcome: Outcome
    what: str
    restored: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.outcome == "discarded":
            return f"an interrupted write ({self.what}) had not changed any file yet: nothing to undo"
        done = [*(f"restored {p}" for p in self.restored), *(f"removed {p}" for p in self.removed)]
        return (f"an interrupted write ({self.what}) was rolled back: "
                f"{', '.join(done) if done else 'no file had been changed yet'}")

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "what": self.what, "restored": list(self.restored),
                "removed": list(self.removed), "message": self.describe()}


class _LeftAsIs(Exception):
    """A file the rollback must not touch: someone changed it after the write began."""


class Journal:
    """The intent of one write and the files it keeps, in `folder`; paths relative to `top` are stored
    relative, so that a repository moved between a kill and the recovery still recovers."""

    def __init__(self, folder: Path, top: Path, what: str, entries: list[Entry],
                 staging: tuple[Path, ...] = (), state: str = "new") -> None:
        self.folder, self.top, self.what = folder, top, what
        self.entries, self.staging, self.state = entries, staging, state
        self.at, self.at_folder = f"the journal in {folder}", folder  # what a failed step was writing

    # -- the forward steps ------------------------------------------------------------------------------

    def prepare(self, data: list[bytes], before: list[bytes | None]) -> None:
        """Intent, backups and staged bytes, all durable; the tree is untouched."""
        self.folder.mkdir(parents=True)
        self.save("preparing")
        for folder in self.staging:
            folder.mkdir()
        for entry, new, old in zip(self.entries, data, before, strict=True):
            self._writing(entry.shown, self.folder)
            if entry.backup is not None and old is not None:
                write_new(entry.backup, old, entry.mode)
                pause()
            self._writing(entry.shown, entry.stage.parent)
            write_new(entry.stage, new, entry.mode)
            fsync_folder(entry.stage.parent)
            pause()
        self.save("writing")

    def apply(self) -> None:
        """Each staged file onto its target."""
        for entry in self.entries:
            self._writing(entry.shown, entry.target.parent)
            for folder in entry.folders:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(folder)
                pause()
            if entry.kind == "create" and os.path.lexists(entry.target):
                raise FileExistsError(17, "it appeared during the write")
            os.replace(entry.stage, entry.target)
            fsync_folder(entry.target.parent)
            pause()

    def save(self, state: str) -> None:
        """The intent in `state`, replacing the previous one atomically."""
        pause()
        self._writing(f"the journal in {self.folder}", self.folder)
        fresh = self.folder / f"{INTENT}.new"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(fresh)
        write_new(fresh, json.dumps(self._intent(state), indent=1).encode("utf-8"))
        os.replace(fresh, self.folder / INTENT)
        fsync_folder(self.folder)
        self.state = state

    def _writing(self, what: str, folder: Path) -> None:
        self.at, self.at_folder = what, folder

    def cleanup(self) -> None:
        """The journal and the staging folders removed (best effort: a finished journal left behind is
        ignored by the read-only commands and cleared by the next write)."""
        pause()
        for folder in self.staging:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)
        with contextlib.suppress(OSError):
            shutil.rmtree(self.folder)

    # -- undo -------------------------------------------------------------------------------------------

    def rollback(self) -> tuple[list[str], list[str], list[Failure]]:
        """Put every file back as it was before the write (only a `writing` journal touched the tree):
        restored and removed files, and what could not be put back. Keeps going past errors."""
        restored: list[str] = []
        removed: list[str] = []
        failures: list[Failure] = []
        if self.state == "writing":
            for entry in reversed(self.entries):
                try:
                    done = self._undo(entry)
                except (OSError, _LeftAsIs) as error:
                    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
                    failures.append(Failure(entry.shown, reason, entry.backup))
                    continue
                (restored if done == "restored" else removed if done == "removed" else []).append(entry.shown)
            self._remove_folders()
        self._remove_staged()
        return restored, removed, failures

    def _undo(self, entry: Entry) -> str | None:
        current = file_digest(entry.target)
        if entry.kind == "create":
            if current is None:
                return None
            if current != entry.new:
                raise _LeftAsIs("not removed: it changed after the write created it")
            os.unlink(entry.target)
            fsync_folder(entry.target.parent)
            return "removed"
        if current == entry.old:
            return None
        if current not in (entry.new, None):
            raise _LeftAsIs("not restored: it was edited after the write began")
        assert entry.backup is not None
        data = entry.backup.read_bytes()
        if digest(data) != entry.old:
            raise _LeftAsIs("not restored: its backup is damaged")
        temp = entry.stage.with_name(f"{entry.stage.name}.restore")
        entry.stage.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        write_new(temp, data, entry.mode)
        os.replace(temp, entry.target)
        fsync_folder(entry.target.parent)
        return "restored"

    def _remove_folders(self) -> None:
        for entry in reversed(self.entries):
            for folder in reversed(entry.folders):
                with contextlib.suppress(OSError):
                    os.rmdir(folder)

    def _remove_staged(self) -> None:
        for entry in self.entries:
            for path in (entry.stage, entry.stage.with_name(f"{entry.stage.name}.restore")):
                with contextlib.suppress(OSError):
                    os.unlink(path)
        for folder in self.staging:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)

    # -- the intent as JSON -------------------------------------------------------------------------------

    def _intent(self, state: str) -> dict[str, Any]:
        return {"format": FORMAT, "state": state, "what": self.what, "pid": os.getpid(),
                "staging": [self._store(p) for p in self.staging],
                "entries": [{"kind": e.kind, "target": self._store(e.target), "shown": e.shown,
                             "new": e.new, "stage": self._store(e.stage), "old": e.old,
                             "backup": self._store(e.backup) if e.backup else None, "mode": e.mode,
                             "folders": [self._store(f) for f in e.folders]} for e in self.entries]}

    @classmethod
    def read(cls, folder: Path, top: Path, intent: dict[str, Any]) -> Journal:
        def load(text: str) -> Path:
            return top / text if not os.path.isabs(text) else Path(text)

        entries = [Entry(kind=e["kind"], target=load(e["target"]), shown=e["shown"], new=e["new"],
                         stage=load(e["stage"]), old=e["old"],
                         backup=load(e["backup"]) if e["backup"] else None, mode=e["mode"],
                         folders=tuple(load(f) for f in e["folders"]))
                   for e in intent["entries"]]
        return cls(folder, top, str(intent["what"]), entries, tuple(load(p) for p in intent["staging"]),
                   state=str(intent["state"]))

    def _store(self, path: Path) -> str:
        return path.relative_to(self.top).as_posix() if path.is_relative_to(self.top) else str(path)


# -- one writer at a time, and what an interrupted one left ------------------------------------------------


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold the repository's write lock (a file beside the journal) while the block runs; the system
    releases it when the process dies, so a killed write never blocks the next one."""
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder.parent / f"{folder.name}.lock", os.O_RDWR | os.O_CREAT, 0o666)
    except OSError as error:
        raise UnreachableError(f"cannot keep a write journal in {folder.parent}: {error.strerror or error}; "
                               "nothing was written",
                               hint="check the permissions of the git folder") from None
    try:
        if sys.platform != "win32":
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UnreachableError("another ahq-history write is running in this repository; nothing "
                                       "was written", hint="wait for it to finish, then run again") from None
        yield
    finally:
        with contextlib.suppress(OSError):  # the write is over either way; the lock goes with the fd
            os.close(fd)


def recover_locked(folder: Path, top: Path) -> Recovery | None:
    """Finish or undo the write whose journal is in `folder` (the lock held); None when there was none
    to speak of. Raises UnreachableError when a file cannot be put back (the journal is kept)."""
    try:
        text = (folder / INTENT).read_text(encoding="utf-8")
    except FileNotFoundError:  # no intent: nothing in the tree was changed; leftovers only
        if folder.exists():
            with contextlib.suppress(OSError):  # else the write that follows says it cannot make its own
                shutil.rmtree(folder)
        return None
    except OSError as error:
        raise _unreadable(folder, error.strerror or str(error)) from None
    try:
        journal = Journal.read(folder, top, json.loads(text))
    except (ValueError, KeyError, TypeError) as error:
        raise _unreadable(folder, f"not a journal ({type(error).__name__})") from None
    state = journal.state
    restored, removed, failures = journal.rollback() if state in ("preparing", "writing") else ([], [], [])
    if failures:
        raise incomplete(journal, f"{journal.what} was interrupted", failures)
    journal.cleanup()
    if state in FINISHED:  # the tree is whole (old or new): only the clean-up was missed, as check says
        return None
    outcome: Outcome = "discarded" if state == "preparing" else "rolled-back"
    return Recovery(outcome, journal.what, tuple(restored), tuple(removed))


def recover(root: Path, top: Path) -> Recovery | None:
    """Finish or undo what an interrupted write left for the project at `root` (see the module's
    docstring); None when nothing was left."""
    folder = journal_folder(root)
    if not folder.exists():
        return None
    with locked(folder):
        return recover_locked(folder, top)


def incomplete(journal: Journal, failed: str, failures: list[Failure]) -> UnreachableError:
    """The error of a rollback that could not put every file back (exit 2)."""
    listed = "; ".join(f.describe() for f in failures)
    return UnreachableError(
        f"{failed}, and undoing it could not put back every file: {listed}",
        hint=f"put those files back from their backups, then run `{command_line(RECOVER_ARGV)}` "
        f"(the journal is in {journal.folder})")


def _unreadable(folder: Path, why: str) -> UnreachableError:
    return UnreachableError(f"the journal of an interrupted write cannot be read ({why}): {folder / INTENT}",
                            hint=f"compare the revision files with the backups in {folder}, then remove "
                            "that folder")
