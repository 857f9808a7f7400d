"""Every git question, each a small typed function returning plain values.

GitPython is imported inside `open_repo` (it costs about 0.1 s, and it refuses to import at all without a
git binary); every command goes through its command wrapper (`repo.git.log(...)` and friends), never its
per-commit object model, which is 30-70x slower on long histories. Nothing here writes to the work tree,
the index or HEAD.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ahq_history.core.errors import UnreachableError
from ahq_history.git.log import LOG_FORMAT

CACHE_FOLDER = "ahq-history"  # under `git rev-parse --git-path`, so the work tree stays clean


class NotARepository(UnreachableError):
    """The folder is not inside a git work tree, or git cannot be run at all."""


class GitFailed(UnreachableError):
    """A git command failed (a damaged repository, a missing object, git gone mid-way)."""


@dataclass(frozen=True)
class GitRepo:
    """An open repository: its work tree root, where our cache lives, and GitPython's handle."""

    root: Path
    cache_dir: Path
    shallow_file: Path
    handle: Any  # git.Repo

    def run(self, command: str, *args: str, **kwargs: Any) -> str:
        """`git COMMAND ARGS...` through GitPython's wrapper (its output, last newline off unless asked).

        A failure raises GitFailed with git's own words."""
        import git

        method = getattr(self.handle.git, command.replace("-", "_"))
        try:
            return str(method(*args, **kwargs))
        except git.CommandError as error:
            raise GitFailed(f"`git {command}` failed: {git_reason(error)}",
                            "check that `git status` works here") from None

    def close(self) -> None:
        self.handle.close()


@dataclass(frozen=True)
class Ref:
    """A local branch (`refs/heads/...`) or a remote-tracking branch (`refs/remotes/...`)."""

    name: str  # full name
    commit: str

    @property
    def remote(self) -> bool:
        return self.name.startswith("refs/remotes/")

    @property
    def short(self) -> str:
        return self.name.removeprefix("refs/heads/").removeprefix("refs/remotes/")


def open_repo(start: Path) -> GitRepo:
    """The repository whose work tree holds `start`. Raises NotARepository (with the reason) otherwise."""
    try:
        import git
    except ImportError as error:  # GitPython refuses to import without a git binary
        raise NotARepository(f"git cannot be run: {str(error).splitlines()[0]}",
                             "install git to see who brought each revision") from None
    try:
        handle = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise NotARepository(f"{start} is not in a git repository") from None
    # Read-only means read-only: `git status` must not refresh (rewrite) the index while we look.
    handle.git.update_environment(GIT_OPTIONAL_LOCKS="0")
    if handle.bare or handle.working_tree_dir is None:
        handle.close()
        raise NotARepository(f"{start} is in a bare git repository, which has no work tree")
    try:
        out = handle.git.rev_parse("--show-toplevel", "--git-path", CACHE_FOLDER, "--git-path", "shallow")
    except git.CommandError as error:  # includes a git binary that vanished
        handle.close()
        raise NotARepository(f"git cannot read {start}: {git_reason(error)}") from None
    top, cache_dir, shallow = out.splitlines()
    root = Path(top)
    return GitRepo(root=root, cache_dir=root / cache_dir, shallow_file=root / shallow, handle=handle)


def git_reason(error: Any) -> str:
    """The first line git wrote to stderr for a failed command (GitPython wraps it in quotes)."""
    lines = str(getattr(error, "stderr", "") or error).strip().splitlines()
    return next((line.strip().removeprefix("stderr: ").strip("'") for line in lines if line.strip()),
                "git failed")


def head_commit(repo: GitRepo) -> str | None:
    """The commit HEAD points at, or None on a branch with no commit yet."""
    return resolve_commit(repo, "HEAD")


def current_branch(repo: GitRepo) -> str | None:
    """The checked-out branch's short name, or None when HEAD is detached (read from HEAD's file)."""
    head = repo.handle.head
    if head.is_detached:
        return None
    return str(head.reference.path).removeprefix("refs/heads/")


def resolve_commit(repo: GitRepo, name: str) -> str | None:
    """The commit a ref or revision expression names, or None when there is none.

    Asked through the long-running `git cat-file --batch-check`, so many questions cost one process."""
    if not name or name.startswith("-") or any(c.isspace() for c in name):
        return None
    return object_id(repo, f"{name}^{{commit}}")


