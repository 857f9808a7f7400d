"""Where below a repository's top Alembic configurations may sit, from git's list of files (standard library
only: git runs as a subprocess, as the hooks run it, so that looking costs no GitPython import).

Git's list (`ls-files --cached --others --exclude-standard`) holds the tracked files and the untracked ones
that are not ignored: a project not yet committed is found, and what `.gitignore` keeps out (virtual
environments, `node_modules`, build folders) is never searched.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import ConfigError
from ahq_history.core.shell import command_line

if TYPE_CHECKING:
    from ahq_history.config.project import Project

CONFIG_NAMES = ("alembic.ini", "pyproject.toml")


def repository_files(top: Path) -> list[str] | None:
    """The work tree's files git knows or would add, as POSIX paths relative to `top`; None when git
    cannot answer (no git binary, not a repository, a damaged one)."""
    import subprocess  # only when nothing was found upwards; kept off `check`'s fast path

    argv = ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        done = subprocess.run(argv, cwd=top, capture_output=True, check=False)
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return [name for name in done.stdout.decode("utf-8", "surrogateescape").split("\0") if name]


def candidate_folders(top: Path, files: Iterable[str]) -> list[Path]:
    """The folders that may hold a project, each once, sorted: that of every `alembic.ini` and
    `pyproject.toml`, and for Flask-Migrate's `migrations/alembic.ini` the folder `flask db` runs in."""
    folders: set[str] = set()
    for name in files:
        if not name.endswith(CONFIG_NAMES):  # string tests first: a large repository lists many files
            continue
        folder, _, base = name.rpartition("/")
        if base not in CONFIG_NAMES:
            continue
        if base == "alembic.ini" and (folder == "migrations" or folder.endswith("/migrations")):
            folder = folder.removesuffix("migrations").removesuffix("/")
        folders.add(folder)
    return [Path(os.path.normpath(top / folder)) for folder in sorted(folders)]


# -- what discovery says when it cannot pick one ------------------------------------------------------

LOOKED_FOR = "alembic.ini, pyproject.toml with [tool.alembic] and migrations/alembic.ini"
INIT_HINT = (
    "create one with `alembic init migrations` (or `alembic init --template pyproject migrations`), "
    "or `flask db init` for Flask-Migrate, or name the configuration with -c PATH"
)
_NOT_SEARCHED_HINT = (
    "run from the folder that holds the project, or name its configuration with -c PATH; if there is no "
    "project yet, create one with `alembic init migrations` or `flask db init`"
)


def not_found(looked: list[Path], top: Path | None, *, not_searched: str | None = None) -> ConfigError:
    """Nothing from the start folder up to `top` (the git work tree's top, or None outside git), and,
    unless `not_searched` says why not, nothing below `top` either: only then is `alembic init` the
    advice, since the repository is known to hold no project."""
    where = ", ".join(str(f) for f in looked)
    stop = " (the top of the git work tree)" if top is not None else ""
    message = f"no Alembic project found: looked for {LOOKED_FOR} in {where}{stop}"
    if not_searched is not None:
        return ConfigError(f"{message}; folders below were not searched, as {not_searched}",
                           hint=_NOT_SEARCHED_HINT)
    return ConfigError(f"{message} and in every folder below it that git lists", hint=INIT_HINT)


class SeveralProjects(ConfigError):
    """No project from the start folder up, and more than one below the git work tree's top: which one is
    meant is the user's choice (`-c`). Broken configurations are listed too, with their error."""

    def __init__(self, origin: Path, top: Path, projects: tuple[Project, ...],
                 broken: tuple[ConfigError, ...], counts: Mapping[Path, int | None] | None = None) -> None:
        self.origin, self.top, self.projects, self.broken = origin, top, projects, broken
        lines = [f"several Alembic projects in the repository at {top} (none from {origin} up):"]
        for project in projects:
            count = (counts or {}).get(project.config_path)
            size = "" if counts is None else (
                ", revision files cannot be listed" if count is None else f", {_revisions(count)}")
            lines.append(f"  {self.shown(project)} ({project.layout}{size})")
        lines.extend(f"  cannot be read: {error.message}" for error in broken)
        first = self.shown(projects[0]) if projects else "PATH"
        super().__init__("\n".join(lines), hint="name the one you mean with -c PATH, e.g. "
                         f"{command_line(('-c', first))}")

    def shown(self, project: Project) -> str:
        """The project's configuration as -c takes it from the start folder."""
        return os.path.relpath(project.config_path, self.origin)

    def counted(self, counts: Mapping[Path, int | None]) -> SeveralProjects:
        """The same error, with each project's number of revision files (None: they cannot be listed)."""
        return SeveralProjects(self.origin, self.top, self.projects, self.broken, counts)


def _revisions(count: int) -> str:
    if count == 0:
        return "no revisions yet"
    return f"{count} revision{'s' if count != 1 else ''}"
