"""Install, chain, uninstall and inspect ahq-history's git hooks.

The folder is the one git really runs hooks from (`folder.py`); a folder outside the repository is refused.
How we install depends on who else is there, and install says which (`Method`):
- husky or lefthook: in their own files (`managers.py`), nothing in the hooks folder;
- pre-commit's hook: ours goes beside it as `<name>.legacy`, which pre-commit runs first (its own way of
  chaining; `.pre-commit-config.yaml` stays the user's); uninstall finds ours there in any order of installs;
- another hook: moved aside to `<name>.ahq-legacy` and run by ours; uninstall puts it back;
- no hook: our script. In a tracked hooks folder it starts ahq-history from PATH, never this machine's Python.
Our script (`script.py`) is marked by its first comment line and records the Python that installed it.
Standard library only (git is run as a subprocess): `hooks status` and the hooks' own start stay cheap.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ahq_history.core.errors import RefusedError, UnreachableError
from ahq_history.hooks import managers
from ahq_history.hooks.folder import HooksFolder, find_hooks_folder, refuse_outside, shared, within
from ahq_history.hooks.gatescript import GATE_NAMES, render_gate_script
from ahq_history.hooks.reinstall import reinstall_command
from ahq_history.hooks.script import LEGACY_SUFFIX, is_ours, read_recorded, render_script

# The hooks that carry what a pull brought (see run.py for which of their calls act).
HOOK_NAMES: tuple[str, ...] = ("post-merge", "post-rewrite", "post-commit", "post-checkout")
# The script each hook gets, by kind: a new kind of hook adds its name here and its kind below.
HOOK_KINDS: dict[str, str] = dict.fromkeys(HOOK_NAMES, "warn")
SCRIPTS: dict[str, Callable[[str, str | None, str | None, str], str]] = {"warn": render_script}
HOOK_KINDS.update(dict.fromkeys(GATE_NAMES, "gate"))  # the blocking gates, opt-in (gate.py)
SCRIPTS["gate"] = render_gate_script
PRE_COMMIT_LEGACY = ".legacy"  # the file pre-commit's hook runs first (pre-commit's hook_impl.py)

HookAction = Literal["installed", "updated", "unchanged"]
UninstallAction = Literal["removed", "restored", "absent", "foreign"]
HookStateName = Literal["installed", "foreign", "absent"]
# How ours was installed: our own script, ours chaining a hook moved aside, beside pre-commit's hook, a
# call in husky's hook file, a command in lefthook's config.
Method = Literal["script", "chained", "pre-commit", "husky", "lefthook"]


@dataclass(frozen=True)
class HookChange:
    """What `install` did to one hook."""

    name: str
    path: Path
    action: HookAction
    legacy: Path | None  # the foreign hook that ours runs first, when there is one
    moved_aside: bool  # True when this install moved the foreign hook to `legacy`
    method: Method = "script"


@dataclass(frozen=True)
class Installed:
    folder: HooksFolder
    python: str | None  # None: the hooks start ahq-history from PATH (a place every clone shares)
    config: str | None  # project configuration the hooks pass to `check` (relative to the work tree)
    changes: tuple[HookChange, ...]
    manager: managers.Manager | None = None  # husky or lefthook, whose own file we wrote


@dataclass(frozen=True)
class Removal:
    """What `uninstall` did to one hook."""

    name: str
    path: Path
    action: UninstallAction
    restored: Path | None  # the legacy hook put back in place, when there was one
    method: Method = "script"


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
    method: Method = "script"
    from_path: bool = False  # starts ahq-history from PATH: no interpreter of this machine to lose


@dataclass(frozen=True)
class Status:
    folder: HooksFolder
    hooks: tuple[HookState, ...]

    @property
    def complete(self) -> bool:
        """Every hook is ours and its interpreter still exists."""
        return all(h.state == "installed" and (h.python_exists or h.from_path) for h in self.hooks)


# --- install ---------------------------------------------------------------------------------------------


def _legacy_path(folder: Path, name: str) -> Path:
    """Where a foreign hook moved aside waits; our script runs it (script.py's AHQ_LEGACY)."""
    return folder / (name + LEGACY_SUFFIX)


@dataclass(frozen=True)
class _Step:
    name: str
    hook: Path  # where our script goes: the hook, or `<hook>.legacy` beside pre-commit's
    legacy: Path  # where a foreign file at `hook` is moved aside to
    text: str
    action: HookAction
    move_aside: bool
    method: Method


def _target(folder: Path, name: str) -> tuple[Path, Method]:
    """Where our script goes for hook `name`: beside pre-commit's hook as the file it runs first, else the
    hook itself."""
    hook = folder / name
    if managers.is_pre_commit(hook):
        return hook.with_name(name + PRE_COMMIT_LEGACY), "pre-commit"
    return hook, "script"


def _plan(folder: Path, names: Sequence[str], python: str | None, config: str | None,
          reinstall: str) -> list[_Step]:
    """Decide every hook's change before touching anything, so a refusal leaves the folder as it was."""
    steps = []
    for name in names:
        hook, method = _target(folder, name)
        text = SCRIPTS[HOOK_KINDS.get(name, "warn")](name, python, config, reinstall)
        legacy = _legacy_path(folder, name)
        foreign = os.path.lexists(hook) and not is_ours(hook)
        if foreign and os.path.lexists(legacy):
            raise RefusedError(
                f"{hook} is not ours and {legacy.name} already exists beside it: moving it aside would "
                "overwrite that file",
                f"look at both files, keep the one you need as {legacy.name}, delete {hook.name}, "
                "then run `ahq-history hooks install` again",
            )
        if foreign:
            steps.append(_Step(name, hook, legacy, text, "installed", True,
                               "chained" if method == "script" else method))
        elif not os.path.lexists(hook):
            steps.append(_Step(name, hook, legacy, text, "installed", False, method))
        else:
            same = hook.read_text(encoding="utf-8", errors="replace") == text and os.access(hook, os.X_OK)
            steps.append(_Step(name, hook, legacy, text, "unchanged" if same else "updated", False, method))
    return steps


def _apply(step: _Step) -> None:
    if step.move_aside:
        os.replace(step.hook, step.legacy)
    try:
        if step.action != "unchanged":
            managers.write_atomically(step.hook, step.text, 0o755)
    except OSError:
        if step.move_aside:
            os.replace(step.legacy, step.hook)
        raise


def _undo(step: _Step, previous: str | None) -> None:
    if step.move_aside:
        os.replace(step.legacy, step.hook)
    elif step.action == "installed":  # there was no file: remove ours
        step.hook.unlink(missing_ok=True)
    elif step.action == "updated" and previous is not None:
        managers.write_atomically(step.hook, previous, 0o755)
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


def _into_folder(folder: HooksFolder, names: Sequence[str], python: str | None,
                 config: str | None) -> tuple[HookChange, ...]:
    folder.path.mkdir(parents=True, exist_ok=True)
    steps = _plan(folder.path, names, python, config, reinstall_command())
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
    return tuple(
        HookChange(s.name, s.hook, s.action, s.legacy if os.path.lexists(s.legacy) else None, s.move_aside,
                   s.method)
        for s in steps
    )


def install(
    start: Path | None = None,
    *,
    python: str | None = None,
    config: Path | None = None,
    names: Sequence[str] = HOOK_NAMES,
) -> Installed:
    """Install (or refresh) our hooks beside whatever else is there (see the module docstring). Idempotent.

    `python` defaults to the running interpreter, and is not used where every clone shares the hooks (a
    tracked folder, husky, lefthook); `config` is the project configuration the hooks use.
    Raises RefusedError when core.hooksPath points outside the repository, or when a foreign hook cannot be
    moved aside; either way nothing was changed. An OSError midway undoes what was done.
    """
    folder = find_hooks_folder(start)
    refuse_outside(folder)
    recorded = _config_for_hooks(folder, config)
    manager = managers.find_manager(folder)
    if manager is not None:
        other = [name for name in names if HOOK_KINDS.get(name, "warn") != "warn"]
        if other:  # managers.py writes the warning call only
            raise RefusedError(f"{manager.name} runs this repository's hooks, and ahq-history adds only its "
                               f"warning hooks there, not {', '.join(other)}",
                               f"add `ahq-history check --hook pre-commit` (or `pre-push`) to "
                               f"{manager.place.name} by hand for those")
        changes = tuple(HookChange(c.name, c.path, c.action, None, False, manager.name)  # type: ignore[arg-type]
                        for c in managers.install(manager, names, recorded))
        return Installed(folder=folder, python=None, config=recorded, changes=changes, manager=manager)
    python = None if shared(folder) else python or sys.executable
    changes = _into_folder(folder, names, python, recorded)
    return Installed(folder=folder, python=python, config=recorded, changes=changes)


# --- uninstall and status --------------------------------------------------------------------------------


def _remove_one(folder: Path, name: str) -> Removal:
    hook, legacy = folder / name, _legacy_path(folder, name)
    beside = hook.with_name(name + PRE_COMMIT_LEGACY)
    method: Method = "script"
    if os.path.lexists(hook) and is_ours(hook):
        target = hook
    elif is_ours(beside):  # pre-commit installed before or after us: ours is the file its hook runs first
        target, method = beside, "pre-commit"
    elif os.path.lexists(hook):
        return Removal(name, hook, "foreign", None)
    elif not os.path.lexists(legacy):
        return Removal(name, hook, "absent", None)
    else:
        target = hook  # ours was deleted by hand: the legacy hook still goes back
    if os.path.lexists(legacy):
        # os.replace puts the legacy hook back over ours in one step.
        os.replace(legacy, target)
        return Removal(name, target, "restored", target, method)
    target.unlink()
    return Removal(name, target, "removed", None, method)


def uninstall(start: Path | None = None, *, names: Sequence[str] = HOOK_NAMES) -> Uninstalled:
    """Remove our hooks and put the legacy hooks back; foreign hooks are left alone. Idempotent.

    Raises RefusedError, as `install` does, when core.hooksPath points outside the repository: hooks there
    belong to the repositories that share the folder."""
    folder = find_hooks_folder(start)
    refuse_outside(folder)
    manager = managers.find_manager(folder)
    if manager is not None:
        removals = tuple(Removal(c.name, c.path, c.action, None, manager.name)  # type: ignore[arg-type]
                         for c in managers.uninstall(manager, names, folder))
        return Uninstalled(folder=folder, removals=removals)
    try:
        removals = tuple(_remove_one(folder.path, name) for name in names)
    except OSError as error:
        raise UnreachableError(f"cannot change {folder.path}: {error.strerror or error}",
                               f"check the permissions of {folder.path}") from error
    return Uninstalled(folder=folder, removals=removals)


def _state(folder: Path, name: str) -> HookState:
    hook, method = _target(folder, name)
    legacy = _legacy_path(folder, name)
    chained = legacy if os.path.lexists(legacy) else None
    if not os.path.lexists(hook):
        return HookState(name, hook, "absent", chained, None, None, None, None)
    if not is_ours(hook):
        return HookState(name, hook, "foreign", chained, None, None, None, None)
    recorded = read_recorded(hook)
    python = recorded.python
    exists = python is not None and os.access(python, os.X_OK)
    return HookState(name, hook, "installed", chained, python, exists, recorded.config, recorded.version,
                     recorded.reinstall, method, recorded.from_path)


def _manager_state(manager: managers.Manager, name: str) -> HookState:
    path = manager.place / name if manager.name == "husky" else manager.place
    state: HookStateName = "installed" if managers.installed(manager, name) else "absent"
    return HookState(name, path, state, None, None, None, None, None, None, manager.name, from_path=True)


def status(start: Path | None = None, *, names: Sequence[str] = HOOK_NAMES) -> Status:
    """Which of our hooks are installed, the legacy hooks they chain, and the interpreter each records."""
    folder = find_hooks_folder(start)
    manager = None if folder.outside else managers.find_manager(folder)
    if manager is not None:
        return Status(folder=folder, hooks=tuple(_manager_state(manager, name) for name in names))
    return Status(folder=folder, hooks=tuple(_state(folder.path, name) for name in names))