def merge_base(repo: GitRepo, one: str, other: str) -> str | None:
    """The best common ancestor of two commits (as `git merge` picks it), or None for unrelated histories."""
    out = repo.run("merge-base", one, other, with_exceptions=False)
    return out.strip() or None


def branch_refs(repo: GitRepo) -> list[Ref]:
    """Local branches and remote-tracking branches, without symbolic aliases such as `origin/HEAD`."""
    out = repo.run("for-each-ref", "--format=%(objectname) %(refname) %(symref)",
                   "refs/heads", "refs/remotes")
    refs = []
    for line in out.splitlines():
        commit, name, *symref = line.split(" ")
        if not any(symref) and not name.endswith("/HEAD"):
            refs.append(Ref(name=name, commit=commit))
    return refs


def remotes(repo: GitRepo) -> list[str]:
    """The names of the configured remotes."""
    return repo.run("remote").split()


def shallow_boundary(repo: GitRepo) -> frozenset[str]:
    """The grafted commits of a shallow clone (their parents are not here); empty for a full clone."""
    try:
        text = repo.shallow_file.read_text(encoding="ascii")
    except OSError:
        return frozenset()
    return frozenset(text.split())


def log_history(repo: GitRepo, tips: Sequence[str], exclude: Iterable[str], pathspecs: Sequence[str]) -> str:
    """Every commit in the history of `tips` but not of `exclude`, parents first, with its changes under
    `pathspecs` (renames followed). Commits that change nothing there are listed too (`--sparse`): their
    parents keep the commit graph whole. A merge lists only what it changed against every parent (`-c`),
    so a file is added where it was written, and a merge revision written inside a merge commit is seen.

    The output is for `log.parse_log`.
    """
    if not tips:
        return ""
    return repo.run(
        "log", "-z", f"--format={LOG_FORMAT}", "--raw", "--no-abbrev", "-M", "-c", "--full-history",
        "--sparse", "--reverse", "--topo-order", "--ignore-missing",
        *tips, "--not", *exclude, "--", *_pathspecs(pathspecs),
    )


def renames_in(repo: GitRepo, commits: Sequence[str]) -> list[tuple[str, str]]:
    """(old path, new path) of every file that each of `commits` renamed, anywhere in the tree, against its
    first parent (one `git diff-tree --stdin` process; a root commit renames nothing)."""
    if not commits:
        return []
    import tempfile

    with tempfile.TemporaryFile() as listed:  # a real file: GitPython hands `istream` to git as its stdin
        listed.write("".join(f"{sha}\n" for sha in commits).encode())
        listed.seek(0)
        out = repo.run("diff-tree", "--stdin", "-r", "-M", "--raw", "-z", "--no-abbrev", "--diff-filter=R",
                       istream=listed, strip_newline_in_stdout=False)
    parts = out.split("\0")
    return [(parts[n + 1], parts[n + 2]) for n, part in enumerate(parts)
            if part.startswith(":") and n + 2 < len(parts)]


def work_tree_status(repo: GitRepo, pathspecs: Sequence[str]) -> dict[str, str]:
    """Two-letter `git status --porcelain` codes of the paths under `pathspecs` that differ from HEAD
    (untracked files listed one by one); paths are relative to the repository root."""
    if not pathspecs:
        return {}
    out = repo.run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--",
                   *_pathspecs(pathspecs), strip_newline_in_stdout=False)
    found = {}
    for entry in out.split("\0"):
        if len(entry) > 3:
            found[entry[3:]] = entry[:2]
    return found


def tree_blobs(repo: GitRepo, commit: str | None, pathspecs: Sequence[str]) -> dict[str, str]:
    """path -> blob of every file under `pathspecs` in `commit` (paths relative to the repository root)."""
    if commit is None or not pathspecs:
        return {}
    out = repo.run("ls-tree", "-r", "-z", "--full-tree", commit, "--", *_pathspecs(pathspecs),
                   strip_newline_in_stdout=False)
    found = {}
    for entry in out.split("\0"):
        if entry:
            meta, path = entry.split("\t", 1)
            _mode, kind, sha = meta.split(" ")
            if kind == "blob":
                found[path] = sha
    return found


def _pathspecs(paths: Sequence[str]) -> list[str]:
    """Repository paths as git takes them: the root ("", a version location at the top) is ".", as git
    refuses an empty pathspec (commands run at the work tree root)."""
    return [path or "." for path in paths]


