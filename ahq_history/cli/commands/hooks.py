"""`ahq-history hooks install | uninstall | status`: the git hooks that warn after a pull."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.cli.options import json_text
from ahq_history.core.display import clean_lines
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, AhqError

if TYPE_CHECKING:
    from ahq_history.hooks.folder import HooksFolder
    from ahq_history.hooks.install import HookChange, HookState, Installed, Removal, Status


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "action", choices=("install", "uninstall", "status"),
        help="install (or refresh) the hooks, remove them (restoring any hook they chained), or show them",
    )
    for gate, refused in (("pre-commit", "a commit"), ("pre-push", "a push")):  # opt-in (hooks/gate.py)
        parser.add_argument(f"--{gate}", action="store_true", dest=gate.replace("-", "_"),
                            help=f"install also the {gate} gate: it refuses {refused} that adds a second "
                            f"Alembic head or breaks the graph (`git {refused[2:]} --no-verify` skips it)")


def run(args: argparse.Namespace) -> int:
    if args.action == "install":
        return _install(args)
    if args.action == "uninstall":
        return _uninstall(args)
    return _status(args)


# --- install ---------------------------------------------------------------------------------------------


def _install(args: argparse.Namespace) -> int:
    from ahq_history.hooks import install as hooks
    from ahq_history.hooks.folder import find_hooks_folder, refuse_outside

    folder = find_hooks_folder()
    refuse_outside(folder)
    config = _config_to_record(args.config, folder.work_tree)
    if not args.json:
        _announce(folder)
    gates = tuple(g for g in ("pre-commit", "pre-push") if getattr(args, g.replace("-", "_"), False))
    done = hooks.install(config=config, names=(*hooks.HOOK_NAMES, *gates))
    warmed = _warm_cache(done.config, folder.work_tree)
    if args.json:
        _print_json({
            "action": "install", "folder": str(done.folder.path), "python": done.python,
            "config": done.config, "manager": done.manager.name if done.manager else None,
            "hooks": [{"name": c.name, "path": str(c.path), "action": c.action, "method": c.method,
                       "legacy": str(c.legacy) if c.legacy else None} for c in done.changes],
            "cache": warmed, "exit_code": EXIT_OK,
        })
        return EXIT_OK
    print(_install_text(done, warmed))
    return EXIT_OK


def _announce(folder: HooksFolder) -> None:
    """Before writing where every clone runs what we write, say so: those files get committed."""
    from ahq_history.hooks.folder import shared
    from ahq_history.hooks.managers import find_manager

    manager = find_manager(folder)
    if manager is not None and manager.name == "husky":
        line = (f"husky runs this repository's hooks: adding a call to ahq-history (from PATH) at the end of "
                f"{_shown(manager.place)}/<hook>, tracked files every clone runs.")
    elif manager is not None:
        line = (f"lefthook runs this repository's hooks: adding an `ahq-history` command (from PATH) to each "
                f"hook in {_shown(manager.place)}, which every clone shares.")
    elif shared(folder):
        line = (f"{_shown(folder.path)} is a hooks folder inside the work tree (core.hooksPath), committed "
                "for every clone: its hooks will start ahq-history from PATH (or python3 -m ahq_history), "
                "never this machine's Python.")
    else:
        return
    print(clean_lines([line]), flush=True)


def _config_to_record(config: str | None, top: Path) -> Path | None:
    """The configuration the hooks must name: the one given with -c, or the project found from here
    when the hooks (which run at the top of the work tree) would not find that same one themselves."""
    from ahq_history.config.project import find_project

    if config:
        find_project(config=Path(config))  # a -c that names no project would make every hook fail
        return Path(config).resolve()
    try:
        here = find_project()
    except AhqError:
        return None
    try:
        from_top = find_project(start=top)
    except AhqError:
        return here.config_path
    # Found below the top only while it is the one project there: name it, so a second one added later
    # does not leave the hooks asking which.
    same = from_top.config_path == here.config_path and from_top.note is None
    return None if same else here.config_path


def _warm_cache(config: str | None, top: Path) -> dict[str, Any]:
    """Read the history once now, so that the first hook after a pull only reads what the pull brought."""
    from ahq_history.config.project import find_project
    from ahq_history.git.hook import warm_cache

    try:
        project = find_project(start=top, config=top / config if config else None)
        warmed = warm_cache(project)
    except AhqError as error:
        return {"warmed": False, "note": error.message}
    return {"warmed": warmed, "note": None if warmed else "git cannot read this repository's history"}


def _install_text(done: Installed, warmed: dict[str, Any]) -> str:
    changed = [c for c in done.changes if c.action != "unchanged"]
    where = _shown(done.folder.path)
    if done.manager is not None:  # nothing written in the hooks folder: say whose file holds them
        where = f"{_shown(done.manager.place)} ({done.manager.name})"
    names = ", ".join(c.name for c in done.changes)
    if changed:
        lines = [f"Installed ahq-history's git hooks in {where}: {names}."]
    else:
        lines = [f"ahq-history's git hooks are already installed in {where}: {names}."]
    lines.extend(line for line in map(_method_line, done.changes) if line)
    runs = done.python or "ahq-history from PATH"
    lines.append(f"They run {runs}" + (f" with -c {done.config}" if done.config else "") + ".")
    if done.manager is not None and done.manager.name == "lefthook":
        lines.append("Run `lefthook install` so that git runs the hooks lefthook did not have yet.")
    note = warmed["note"]
    if note and note.startswith("no Alembic project found"):
        lines.append("Note: no Alembic project found from the top of the work tree; the hooks stay quiet "
                     "until there is one (or reinstall with -c PATH).")
    elif note and note.startswith("several Alembic projects"):
        lines.append("Note: this repository holds several Alembic projects (`ahq-history check --all` covers "
                     "them); the hooks cover each one ([tool.ahq-history] projects, else all), naming it.")
    elif note:
        lines.append(f"Note: the git history was not read ahead ({note}); the first hook will read it.")
    return clean_lines(lines)


def _method_line(change: HookChange) -> str | None:
    """How one hook was installed, when it is not simply our own script."""
    where = _shown(change.path)
    if change.method == "husky":
        return f"  {change.name}: a call at the end of {where} (husky runs it)"
    if change.method == "lefthook":
        return f"  {change.name}: an `ahq-history` command in {where} (lefthook runs it)"
    if change.method == "pre-commit":
        first = f", which runs {change.legacy.name} first" if change.legacy else ""
        return (f"  {change.name}: beside pre-commit's hook, as {change.path.name} (pre-commit runs it "
                f"first; .pre-commit-config.yaml is untouched){first}")
    if change.moved_aside and change.legacy:
        return (f"  {change.name}: your hook is now {change.legacy.name} and still runs, first "
                "(`ahq-history hooks uninstall` puts it back)")
    if change.legacy:
        return f"  {change.name}: runs {change.legacy.name} first"
    return None


# --- uninstall -------------------------------------------------------------------------------------------


_REMOVAL_WORDS = {
    "removed": "removed",
    "restored": "removed; the hook it chained is back in place",
    "absent": "was not installed",
    "foreign": "left alone: it is not ahq-history's",
}


def _uninstall(args: argparse.Namespace) -> int:
    from ahq_history.hooks import install as hooks

    done = hooks.uninstall(names=(*hooks.HOOK_NAMES, *_gates()))
    if args.json:
        _print_json({
            "action": "uninstall", "folder": str(done.folder.path),
            "hooks": [{"name": r.name, "path": str(r.path), "action": r.action, "method": r.method,
                       "restored": str(r.restored) if r.restored else None} for r in done.removals],
            "exit_code": EXIT_OK,
        })
        return EXIT_OK
    lines = [f"ahq-history's git hooks in {_shown(done.folder.path)}:"]
    lines.extend(f"  {r.name:<14} {_REMOVAL_WORDS[r.action]}" + _removed_from(r) for r in done.removals)
    print(clean_lines(lines))
    return EXIT_OK


def _removed_from(removal: Removal) -> str:
    if removal.method == "script" or removal.action == "absent":
        return ""
    return f" ({_shown(removal.path)})"


# --- status ----------------------------------------------------------------------------------------------


def _status(args: argparse.Namespace) -> int:
    from ahq_history.hooks import install as hooks

    found = hooks.status(names=(*hooks.HOOK_NAMES, *_gates()))
    code = EXIT_OK if found.complete else EXIT_NEGATIVE
    if args.json:
        _print_json({
            "action": "status", "folder": str(found.folder.path), "core_hooks_path": found.folder.hooks_path,
            "outside": found.folder.outside, "installed": found.complete,
            "hooks": [_hook_json(h) for h in found.hooks], "exit_code": code,
        })
        return code
    print(_status_text(found))
    return code


def _hook_json(hook: HookState) -> dict[str, Any]:
    return {"name": hook.name, "path": str(hook.path), "state": hook.state,
            "legacy": str(hook.legacy) if hook.legacy else None, "python": hook.python,
            "python_exists": hook.python_exists, "config": hook.config}


_HOOK_WORDS = {"installed": "installed", "absent": "not installed", "foreign": "another hook is there"}


def _status_text(found: Status) -> str:
    from ahq_history.hooks.reinstall import REINSTALL

    lines = [f"Hooks folder: {_shown(found.folder.path)}"]
    outside = found.folder.outside
    if outside:
        lines[0] += (f" (core.hooksPath = {found.folder.hooks_path}: outside this repository, "
                     "so `hooks install` refuses to write there)")
    for hook in found.hooks:
        words = _HOOK_WORDS[hook.state]
        if hook.state == "foreign" and not outside:
            words += " (`ahq-history hooks install` chains it)"
        if hook.legacy and hook.state == "installed":
            words += f", runs {hook.legacy.name} first"
        if hook.state == "installed" and hook.method != "script":
            words += f" ({hook.method}: {_shown(hook.path)})"
        lines.append(f"  {hook.name:<14} {words}")
    for python, reinstall in sorted({(h.python, h.reinstall or REINSTALL) for h in found.hooks if h.python}):
        exists = os.access(python, os.X_OK)
        lines.append(f"Python: {python}" + (" (exists)" if exists else
                                             " is gone" if outside else f" is gone; reinstall: {reinstall}"))
    step = _next_step(found)
    if step:
        lines.append(step)
    return clean_lines(lines)


def _next_step(found: Status) -> str | None:
    """The one thing to do when the hooks are not all in place (a gone Python says its own line)."""
    from ahq_history.hooks.folder import OUTSIDE_FIX, PRE_COMMIT_HOOKS

    if found.complete:
        return None
    if found.folder.outside:  # install refuses this folder: its fix comes first
        return (f"To install them, {OUTSIDE_FIX}, then run `ahq-history hooks install` "
                f"(or {PRE_COMMIT_HOOKS}).")
    if any(h.state == "installed" and not h.python_exists for h in found.hooks):
        return None  # the `Python: ... is gone; reinstall: ...` line says what to do
    return "Run `ahq-history hooks install` to install them."


# --- shared ----------------------------------------------------------------------------------------------


def _shown(path: Path) -> str:
    """A path as short as it can be said from here."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def _print_json(payload: dict[str, Any]) -> None:
    print(json_text(payload))


def _gates() -> tuple[str, ...]:
    """The gates installed here (`install --pre-commit`, `--pre-push`): named by uninstall and status."""
    from ahq_history.hooks.folder import find_hooks_folder
    from ahq_history.hooks.gatescript import installed_gates

    return installed_gates(find_hooks_folder().path)
