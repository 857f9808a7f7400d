"""Which projects `check` and the git hooks cover when a repository holds several: those that
`[tool.ahq-history] projects` lists, or (`check --all`, or the hooks when nothing is listed) every project
git's list of files holds. Standard library and core only, like the rest of `config/`.

A configuration that cannot be read is kept with its error, so that one broken project never hides the
others' answers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ahq_history.config.discover import not_found
from ahq_history.config.project import Project, find_project, projects_below, work_tree_top
from ahq_history.config.settings import validate_settings
from ahq_history.config.sources import tool_table
from ahq_history.core.errors import ConfigError


@dataclass(frozen=True)
class Covered:
    """The projects to cover, in order, each with its configuration as shown (relative to `top`), and the
    configurations that could not be read, with their error."""

    top: Path
    projects: tuple[tuple[str, Project], ...]
    broken: tuple[tuple[str, ConfigError], ...] = ()


def listed_projects(start: Path) -> Covered | None:
    """The projects of `[tool.ahq-history] projects` in the nearest pyproject.toml that has the table, from
    `start` up to the top of the git work tree; None when there is no such list."""
    top = work_tree_top(start) or start
    for folder in (start, *start.parents):
        settings = folder / "pyproject.toml"
        table = tool_table(settings, "ahq-history")
        if table is not None:
            if "projects" not in table:
                return None
            validate_settings(table, settings, top)  # a wrong list is exit 2, naming the file and line
            entries = [str(entry) for entry in table["projects"]]
            return _read(top, [(entry, top / entry) for entry in entries])
        if folder == top:
            break
    return None


def every_project(start: Path) -> Covered:
    """Every project below the top of the git work tree that holds `start` (`check --all`).

    Raises ConfigError (exit 2) outside git, when git cannot list the files, or when there is none."""
    top = work_tree_top(start)
    if top is None:
        raise not_found([start], None, not_searched="this is not a git repository")
    found = projects_below(top)
    if found is None:
        raise not_found([start], top, not_searched="git cannot list its files")
    projects, broken = found
    if not projects and not broken:
        raise not_found([start], top)
    shown = [(_shown(p.config_path, top), p) for p in projects]
    return Covered(top, tuple(shown), tuple((_shown(folder, top), error) for folder, error in broken))


def _read(top: Path, entries: list[tuple[str, Path]]) -> Covered:
    projects: list[tuple[str, Project]] = []
    broken: list[tuple[str, ConfigError]] = []
    for shown, path in entries:
        try:
            projects.append((shown, find_project(start=top, config=path)))
        except ConfigError as error:
            broken.append((shown, error))
    return Covered(top, tuple(projects), tuple(broken))


def _shown(path: Path, top: Path) -> str:
    return os.path.relpath(path, top).replace(os.sep, "/")
