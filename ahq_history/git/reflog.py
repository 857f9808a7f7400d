"""What git's reflog and refs say about where a user has been: the default branch, the branches HEAD was
on (most recent first), and the branch HEAD was on when it reached a commit (a branch may since be deleted:
`git branch -D` drops the branch's own reflog, but HEAD's keeps its commits until they expire).

Each function takes GitPython's handle (as `git/search.py` holds it) and returns plain values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_FIELD = "\x1f"
_CHECKOUT = re.compile(r"checkout: moving from (?P<before>.+) to (?P<after>.+)")
_COMMIT_ID = re.compile(r"[0-9a-f]{7,64}")  # `git checkout --detach` logs the commit, not a branch


@dataclass(frozen=True)
class HeadEntry:
    """One line of `git reflog` for HEAD: the commit HEAD moved to and why (`commit: add audit log`)."""

    commit: str
    subject: str


def head_entries(repo: Any) -> list[HeadEntry]:
    """HEAD's reflog, newest first; empty when there is none (a repository without commits)."""
    import git

    try:
        out = repo.git.log("-g", f"--format=%H{_FIELD}%gs", "HEAD")
    except git.GitCommandError:  # "does not have any commits yet"
        return []
    entries = []
    for line in out.splitlines():
        commit, _, subject = line.partition(_FIELD)
        entries.append(HeadEntry(commit, subject))
    return entries


def visited_branches(entries: list[HeadEntry]) -> list[str]:
    """The branches HEAD was on, most recent first, each once (detached commits left out)."""
    seen: list[str] = []
    for entry in entries:
        moved = _CHECKOUT.fullmatch(entry.subject)
        if moved is None:
            continue
        for name in (moved["after"], moved["before"]):
            if name not in seen and not _COMMIT_ID.fullmatch(name):
                seen.append(name)
    return seen


def branch_when(entries: list[HeadEntry], commit: str) -> str | None:
    """The branch HEAD was on when it first reached `commit` (the checkout before it), or None when the
    reflog does not say (the commit is not an entry, or HEAD was detached)."""
    first = max((i for i, entry in enumerate(entries) if entry.commit == commit), default=None)
    if first is None:
        return None
    for entry in entries[first:]:
        moved = _CHECKOUT.fullmatch(entry.subject)
        if moved is not None:
            name = moved["after"]
            return None if _COMMIT_ID.fullmatch(name) else name
    return None


def default_branches(repo: Any) -> list[str]:
    """The default branch's names, best first: the branch a remote's HEAD points to (origin's first),
    locally and as its remote-tracking branch (`main`, `origin/main`); without a remote HEAD, `main` and
    `master`, locally and on each remote."""
    out = repo.git.for_each_ref(f"--format=%(refname){_FIELD}%(symref)", "refs/remotes")
    targets = []
    for line in out.splitlines():
        name, _, target = line.partition(_FIELD)
        if name.endswith("/HEAD") and target.startswith("refs/remotes/"):
            not_origin = not name.startswith("refs/remotes/origin/")
            targets.append((not_origin, target.removeprefix("refs/remotes/")))
    if targets:
        remote_branch = sorted(targets)[0][1]
        return [remote_branch.partition("/")[2], remote_branch]
    remotes = [line for line in repo.git.remote().splitlines() if line]
    return [f"{remote}/{name}" if remote else name
            for name in ("main", "master") for remote in ["", *remotes]]
