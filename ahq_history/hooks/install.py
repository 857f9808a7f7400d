"""Install, chain, uninstall and inspect ahq-history's git hooks.

The folder is the one git really runs hooks from (`folder.py`); a folder outside the repository is refused.
A hook that was already there is moved aside to `<name>.ahq-legacy` and run by ours; uninstall puts it
back. Our script (`script.py`) is marked by its first comment line and records the Python that installed it.
Standard library only (git is run as a subprocess): `hooks status` and the hooks' own start stay cheap.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ahq_history.core.errors import RefusedError, UnreachableError
from ahq_history.hooks.folder import HooksFolder, find_hooks_folder, refuse_outside, within
from ahq_history.hooks.reinstall import reinstall_command
from ahq_history.hooks.script import LEGACY_SUFFIX, is_ours, read_recorded, render_script

# The hooks that carry what a pull brought (see run.py for which of their calls act).
HOOK_NAMES: tuple[str, ...] = ("post-merge", "post-rewrite", "post-commit", "post-checkout")

HookAction = Literal["installed", "updated", "unchanged"]
UninstallAction = Literal["removed", "restored", "absent", "foreign"]
HookStateName = Literal["installed", "foreign", "absent"]


@dataclass(frozen=True)
class HookChange:
    """What `install` did to one hook."""

    name: str
    path: Path
    action: HookAction
    legacy: Path | None  # the foreign hook that ours runs first, when there is one
    moved_aside: bool  # True when this install moved the foreign hook to `legacy`


@dataclass(frozen=True)
class Installed:
    folder: HooksFolder
    python: str
    config: str | None  # project configuration the hooks pass to `check` (relative to the work tree)
    changes: tuple[HookChange, ...]


@dataclass(frozen=True)
class Removal:
    """What `uninstall` did to one hook."""

    name: str
    path: Path
    action: UninstallAction
    restored: Path | None  # the legacy hook put back in place, when there was one


@dataclass(frozen=True)
class Uninstalled:
    folder: HooksFolder
    removals: tuple[Removal, ...]


@dataclass(frozen=True)
class HookState:
    """One hook as `hooks status` sees it."""

    name: str
    path: Path
    state: HookStateName
    legacy: Path | None  # a chained legacy hook, when present
    python: str | None  # the interpreter our script records
    python_exists: bool | None
    config: str | None
    version: int | None
    reinstall: str | None = None  # the line the hook prints when its Python is gone


@dataclass(frozen=True)
class Status:
    folder: HooksFolder
    hooks: tuple[HookState, ...]

    @property
    def complete(self) -> bool:
        """Every hook is ours and its interpreter still exists."""
        return all(h.state == "installed" and h.python_exists for h in self.hooks)


# --- install ---------------------------------------------------------------------------------------------


def _legacy_path(hook: Path) -> Path:
    return hook.with_name(hook.name + LEGACY_SUFFIX)


def _write_executable(path: Path, text: str) -> None:
    """Write atomically: a temporary file in the same folder, fsync, then os.replace."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o755)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class _Step:
    name: str
    hook: Path
    text: str
    action: HookAction
    move_aside: bool


def _plan(folder: Path, names: Iterable[str], python: str, config: str | None, reinstall: str) -> list[_Step]:
    """Decide every hook's change before touching anything, so a refusal leaves the folder as it was."""
    steps = []
    for name in names:
        hook, text = folder / name, render_script(name, python, config, reinstall)
        legacy = _legacy_path(hook)
        foreign = os.path.lexists(hook) and not is_ours(hook)
        if foreign and os.path.lexists(legacy):
            raise RefusedError(
                f"{hook} is not ours and {legacy.name} already exists beside it: moving it aside would "
                "overwrite that file",
                f"look at both files, keep the one you need as {legacy.name}, delete {hook.name}, "
                "then run `ahq-history hooks install` again",
            )
        if foreign:
            steps.append(_Step(name, hook, text, "installed", move_aside=True))
        elif not os.path.lexists(hook):
            steps.append(_Step(name, hook, text, "installed", move_aside=False))
        else:
            same = hook.read_text(encoding="utf-8", errors="replace") == text and os.access(hook, os.X_OK)
            steps.append(_Step(name, hook, text, "unchanged" if same else "updated", move_aside=False))
    return steps


def _apply(step: _Step) -> None:
    if step.move_aside:
        os.replace(step.hook, _legacy_path(step.hook))
    try:
        if step.action != "unchanged":
            _write_executable(step.hook, step.text)
    except OSError:
        if step.move_aside:
            os.replace(_legacy_path(step.hook), step.hook)
        raise


