"""Where a project sits in its repository, and its history brought up to date through the cache: the open
`Place`, the `State` read for the current refs (one `git log` for the commits that are new), who made a
commit, and the revision each blob defines (every blob read and scanned once, ever).
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.core.model import Problem, Revision
from ahq_history.core.reconcile import CommitFacts
from ahq_history.git import log as gitlog
from ahq_history.git import repo as gitrepo
from ahq_history.git import store as gitstore
from ahq_history.git.index import History, under
from ahq_history.git.repo import GitRepo, NotARepository, Ref

if TYPE_CHECKING:
    from ahq_history.config.project import Project

_REVISION_FIELDS = [f.name for f in fields(Revision) if f.name != "path"]


# -- where the project sits in the repository -----------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A project inside a repository: the project root and version folders as repository paths."""

    repo: GitRepo
    prefix: str  # project root relative to the repository root ("" when they are the same)
    pathspecs: tuple[str, ...]  # version folders relative to the repository root
    recursive: bool

    def project_path(self, repo_path: str) -> str:
        """A repository path as `Revision.path` has it (relative to the project root)."""
        return posixpath.relpath(repo_path, self.prefix) if self.prefix else repo_path

    def repo_path(self, project_path: str) -> str:
        return posixpath.normpath(posixpath.join(self.prefix, project_path)) if self.prefix else project_path

    def revision_paths(self, paths: Iterable[str]) -> list[str]:
        """Of repository paths, those Alembic would load as revision files."""
        from ahq_history.core.source_files import revision_paths_in

        return revision_paths_in(paths, self.pathspecs, recursive=self.recursive)


def open_place(project: Project) -> Place:
    """Open the repository holding `project`. Raises NotARepository when there is none (or no git)."""
    repo = gitrepo.open_repo(project.root)
    prefix = gitrepo.repo_path(repo, project.root)
    specs = [gitrepo.repo_path(repo, location) for location in project.version_locations]
    pathspecs = tuple(dict.fromkeys(s for s in specs if s is not None))
    if prefix is None or not pathspecs:
        repo.close()
        raise NotARepository(f"the version folders of {project.config_path} are outside the git work tree")
    return Place(repo=repo, prefix=prefix, pathspecs=pathspecs, recursive=project.recursive)


# -- the history cache ----------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """History brought up to date, with the refs and HEAD it was read for."""

    history: History
    refs: tuple[Ref, ...]
    head: str | None
    branch: str | None
    changed: bool  # the history grew or was pruned: `finish` writes it
    blobs_known: int  # how many blobs were cached when it was read


def cache_file(place: Place) -> Path:
    key = hashlib.sha1("\0".join(place.pathspecs).encode(), usedforsecurity=False).hexdigest()[:16]
    return place.repo.cache_dir / f"history-{key}.json"


def read_history(place: Place, extra_tips: Sequence[str] = ()) -> State:
    """The cached history, extended by the commits that are new since it was written (one `git log`)."""
    repo = place.repo
    shallow = gitrepo.shallow_boundary(repo)
    path = cache_file(place)
    history = gitstore.load(path, place.pathspecs, shallow) or History(place.pathspecs, shallow)
    refs = tuple(gitrepo.branch_refs(repo))
    head = gitrepo.head_commit(repo)
    tips = list(dict.fromkeys(t for t in (head, *(r.commit for r in refs), *extra_tips) if t))
    changed = False
    new = [t for t in tips if t not in history.index]
    if new:
        history = _grown(repo, history, new, tips)
        changed = True
        if history.stale(tips):  # left behind by a rebase or a deleted branch
            history.prune(tips)
    if set(tips) != history.tips and all(t in history.index for t in tips):
        history.tips = set(tips)
        changed = True
    return State(history=history, refs=refs, head=head, branch=gitrepo.current_branch(repo), changed=changed,
                 blobs_known=len(history.blobs))


MOVES_FOLLOWED = 4  # folders moved into folders moved into ...: re-reading stops after this many


def _grown(repo: GitRepo, history: History, new: list[str], tips: list[str]) -> History:
    """`history` with the commits of `new` added (one `git log` over the version folders and the older
    folders they were moved from). When those commits move version files in from a folder not followed yet,
    that folder joins and the whole history is read again, so a move is never taken for an addition."""
    exclude = sorted(history.tips)
    for _ in range(MOVES_FOLLOWED):
        folders = (*history.pathspecs, *history.older)
        records = gitlog.parse_log(gitrepo.log_history(repo, new, exclude, folders))
        older = _moved_from(repo, _move_candidates(history, records), folders)
        if not older:
            break
        fresh = History(history.pathspecs, history.shallow)
        fresh.older, fresh.blobs = (*history.older, *older), history.blobs
        history, new, exclude = fresh, tips, []
    history.add(records, new)
    return history


