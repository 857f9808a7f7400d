"""Where git runs this repository's hooks from (`git rev-parse --git-path hooks`: worktrees share the
common folder, `core.hooksPath` moves it), and the refusal of a folder outside the repository, which other
repositories share. Standard library only (git is run as a subprocess).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from ahq_history.core.errors import ConfigError, RefusedError, UnreachableError

# What to do when core.hooksPath points outside the repository (the refusal's hint, `hooks status`).
OUTSIDE_FIX = "give this repository its own folder (git config --local core.hooksPath .git/hooks)"
PRE_COMMIT_HOOKS = "use the hooks of ahq-history's .pre-commit-hooks.yaml"


@dataclass(frozen=True)
class HooksFolder:
    """Where git runs this repository's hooks from, and why."""

    path: Path  # absolute
    work_tree: Path
    git_dir: Path
    common_dir: Path
    hooks_path: str | None  # core.hooksPath as configured, None when unset
    hooks_path_origin: str | None  # where core.hooksPath is set ("file:/home/x/.gitconfig")

    @property
    def outside(self) -> bool:
        """True when the folder belongs to no part of this repository (a folder others share)."""
        return not any(within(self.path, place) for place in (self.work_tree, self.git_dir, self.common_dir))


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise UnreachableError("git is not installed (no `git` on PATH)",
                               "install git; the hooks need it") from error


def _rev_parse(cwd: Path, *args: str) -> list[str]:
    done = _git(cwd, "rev-parse", *args)
    if done.returncode != 0:
        raise ConfigError(f"{cwd} is not inside a git work tree ({why_no_work_tree(done.stderr)})",
                          "run this from a clone of your repository")
    return done.stdout.splitlines()


def why_no_work_tree(stderr: str) -> str:
    """git's refusal in plain words. Its last line can be a side note (`Stopping at filesystem boundary
    (GIT_DISCOVERY_ACROSS_FILESYSTEM not set).`), so the reason is read from the `fatal:` line."""
    fatal = next((line.removeprefix("fatal: ").strip() for line in stderr.splitlines()
                  if line.startswith("fatal: ")), "")
    if fatal.startswith("not a git repository") or "GIT_DISCOVERY_ACROSS_FILESYSTEM" in stderr:
        return "not a git repository"
    if "must be run in a work tree" in fatal:
        return "a bare repository or a .git folder: no checked-out files"
    return fatal or stderr.strip() or "git rev-parse failed"


def _hooks_path_setting(cwd: Path) -> tuple[str | None, str | None]:
    done = _git(cwd, "config", "--show-origin", "--get", "core.hooksPath")
    if done.returncode != 0 or "\t" not in done.stdout:
        return None, None
    origin, _, value = done.stdout.rstrip("\n").partition("\t")
    kind, _, where = origin.partition(":")
    if kind == "file" and not os.path.isabs(where):  # the repository's own config is named relatively
        origin = f"file:{(cwd / where).resolve()}"
    return value, origin


def find_hooks_folder(start: Path | None = None) -> HooksFolder:
    """The folder git runs hooks from for the repository around `start` (default: the current folder).

    Raises ConfigError outside a work tree (a bare repository has no checkout to warn about).
    """
    cwd = (start or Path.cwd()).resolve()
    lines = _rev_parse(cwd, "--show-toplevel", "--absolute-git-dir", "--git-common-dir",
                       "--git-path", "hooks")
    if len(lines) != 4 or not lines[0]:
        raise ConfigError(f"{cwd} is not inside a git work tree", "run this from a clone of your repository")
    top, git_dir, common, hooks = lines
    setting, origin = _hooks_path_setting(cwd)
    return HooksFolder(
        path=(cwd / hooks).resolve(), work_tree=Path(top).resolve(), git_dir=Path(git_dir).resolve(),
        common_dir=(cwd / common).resolve(), hooks_path=setting, hooks_path_origin=origin,
    )


def within(path: Path, folder: Path) -> bool:
    """True when `path` is `folder` or lies inside it."""
    return path == folder or folder in path.parents


def refuse_outside(folder: HooksFolder) -> None:
    """Raise RefusedError when the hooks folder lies outside the repository (core.hooksPath elsewhere)."""
    if not folder.outside:
        return
    where = f" (set in {folder.hooks_path_origin.removeprefix('file:')})" if folder.hooks_path_origin else ""
    raise RefusedError(
        f"core.hooksPath{where} points to {folder.path}, outside this repository: other repositories "
        "may share that folder, so ahq-history does not write there",
        f"{OUTSIDE_FIX}, or {PRE_COMMIT_HOOKS}",
    )


def shared(folder: HooksFolder) -> bool:
    """True when the hooks folder lies in the work tree and git does not ignore it: it is (or will be)
    committed, so every clone runs what is written there."""
    if not within(folder.path, folder.work_tree) or folder.outside:
        return False
    if any(within(folder.path, place) for place in (folder.git_dir, folder.common_dir)):
        return False
    probe = folder.path / "post-merge"  # a file that may not exist yet: check-ignore asks about the path
    done = _git(folder.work_tree, "check-ignore", "-q", "--no-index", str(probe))
    return done.returncode != 0
