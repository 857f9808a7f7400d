"""Find a revision that this checkout lacks in git: every local and remote-tracking branch, deleted files,
and git's reflog (the commits of a branch that was since deleted).

Answers "Can't locate revision identified by ..." with where the revision lives. Reads git objects only
(the work tree, the index and HEAD are never touched). GitPython is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ahq_history.core.errors import UnreachableError
from ahq_history.core.model import Revision
from ahq_history.core.source_files import is_revision_file, revision_paths_in
from ahq_history.git.reflog import HeadEntry, branch_when, default_branches, head_entries, visited_branches
from ahq_history.git.repo import git_reason, open_repo

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph

SightingKind = Literal["branch", "remote", "deleted", "reflog"]
# A reflog entry expires (and `git gc` then drops its commits): anything a ref keeps comes first.
_KIND_ORDER = {"branch": 0, "remote": 1, "deleted": 2, "reflog": 3}
_FIELD, _RECORD = "\x1f", "\x1e"
_COMMIT_FORMAT = _FIELD.join(("%H", "%P", "%an", "%ae", "%aI", "%s"))


@dataclass(frozen=True)
class GitCommit:
    sha: str
    author: str
    email: str
    date: str  # ISO 8601, as git gives it
    summary: str


@dataclass(frozen=True)
class GitSighting:
    """A git tree that defines the revision.

    `commit` is where to read it: the ref's tip, for a deleted file the commit before the deletion, for a
    commit only the reflog has (kind "reflog") the commit that added the file.
    `ref` is the short ref name ("feature/audit", "origin/feature/audit"), None for the other kinds.
    `branch_was` (kind "reflog"): the branch HEAD was on when it reached that commit, as the reflog says,
    when no branch has that name now (it was deleted).
    """

    revision: str
    kind: SightingKind
    ref: str | None
    commit: str
    path: str  # relative to the repository root
    parents: tuple[str, ...]  # its down_revision in that tree
    message: str
    added: GitCommit | None  # the commit that added the file (None when git cannot tell)
    deleted: GitCommit | None = None  # the commit that deleted it (kind "deleted")
    branch_was: str | None = None

    @property
    def checkout(self) -> str:
        """What `git checkout` takes to reach this tree."""
        return self.ref if self.ref is not None else self.commit[:12]


def find_revision_in_git(
    repo_root: Path, revision_id: str, version_paths: Sequence[str], *, recursive: bool = False
) -> list[GitSighting]:
    """Every branch, remote-tracking branch and deleted file in which a revision file defines `revision_id`;
    when none does, the commit of git's reflog that added it (its branch was deleted).

    `version_paths` are the version folders relative to the repository root (POSIX). Best first: the
    checked-out branch (the file is then only missing from the work tree), the default branch (locally,
    then its remote-tracking branch), the branches HEAD was on (most recent first), other local branches,
    remote-tracking ones, deletions (newest first). Raises UnreachableError when `repo_root` is not a git
    repository or git cannot be run.
    """
    with _repo(repo_root) as repo:
        entries = head_entries(repo)
        sightings = _on_refs(repo, revision_id, version_paths, recursive)
        sightings += _in_deleted_files(repo, revision_id, version_paths, recursive)
        if not sightings:
            sightings = _in_reflog(repo, revision_id, version_paths, recursive, entries)
        preferred = [*_checked_out(repo), *default_branches(repo), *visited_branches(entries)]
    rank = {ref: i for i, ref in reversed(list(enumerate(preferred)))}
    return sorted(sightings, key=lambda s: (rank.get(s.ref or "", len(preferred)), _KIND_ORDER[s.kind]))


def history_at(
    repo_root: Path, commit: str, version_paths: Sequence[str], *, recursive: bool = False
) -> RevisionGraph:
    """The revision graph of the version folders as `commit` has them."""
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.source import scan_texts

    items = []
    with _repo(repo_root) as repo:
        for folder in version_paths:
            tree = _object(repo, f"{commit}:{folder}", "tree")
            for blob, relpath in _tree_files(repo, tree, recursive) if tree else ():
                path = f"{folder}/{relpath}" if folder not in ("", ".") else relpath
                items.append((path, _blob_text(repo, blob)))
    return RevisionGraph(scan_texts(items).revisions)


def toplevel(path: Path) -> Path:
    """The work tree root of the repository that holds `path`."""
    repo = open_repo(path)
    repo.close()
    return repo.root


def current_branch(repo_root: Path) -> str:
    """The checked-out branch's name, or the commit (12 digits) when HEAD is detached."""
    with _repo(repo_root) as repo:
        branch = _checked_out(repo)
        return branch[0] if branch else str(repo.git.rev_parse("--short=12", "HEAD"))