def blob_bytes(repo: GitRepo, blobs: Iterable[str]) -> dict[str, bytes]:
    """The content of each blob, read through one long-running `git cat-file --batch` process."""
    found = {}
    for sha in dict.fromkeys(blobs):
        try:
            _sha, _kind, _size, data = repo.handle.git.get_object_data(sha)
        except ValueError:  # "<sha> missing": a blob gone with a pruned commit
            continue
        found[sha] = bytes(data)
    return found


def object_id(repo: GitRepo, name: str) -> str | None:
    """The object `name` (e.g. `commit:path`) names, or None when there is none (`cat-file --batch-check`)."""
    if "\n" in name:
        return None
    try:
        sha, _kind, _size = repo.handle.git.get_object_header(name)
    except ValueError:  # "<name> missing", or "ambiguous"
        return None
    return sha.decode() if isinstance(sha, bytes) else str(sha)


def repo_path(repo: GitRepo, path: Path) -> str | None:
    """`path` relative to the repository root (POSIX), or None when it lies outside the work tree."""
    try:
        relative = path.resolve().relative_to(repo.root.resolve())
    except ValueError:
        return None
    text = relative.as_posix()
    return "" if text == "." else text


# -- what is under way, and what came from elsewhere ----------------------------------------------


def git_path(repo: GitRepo, name: str) -> Path:
    """Where git keeps `name` for this work tree (`git rev-parse --git-path`: MERGE_HEAD, rebase-merge...)."""
    return repo.root / repo.run("rev-parse", "--git-path", name)


def merge_head_commits(repo: GitRepo) -> tuple[str, ...]:
    """The commits a merge in progress brings in (MERGE_HEAD, one line per merged branch); () when no merge
    is under way. They come from elsewhere: a pull that stopped on a conflict leaves them here."""
    return _existing(repo, _first_words(git_path(repo, "MERGE_HEAD")))


def fetch_head_commits(repo: GitRepo) -> tuple[str, ...]:
    """The commits the last `git fetch` or `git pull` brought from a remote (FETCH_HEAD); () when none."""
    return _existing(repo, _first_words(git_path(repo, "FETCH_HEAD")))


def rebase_onto(repo: GitRepo) -> str | None:
    """The commit a rebase in progress replays onto (`rebase-merge/onto` or `rebase-apply/onto`): the
    upstream side. REBASE_HEAD, by contrast, is the user's own commit being replayed."""
    for folder in ("rebase-merge", "rebase-apply"):
        found = _existing(repo, _first_words(git_path(repo, f"{folder}/onto")))
        if found:
            return found[0]
    return None


def operation_in_progress(repo: GitRepo) -> str | None:
    """`merge` while a merge waits to be concluded, `rebase` while a rebase is under way, else None."""
    if git_path(repo, "MERGE_HEAD").is_file():
        return "merge"
    if any(git_path(repo, folder).is_dir() for folder in ("rebase-merge", "rebase-apply")):
        return "rebase"
    return None


def unmerged_paths(repo: GitRepo, pathspecs: Sequence[str]) -> list[str]:
    """Paths under `pathspecs` that git still holds in conflict (unmerged index entries), relative to the
    repository root."""
    if not pathspecs:
        return []
    out = repo.run("ls-files", "--unmerged", "-z", "--", *_pathspecs(pathspecs),
                   strip_newline_in_stdout=False)
    paths = (entry.split("\t", 1)[1] for entry in out.split("\0") if "\t" in entry)
    return sorted(dict.fromkeys(paths))


def _first_words(path: Path) -> list[str]:
    """The first word of each line of a small git file (a sha), none when the file is not there."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    return [line.split()[0] for line in text.splitlines() if line.strip()]


def _existing(repo: GitRepo, names: Iterable[str]) -> tuple[str, ...]:
    """Of `names`, the commits this repository has, each once, in order."""
    found = (resolve_commit(repo, name) for name in names if all(c in "0123456789abcdef" for c in name))
    return tuple(dict.fromkeys(sha for sha in found if sha))


def added_paths(repo: GitRepo, ref: str, pathspecs: Sequence[str]) -> list[str]:
    """Paths under `pathspecs` that HEAD's side added since it forked from `ref`
    (`git diff --name-only --diff-filter=A REF...HEAD`), relative to the repository root."""
    out = repo.run("diff", "--name-only", "-z", "--diff-filter=A", f"{ref}...HEAD", "--",
                   *_pathspecs(pathspecs), strip_newline_in_stdout=False)
    return [path for path in out.split("\0") if path]
