"""A cache of `check` reports keyed on what they depend on, read with the standard library alone.

The key covers the configuration files, which version locations exist, every revision file's name, size,
mtime, ctime and inode (so an edited, added or removed file is noticed, also when a tool kept its size
and put its mtime back), git's HEAD, refs, index, config and pseudo-refs such as FETCH_HEAD when there
is a repository (so a commit, fetch, pull or push is noticed), and the tool's version. The cache lives
under the repository's git folder, or the user's cache folder outside git, so it never dirties the work
tree.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ahq_history import __version__
from ahq_history.config.pending import git_dir as git_dir  # where the journal lives too
from ahq_history.config.project import Project

CACHE_FORMAT = 5  # 2: commands carry their argv (next_argv, command_argv); 3: the advisor's reason;
# 4: every body parsed, a syntax error is an error; 5: heads carry their line (annotations)
# Refs kept outside refs/ (per work tree); `git fetch URL BRANCH` moves FETCH_HEAD alone.
_PSEUDO_REFS = ("FETCH_HEAD", "ORIG_HEAD", "MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "REBASE_HEAD")


def _common_dir(gitdir: Path) -> Path:
    common = gitdir / "commondir"
    if common.is_file():
        return (gitdir / common.read_text().strip()).resolve()
    return gitdir


def _stat_key(path: Path | str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}:-"
    # ctime and inode as git's index keeps them: a rewrite that kept the size and restored the mtime
    # (cp -p, rsync -t, tar, os.utime) still changes them.
    return f"{path}:{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def git_state(gitdir: Path | None) -> list[str]:
    """What changes when a commit, fetch, pull, checkout or push happens: HEAD, refs, the index, the
    shallow boundary, the config (`@{upstream}`, remotes) and the pseudo-refs `--against` may name."""
    if gitdir is None:
        return ["no-git"]
    common = _common_dir(gitdir)
    parts = [_read(gitdir / "HEAD"), _stat_key(gitdir / "index"), _stat_key(common / "packed-refs"),
             _stat_key(common / "shallow"), _stat_key(common / "config"),
             *(_stat_key(gitdir / name) for name in _PSEUDO_REFS)]
    refs = common / "refs"
    for folder, _dirs, files in os.walk(refs):
        parts.extend(_stat_key(Path(folder) / name) for name in sorted(files))
    return parts


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return "-"


def cache_key(project: Project, files: list[str], variant: str, gitdir: Path | None) -> str:
    """A digest of everything a `check` report depends on; `variant` names the options used."""
    digest = hashlib.sha1(usedforsecurity=False)
    configs = project.config_files or (project.config_path,)
    # A location's existence, not its stat: a missing one is warned about, and an editor's swap file
    # changing the folder's mtime must not cost a miss.
    locations = (f"{location}:{location.exists()}" for location in project.version_locations)
    for part in (__version__, str(CACHE_FORMAT), variant, *map(_stat_key, configs),
                 *locations, *git_state(gitdir), *map(_stat_key, files)):
        digest.update(part.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
    return digest.hexdigest()


def cache_path(project: Project, gitdir: Path | None) -> Path:
    """Under `.git/ahq-history/` when there is a repository, else the user's cache folder."""
    name = hashlib.sha1(str(project.config_path).encode(), usedforsecurity=False).hexdigest()[:16]
    if gitdir is not None:
        return gitdir / "ahq-history" / f"check-{name}.json"
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ahq-history" / f"check-{name}.json"


def lookup(path: Path, key: str) -> dict[str, Any] | None:
    """The cached report when its key still matches, else None (a damaged cache is a miss)."""
    try:
        with path.open(encoding="utf-8") as handle:
            stored = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != key or not _unchanged(stored.get("depends")):
        return None
    report = stored.get("report")
    # A file damaged (or edited) inside the report while its key still matches is a miss, not a crash.
    return report if isinstance(report, dict) and stored.get("digest") == _digest(report) else None


def _unchanged(depends: object) -> bool:
    """The project modules whose constants the report used (labels from `migration.EXPAND_BRANCH`) are as
    they were: their paths are known only after a load, so they are checked here, not in the key."""
    if not isinstance(depends, dict):
        return False
    return all(isinstance(path, str) and _stat_key(path) == key for path, key in depends.items())


def _digest(report: dict[str, Any]) -> str:
    text = json.dumps(report, sort_keys=True)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()  # ensure_ascii: ASCII text


def store(path: Path, key: str, report: dict[str, Any], depends: Iterable[str] = ()) -> None:
    """Write atomically; a cache that cannot be written is simply not kept (nor is its temporary file)."""
    import tempfile  # only when writing: a warm check never needs it

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".check-", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"key": key, "digest": _digest(report), "report": report,
                       "depends": {module: _stat_key(module) for module in depends}}, handle)
        os.replace(temp, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temp)
