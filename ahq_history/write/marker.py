"""The heads marker file on disk (`core/marker.py` says what it holds): where `[tool.ahq-history] heads-file`
puts it, whether it is stale (`check`), its new bytes as one more file of a write transaction (`merge-heads`,
`heads --write`). Standard library, `core` and `config` only when it loads: a warm `check` reads it.

The setting's path is relative to the folder of the pyproject.toml that holds it, as paths in a
configuration file are; `Problem.path` and `Written.relpath` are relative to the project root.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.config.safefile import read_regular_file
from ahq_history.core.marker import render_marker, stale_problem
from ahq_history.core.model import Problem

if TYPE_CHECKING:
    from ahq_history.config.project import Project
    from ahq_history.write.files import Written

SETTING = "heads-file"


def settings_file(project: Project) -> Path | None:
    """The pyproject.toml that gave the project its `[tool.ahq-history]` settings; None without one."""
    from ahq_history.config.sources import tool_table

    if not project.settings:
        return None
    return next((p for p in project.config_files if p.name == "pyproject.toml"
                 and tool_table(p, "ahq-history") is not None), None)


def marker_path(project: Project) -> Path | None:
    """The marker file the settings name (absolute, not resolved through links); None when not set."""
    value = project.settings.get(SETTING)
    if not isinstance(value, str):
        return None
    base = settings_file(project)
    return Path(os.path.normpath((base.parent if base else project.root) / value))


def relative(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def read_text(path: Path) -> str | None:
    """The marker's text; None when it is missing or cannot be read (a FIFO, a folder, bad UTF-8)."""
    try:
        return read_regular_file(str(path), limit=1024 * 1024).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def marker_problem(project: Project, heads: Iterable[str], *, diverged: bool) -> Problem | None:
    """The `stale-heads-file` finding when the settings name a marker that does not hold `heads`."""
    path = marker_path(project)
    if path is None:
        return None
    return stale_problem(relative(path, project.root), read_text(path), heads, diverged=diverged)


def marker_item(project: Project, path: Path, heads: Iterable[str]) -> Written:
    """The marker at `path` rewritten to hold `heads`, as a file of a write transaction (kind `marker`,
    `parents` the heads; a new file when there is none). Its line endings are kept."""
    from ahq_history.write.files import Written

    before = _bytes(path)
    newline = "\r\n" if before and b"\r\n" in before else "\n"
    text = render_marker(heads, newline)
    return Written(kind="marker", revision="", parents=tuple(sorted(heads)), path=path,
                   relpath=relative(path, project.root), text=text, data=text.encode("utf-8"), before=before)


def marker_for_heads(project: Project, heads: Iterable[str]) -> list[Written]:
    """`marker_item` at the configured marker, or nothing when no marker is configured."""
    path = marker_path(project)
    return [] if path is None else [marker_item(project, path, heads)]


def heads_after(current: Iterable[str], joined: Iterable[tuple[Iterable[str], str]]) -> list[str]:
    """The heads once each group of heads is replaced by its one new head."""
    heads = set(current)
    for group, new in joined:
        heads -= set(group)
        heads.add(new)
    return sorted(heads)


def _bytes(path: Path) -> bytes | None:
    try:
        return read_regular_file(str(path), limit=1024 * 1024)
    except FileNotFoundError:
        return None
    except OSError as error:
        from ahq_history.core.errors import UnreachableError

        raise UnreachableError(f"cannot read the heads file {path}: {error.strerror or error}",
                               hint="make it a plain file, or remove it and run `ahq-history heads --write "
                               f"{path}`") from None


@dataclass(frozen=True)
class HeadsWritten:
    """What `heads --write` did: the files written, and the setting's line to add by hand when the
    pyproject.toml could not be edited safely (None when it was recorded, or already there)."""

    written: tuple[Written, ...]
    add_by_hand: str | None
    settings_path: Path | None


def write_heads_file(project: Project, target: Path, heads: Iterable[str]) -> HeadsWritten:
    """Write the marker at `target` holding `heads` and record it as `heads-file`, in one transaction.

    Raises UsageError for a target outside the repository or that Alembic could load as a revision."""
    from ahq_history.config.pending import repository_top
    from ahq_history.core.errors import UsageError
    from ahq_history.write.commit import write_files

    target = Path(os.path.normpath(target.absolute()))
    top = repository_top(project.root)
    if not target.is_relative_to(top) or target.suffix in (".py", ".pyc") or target.is_dir():
        raise UsageError(f"{target} cannot be the heads file: it must be a file inside the repository "
                         f"({top}), not a folder or a .py file", hint="name a file such as migrations/HEADS")
    items = [marker_item(project, target, heads)]
    setting, by_hand, where = _setting_item(project, target, top)
    items.extend(setting)
    write_files(project, items, lambda: None)
    return HeadsWritten(tuple(items), by_hand, where)


def _setting_item(project: Project, target: Path, top: Path) -> tuple[list[Written], str | None, Path | None]:
    """The pyproject.toml edit that records `target`, or the lines to add by hand."""
    from ahq_history.write.files import Written
    from ahq_history.write.pyproject import nearest_pyproject, set_setting, setting_text

    where = settings_file(project) or nearest_pyproject(project.root, top)
    value = relative(target, where.parent if where else top)
    if where is not None and marker_path(project) == target:
        return [], None, where  # already recorded
    before = _bytes(where) if where is not None else None
    edited = set_setting(before.decode("utf-8-sig"), SETTING, value) if before is not None else None
    if where is None or before is None or edited is None:
        return [], setting_text(SETTING, value), where
    data = (b"\xef\xbb\xbf" if before.startswith(b"\xef\xbb\xbf") else b"") + edited.encode("utf-8")
    item = Written(kind="settings", revision="", parents=(), path=where,
                   relpath=relative(where, project.root), text=edited, data=data, before=before)
    return [item], None, where