def head_detached(repo_root: Path) -> bool:
    """True when HEAD is a commit rather than a branch (`git checkout --detach`, a rebase under way)."""
    with _repo(repo_root) as repo:
        return not _checked_out(repo)


def _checked_out(repo: Any) -> list[str]:
    """[the checked-out branch] (even one without commits yet), or [] when HEAD is detached."""
    import git

    try:
        return [str(repo.git.symbolic_ref("--short", "-q", "HEAD"))]
    except git.GitCommandError:
        return []


@contextmanager
def _repo(repo_root: Path) -> Iterator[Any]:
    """GitPython's handle on the repository holding `repo_root` (`gitrepo.open_repo`: NotARepository, an
    UnreachableError, when there is none); a failing git command becomes UnreachableError (exit 2)."""
    repo = open_repo(repo_root)
    import git  # importable: open_repo has imported it

    try:
        yield repo.handle
    except git.GitCommandError as error:
        raise _git_failed(error) from None
    finally:
        repo.close()


def _git_failed(error: Any) -> UnreachableError:
    return UnreachableError(f"git could not search the history: {git_reason(error)}",
                            "check that `git status` works here")


def _on_refs(repo: Any, revision_id: str, version_paths: Sequence[str], recursive: bool) -> list[GitSighting]:
    """Read each distinct version-folder tree once and each distinct file once (branches share most of
    them), then map the files that define the revision back to the refs."""
    places: dict[str, list[tuple[str, str, str]]] = {}  # tree -> (ref, commit, version path)
    for ref, commit in _refs(repo):
        for folder in version_paths:
            tree = _object(repo, f"{commit}:{folder}", "tree")
            if tree is not None:
                places.setdefault(tree, []).append((ref, commit, folder))
    files: dict[str, list[tuple[str, str]]] = {}  # blob -> (tree, path inside it)
    for tree in places:
        for blob, relpath in _tree_files(repo, tree, recursive):
            files.setdefault(blob, []).append((tree, relpath))
    sightings = []
    for blob, where in files.items():
        text = _blob_text(repo, blob)
        revision = _defines(text, where[0][1], revision_id) if revision_id in text else None
        if revision is None:
            continue
        for tree, relpath in where:
            for ref, commit, folder in places[tree]:
                path = f"{folder}/{relpath}" if folder not in ("", ".") else relpath
                kind: SightingKind = "remote" if ref.startswith("refs/remotes/") else "branch"
                sightings.append(_sighting(repo, replace(revision, path=path), kind, _short(ref), commit))
    return sorted(sightings, key=lambda s: (_KIND_ORDER[s.kind], s.ref or ""))


def _tree_files(repo: Any, tree: str, recursive: bool, prefix: str = "") -> list[tuple[str, str]]:
    """(blob, path inside the tree) of the files Alembic would load from this version folder.

    Trees are read through GitPython's persistent `cat-file --batch` (no process per tree) and parsed
    here: entries are `<octal mode> <name>\\0<20-byte id>`.
    """
    _sha, _kind, _size, data = repo.git.get_object_data(tree)
    files = []
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        mode, name = data[at:space], data[space + 1:nul].decode("utf-8", errors="replace")
        sha = data[nul + 1:nul + 21].hex()
        at = nul + 21
        relpath = f"{prefix}{name}"
        if mode == b"40000":
            if recursive and not name.endswith("__pycache__"):  # scan's rule for the work tree
                files.extend(_tree_files(repo, sha, recursive, f"{relpath}/"))
        elif mode.startswith(b"100") and is_revision_file(name):
            files.append((sha, relpath))
    return files


def _refs(repo: Any) -> list[tuple[str, str]]:
    out = repo.git.for_each_ref("--format=%(refname) %(objectname)", "refs/heads", "refs/remotes")
    refs = []
    for line in out.splitlines():
        name, commit = line.rsplit(" ", 1)
        if not (name.startswith("refs/remotes/") and name.endswith("/HEAD")):  # a symbolic alias
            refs.append((name, commit))
    return refs