def _undo(step: _Step, previous: str | None) -> None:
    if step.move_aside:
        os.replace(_legacy_path(step.hook), step.hook)
    elif step.action == "installed":  # there was no file: remove ours
        step.hook.unlink(missing_ok=True)
    elif step.action == "updated" and previous is not None:
        _write_executable(step.hook, previous)
    # "unchanged": nothing was written, so nothing to put back


def _config_for_hooks(folder: HooksFolder, config: Path | None) -> str | None:
    """The project configuration as the hooks will name it: relative to the work tree root (hooks run
    there, in every worktree), absolute when it lies elsewhere."""
    if config is None:
        return None
    config = config.resolve()
    if within(config, folder.work_tree):
        return config.relative_to(folder.work_tree).as_posix()
    return str(config)


def install(
    start: Path | None = None,
    *,
    python: str | None = None,
    config: Path | None = None,
    names: Sequence[str] = HOOK_NAMES,
) -> Installed:
    """Install (or refresh) our hooks; foreign hooks are moved aside and chained. Idempotent.

    `python` defaults to the running interpreter; `config` is the project configuration the hooks use.
    Raises RefusedError when core.hooksPath points outside the repository, or when a foreign hook cannot be
    moved aside; either way nothing was changed. An OSError midway undoes what was done.
    """
    folder = find_hooks_folder(start)
    refuse_outside(folder)
    python = python or sys.executable
    recorded = _config_for_hooks(folder, config)
    folder.path.mkdir(parents=True, exist_ok=True)
    steps = _plan(folder.path, names, python, recorded, reinstall_command())
    done: list[tuple[_Step, str | None]] = []
    try:
        for step in steps:
            previous = step.hook.read_text(encoding="utf-8") if step.action == "updated" else None
            _apply(step)
            done.append((step, previous))
    except OSError as error:
        for step, previous in reversed(done):
            _undo(step, previous)
        raise UnreachableError(f"cannot write {step.hook}: {error.strerror or error}",
                               f"check the permissions of {folder.path}") from error
    changes = tuple(
        HookChange(s.name, s.hook, s.action, _legacy_path(s.hook) if _legacy_present(s.hook) else None,
                   s.move_aside)
        for s in steps
    )
    return Installed(folder=folder, python=python, config=recorded, changes=changes)


def _legacy_present(hook: Path) -> bool:
    return os.path.lexists(_legacy_path(hook))


# --- uninstall and status --------------------------------------------------------------------------------


def _remove_one(name: str, hook: Path) -> Removal:
    legacy = _legacy_path(hook)
    if os.path.lexists(hook) and not is_ours(hook):
        return Removal(name, hook, "foreign", None)
    if not os.path.lexists(hook) and not os.path.lexists(legacy):
        return Removal(name, hook, "absent", None)
    if os.path.lexists(legacy):
        # os.replace puts the legacy hook back over ours in one step (or where ours was deleted by hand).
        os.replace(legacy, hook)
        return Removal(name, hook, "restored", hook)
    hook.unlink()
    return Removal(name, hook, "removed", None)


def uninstall(start: Path | None = None, *, names: Sequence[str] = HOOK_NAMES) -> Uninstalled:
    """Remove our hooks and put the legacy hooks back; foreign hooks are left alone. Idempotent.

    Raises RefusedError, as `install` does, when core.hooksPath points outside the repository: hooks there
    belong to the repositories that share the folder."""
    folder = find_hooks_folder(start)
    refuse_outside(folder)
    try:
        removals = tuple(_remove_one(name, folder.path / name) for name in names)
    except OSError as error:
        raise UnreachableError(f"cannot change {folder.path}: {error.strerror or error}",
                               f"check the permissions of {folder.path}") from error
    return Uninstalled(folder=folder, removals=removals)


def _state(name: str, hook: Path) -> HookState:
    legacy = _legacy_path(hook)
    chained = legacy if os.path.lexists(legacy) else None
    if not os.path.lexists(hook):
        return HookState(name, hook, "absent", chained, None, None, None, None)
    if not is_ours(hook):
        return HookState(name, hook, "foreign", chained, None, None, None, None)
    recorded = read_recorded(hook)
    python = recorded.python
    exists = python is not None and os.access(python, os.X_OK)
    return HookState(name, hook, "installed", chained, python, exists, recorded.config, recorded.version,
                     recorded.reinstall)


def status(start: Path | None = None, *, names: Sequence[str] = HOOK_NAMES) -> Status:
    """Which of our hooks are installed, the legacy hooks they chain, and the interpreter each records."""
    folder = find_hooks_folder(start)
    return Status(folder=folder, hooks=tuple(_state(name, folder.path / name) for name in names))