def _move_candidates(history: History, records: Sequence[gitlog.Record]) -> list[str]:
    """The commits of `records` (parents first) that may have moved files in from elsewhere, which a
    path-limited log shows as additions: those adding several files, and those adding the first files their
    history holds (a moved folder). A lone file moved into a folder that already holds files is not asked
    about: a tree diff of every adding commit costs as much again as the log at 10,000 revisions."""
    holding: dict[str, bool] = {}
    earlier = bool(history.changes)  # commits already known lie below files already held
    found = []
    for record in records:
        held = any(holding.get(p, earlier and p in history.index) for p in record.parents)
        adds = sum(c.status == "A" for c in record.changes)
        holding[record.info.sha] = held or adds > 0
        if len(record.parents) <= 1 and adds and (adds > 1 or not held):
            found.append(record.info.sha)
    return found


def _moved_from(repo: GitRepo, commits: Sequence[str], folders: Sequence[str]) -> list[str]:
    """The folders outside `folders` from which `commits` moved files into them (one `git diff-tree`)."""
    found: dict[str, None] = {}
    for old, new in gitrepo.renames_in(repo, commits):
        folder = _source_folder(old, new, folders) if under(new, folders) and not under(old, folders) else ""
        if folder:  # never the top of the repository: its log would list every change of every commit
            found[folder] = None
    return list(found)


def _source_folder(old: str, new: str, folders: Sequence[str]) -> str:
    """The folder `old` was moved from: the one whose layout `new` keeps (`a/versions/x.py` moved to
    `db/versions/x.py` under `db/versions`: `a/versions`), else `old`'s own folder."""
    for folder in folders:
        rest = new[len(folder) + 1:] if folder else new
        if under(new, [folder]) and (old == rest or old.endswith("/" + rest)):
            return old[:len(old) - len(rest)].rstrip("/")
    return posixpath.dirname(old)


def finish(place: Place, state: State) -> None:
    """Write the cache once, when this run learned something (new commits, or blobs read)."""
    if state.changed or len(state.history.blobs) != state.blobs_known:
        gitstore.save(cache_file(place), state.history)


def commit_facts(history: History, number: int | None) -> CommitFacts | None:
    """Who made commit `number` (None for no commit, or one whose author was not recorded)."""
    if number is None:
        return None
    known = history.memo.get(number)
    if known is None:
        info = history.commit(number)
        if info is None:
            return None
        known = history.memo[number] = CommitFacts(sha=info.sha, author=info.author, email=info.email,
                                                   date=info.date)
    return known


def joining_commit(history: History, groups: Sequence[Sequence[str]], reach: bytearray) -> CommitFacts | None:
    """Who made the oldest merge commit within `reach` that joined a commit of every group of shas (None when
    the groups were joined by a rebase, or not at all)."""
    numbered = [[history.index[sha] for sha in group if sha in history.index] for group in groups]
    if not all(numbered):
        return None
    return commit_facts(history, history.first_join(numbered, reach))


def work_tree_text(path: Path) -> str | None:
    """A work tree file's text, None when there is none or it cannot be read (`work_tree_read` says why)."""
    return work_tree_read(path, path.name)[0]


def work_tree_read(path: Path, relative: str) -> tuple[str | None, Problem | None]:
    """A work tree file's text as Python decodes source, or the problem (a FIFO, a device, an I/O error),
    never a hang; (None, None) when there is no such file. Undecodable bytes are replaced: a hook still
    reads the header."""
    from ahq_history.config.safefile import read_regular_file, reason
    from ahq_history.core.header import file_error, file_name
    from ahq_history.core.source import decode_source

    try:
        data = read_regular_file(str(path))
    except (FileNotFoundError, NotADirectoryError):
        return None, None
    except OSError as error:
        return None, file_error("unreadable", relative, None, f"{file_name(relative)} cannot be read "
                                f"({reason(error)})")
    text, _problem = decode_source(data, relative)
    return (text if text is not None else data.decode("utf-8", errors="replace")), None


# -- revisions read from blobs (cached by blob) ---------------------------------------------------


def blob_revisions(place: Place, history: History, blobs: Mapping[str, str]) -> dict[str, Revision | None]:
    """blob -> the revision its text defines (None when it defines none), for `blobs` (blob -> repo path).

    Each blob is read and scanned once, ever: the answer is kept in the history cache.
    """
    from ahq_history.core.source import decode_source, scan_text

    missing = [b for b in blobs if b not in history.blobs]
    for blob, data in gitrepo.blob_bytes(place.repo, missing).items():
        text, _problem = decode_source(data, blobs[blob])
        revision = scan_text(text, blobs[blob])[0] if text is not None else None
        history.blobs[blob] = _revision_list(revision) if revision is not None else None
    found: dict[str, Revision | None] = {}
    for blob, path in blobs.items():
        stored = history.blobs.get(blob)
        found[blob] = _revision_from_list(stored, place.project_path(path)) if stored else None
    return found


def _revision_list(revision: Revision) -> list[Any]:
    return [getattr(revision, name) for name in _REVISION_FIELDS]


def _revision_from_list(stored: list[Any], path: str) -> Revision:
    values = dict(zip(_REVISION_FIELDS, stored, strict=True))
    for name in ("parents", "depends_on", "branch_labels"):
        values[name] = tuple(values[name])
    if values["revises"] is not None:
        values["revises"] = tuple(values["revises"])
    return Revision(path=path, **values)