def _short(ref: str) -> str:
    for prefix in ("refs/heads/", "refs/remotes/"):
        if ref.startswith(prefix):
            return ref[len(prefix):]
    return ref


def _in_deleted_files(
    repo: Any, revision_id: str, version_paths: Sequence[str], recursive: bool
) -> list[GitSighting]:
    # Pickaxe limited to deletions whose text held the id; the text is then checked to define it.
    # -z: names as they are (git would quote a name with non-ASCII or special characters).
    out = repo.git.log("--all", "--diff-filter=D", f"-S{revision_id}", "-z",
                       f"--format={_RECORD}{_COMMIT_FORMAT}", "--name-only", "--", *version_paths)
    folders = ["" if folder == "." else folder for folder in version_paths]
    sightings = []
    for record in filter(None, out.split(_RECORD)):
        header, _, names = record.partition("\0")
        deleted = _commit(header)
        parent = header.split(_FIELD)[1].split(" ")[0]
        paths = revision_paths_in(filter(None, names.removeprefix("\n").split("\0")), folders,
                                  recursive=recursive)
        for path in paths if parent else ():
            revision = _defines(_blob_text(repo, f"{parent}:{path}"), path, revision_id)
            if revision is not None:
                sightings.append(_sighting(repo, revision, "deleted", None, parent, deleted))
    return sightings


def _in_reflog(
    repo: Any, revision_id: str, version_paths: Sequence[str], recursive: bool, entries: list[HeadEntry]
) -> list[GitSighting]:
    """The newest commit that only the reflog holds (no branch or remote-tracking branch reaches it) and
    that added a file defining the revision."""
    out = repo.git.log("--reflog", "--not", "--branches", "--remotes", "--diff-filter=A",
                       f"-S{revision_id}", "-z", f"--format={_RECORD}{_COMMIT_FORMAT}", "--name-only",
                       "--", *version_paths)
    folders = ["" if folder == "." else folder for folder in version_paths]
    branches = set(repo.git.for_each_ref("--format=%(refname:short)", "refs/heads").splitlines())
    for record in filter(None, out.split(_RECORD)):
        header, _, names = record.partition("\0")
        added = _commit(header)
        was = branch_when(entries, added.sha)  # a branch that still exists was moved away (a reset): unnamed
        for path in revision_paths_in(filter(None, names.removeprefix("\n").split("\0")), folders,
                                      recursive=recursive):
            revision = _defines(_blob_text(repo, f"{added.sha}:{path}"), path, revision_id)
            if revision is not None:
                return [GitSighting(revision=revision.id, kind="reflog", ref=None, commit=added.sha,
                                    path=path, parents=revision.parents, message=revision.message,
                                    added=added, branch_was=None if was in branches else was)]
    return []


def _sighting(
    repo: Any, revision: Revision, kind: SightingKind, ref: str | None, commit: str,
    deleted: GitCommit | None = None,
) -> GitSighting:
    return GitSighting(
        revision=revision.id, kind=kind, ref=ref, commit=commit, path=revision.path,
        parents=revision.parents, message=revision.message, added=_added_by(repo, commit, revision.path),
        deleted=deleted,
    )


def _added_by(repo: Any, commit: str, path: str) -> GitCommit | None:
    out = repo.git.log("-1", "--diff-filter=A", f"--format={_COMMIT_FORMAT}", commit, "--", path)
    return _commit(out) if out.strip() else None


def _commit(header: str) -> GitCommit:
    sha, _parents, author, email, date, summary = header.strip("\n").split(_FIELD, 5)
    return GitCommit(sha=sha, author=author, email=email, date=date, summary=summary)


def _defines(text: str, path: str, revision_id: str) -> Revision | None:
    from ahq_history.core.source import scan_text

    revision, _problems = scan_text(text, path)
    return revision if revision is not None and revision.id == revision_id else None


def _object(repo: Any, name: str, kind: str) -> str | None:
    try:
        sha, found, _size = repo.git.get_object_header(name)
    except ValueError:  # "<name> missing"
        return None
    return _text(sha) if _text(found) == kind else None


def _text(value: str | bytes) -> str:
    # GitPython hands cat-file's header fields back as bytes.
    return value.decode("ascii") if isinstance(value, bytes) else value


def _blob_text(repo: Any, name: str) -> str:
    _sha, _kind, _size, data = repo.git.get_object_data(name)
    return bytes(data).decode("utf-8", errors="replace")
