"""Where a write keeps its journal, and whether an interrupted write left one (standard library only:
a warm `check` asks this on every run, and it costs a `stat`).

The journal lives under the repository's git folder (`.git/ahq-history/journal/`, per work tree), outside
the work tree and every version location; a project outside git keeps it in the user's cache folder,
keyed by the project's folder. `write/journal.py` writes and recovers it; the read-only commands only ask
`refuse_unfinished` here and name the command that recovers (`RECOVER_ARGV`).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ahq_history.core.errors import BrokenGraphError
from ahq_history.core.shell import command_line

JOURNAL = "journal"
INTENT = "intent.json"
FINISHED = ("done", "rolled-back")  # journal states whose tree is whole (only the clean-up was missed)
RECOVER_ARGV = ("ahq-history", "merge-heads", "--recover")


def git_dir(start: Path) -> Path | None:
    """The folder git keeps its data in for `start` (following a worktree's `.git` file), or None."""
    for folder in (start, *start.parents):
        dot_git = folder / ".git"
        if dot_git.is_dir():
            return dot_git
        if dot_git.is_file():
            text = dot_git.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                return (folder / text.removeprefix("gitdir:").strip()).resolve()
    return None


def repository_top(start: Path) -> Path:
    """The work tree's top folder (the one holding `.git`), or `start` itself outside git."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def journal_folder(root: Path) -> Path:
    """The journal folder of the project whose root is `root`."""
    gitdir = git_dir(root)
    if gitdir is not None:
        return gitdir / "ahq-history" / JOURNAL
    key = hashlib.sha1(str(root.resolve()).encode("utf-8", "surrogateescape"),
                       usedforsecurity=False).hexdigest()[:16]
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ahq-history" / f"{JOURNAL}-{key}"


def unfinished(root: Path) -> dict[str, object] | None:
    """The intent of an interrupted write (a journal that was neither finished nor rolled back), or
    None. A journal without an intent changed no file (the intent is written before the first change)."""
    folder = journal_folder(root)
    try:
        text = (folder / INTENT).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as error:
        return {"state": "unreadable", "error": error.strerror or str(error)}
    try:
        intent = json.loads(text)
    except ValueError:
        return {"state": "unreadable", "error": "not JSON"}
    if not isinstance(intent, dict):
        return {"state": "unreadable", "error": "not a JSON object"}
    return None if intent.get("state") in FINISHED else intent


def refuse_unfinished(root: Path) -> None:
    """Raise BrokenGraphError (exit 3) when an interrupted write left revision files half written,
    naming the command that finishes or undoes it."""
    intent = unfinished(root)
    if intent is None:
        return
    what = intent.get("what") or "a write"
    raise BrokenGraphError(
        f"an ahq-history write was interrupted ({what}): the revision files may be half written",
        hint=f"run `{command_line(RECOVER_ARGV)}` to finish or undo it (its journal and backups are in "
        f"{journal_folder(root)})")
