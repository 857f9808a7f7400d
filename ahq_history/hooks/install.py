"""Install, chain, uninstall and inspect ahq-history's git hooks.

The folder is the one git really runs hooks from (`git rev-parse --git-path hooks`: worktrees share the
common folder, `core.hooksPath` moves it). A folder outside the repository is refused: other repositories
share it. A hook that was already there is moved aside to `<name>.ahq-legacy` and run by ours; uninstall
puts it back. Our script is marked by its first comment line and records the Python that installed it.

Standard library only (git is run as a subprocess): `hooks status` and the hooks' own start stay cheap.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from ahq_history.core.errors import ConfigError, RefusedError, UnreachableError

# The hooks that carry what a pull brought (see hookrun.py for which of their calls act).
HOOK_NAMES: tuple[str, ...] = ("post-merge", "post-rewrite", "post-commit", "post-checkout")
MARKER = "# ahq-history-hook"  # the line that says a hook file is ours (any version)
SCRIPT_VERSION = 1
LEGACY_SUFFIX = ".ahq-legacy"
DISTRIBUTION = "ahq-history"
REINSTALL = "pip install ahq-history && ahq-history hooks install"  # from PyPI; see reinstall_command
# What to do when core.hooksPath points outside the repository (the refusal's hint, `hooks status`).
OUTSIDE_FIX = "give this repository its own folder (git config --local core.hooksPath .git/hooks)"
PRE_COMMIT_HOOKS = "use the hooks of ahq-history's .pre-commit-hooks.yaml"
_PYTHON_LINE = "AHQ_PYTHON="
_CONFIG_LINE = "AHQ_CONFIG="
_REINSTALL_LINE = "AHQ_REINSTALL="

HookAction = Literal["installed", "updated", "unchanged"]
UninstallAction = Literal["removed", "restored", "absent", "foreign"]
HookStateName = Literal["installed", "foreign", "absent"]


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
        return not any(_within(self.path, place) for place in (self.work_tree, self.git_dir, self.common_dir))


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


# --- git questions -------------------------------------------------------------------------------------


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


def _within(path: Path, folder: Path) -> bool:
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


# --- how to reinstall the ahq-history that installs the hooks ---------------------------------------------


def reinstall_command() -> str:
    """The one line the hooks print when their Python is gone: how to reinstall this very ahq-history
    (`pip install -e PATH` for a development checkout or an editable install), then `hooks install`."""
    return reinstall_for(Path(__file__).resolve().parents[1], _site_folders(), _direct_url())


def reinstall_for(package: Path, site_folders: Iterable[Path], direct_url: dict[str, object] | None) -> str:
    """`package` is the folder of `ahq_history`; `direct_url` is the installed distribution's
    direct_url.json (PEP 610), None when there is none."""
    checkout = package.parent
    in_site = any(_within(package, folder) for folder in site_folders)
    if not in_site and _is_our_project(checkout / "pyproject.toml"):
        return f"pip install -e {shlex.quote(str(checkout))} && ahq-history hooks install"
    editable = _editable_folder(direct_url)
    if editable is not None:
        return f"pip install -e {shlex.quote(editable)} && ahq-history hooks install"
    return REINSTALL


def _is_our_project(pyproject: Path) -> bool:
    import tomllib

    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    name = project.get("name") if isinstance(project, dict) else None
    return isinstance(name, str) and name.lower().replace("_", "-") == DISTRIBUTION


def _editable_folder(direct_url: dict[str, object] | None) -> str | None:
    """The local folder of an editable install, from its direct_url.json."""
    from urllib.parse import unquote, urlparse

    if not direct_url:
        return None
    info, url = direct_url.get("dir_info"), direct_url.get("url")
    if not isinstance(info, dict) or info.get("editable") is not True or not isinstance(url, str):
        return None
    parsed = urlparse(url)
    return unquote(parsed.path) if parsed.scheme == "file" and parsed.path else None


def _site_folders() -> list[Path]:
    import site
    import sysconfig

    found = [sysconfig.get_paths()[key] for key in ("purelib", "platlib")]
    found += getattr(site, "getsitepackages", list)()
    found.append(site.getusersitepackages())
    return [Path(folder).resolve() for folder in found]


def _direct_url() -> dict[str, object] | None:
    import json
    from importlib import metadata

    try:
        text = metadata.distribution(DISTRIBUTION).read_text("direct_url.json")
        found = json.loads(text) if text else None
    except (metadata.PackageNotFoundError, OSError, ValueError):
        return None
    return found if isinstance(found, dict) else None


# --- our script ------------------------------------------------------------------------------------------


def render_script(name: str, python: str, config: str | None = None, reinstall: str = REINSTALL) -> str:
    """The POSIX sh hook that runs the legacy hook (if any), then `check --hook NAME`; git never fails.
    `reinstall` is the line it prints when `python` is gone or cannot run ahq-history."""
    # post-rewrite gets its rewritten commits on stdin: read it once, give it to both.
    config_args = ' -c "$AHQ_CONFIG"' if config else ""
    return f"""#!/bin/sh
{MARKER} {SCRIPT_VERSION}: {name}, installed by `ahq-history hooks install` (`hooks uninstall` removes it).
# Warns when what git just brought leaves divergent Alembic heads. Runs the hook that was here before
# ({name}{LEGACY_SUFFIX}) first, and never makes git fail.
{_PYTHON_LINE}{shlex.quote(python)}
{_CONFIG_LINE}{shlex.quote(config or "")}
AHQ_HOOK={name}
AHQ_LEGACY="$(dirname -- "$0")/$AHQ_HOOK{LEGACY_SUFFIX}"
{_REINSTALL_LINE}{shlex.quote(reinstall)}

# Started as its own legacy hook (a copy of this script): the outer run does the work.
if [ -n "${{AHQ_HISTORY_IN_LEGACY:-}}" ]; then
    exit 0
fi

ahq_input=''
if [ "$AHQ_HOOK" = post-rewrite ]; then
    ahq_input=$(cat)
fi
ahq_feed() {{
    if [ -n "$ahq_input" ]; then printf '%s\\n' "$ahq_input"; fi
}}

ahq_status=0
if [ -f "$AHQ_LEGACY" ] && [ -x "$AHQ_LEGACY" ]; then
    if [ "$AHQ_HOOK" = post-rewrite ]; then
        ahq_feed | AHQ_HISTORY_IN_LEGACY=1 "$AHQ_LEGACY" "$@"
    else
        AHQ_HISTORY_IN_LEGACY=1 "$AHQ_LEGACY" "$@"
    fi
    ahq_status=$?
fi

if [ -x "$AHQ_PYTHON" ]; then
    ahq_feed | "$AHQ_PYTHON" -P -m ahq_history check{config_args} --hook "$AHQ_HOOK" "$@" ||
        echo "ahq-history: $AHQ_PYTHON cannot run ahq-history; reinstall: $AHQ_REINSTALL" >&2
else
    echo "ahq-history: the $AHQ_HOOK hook's Python ($AHQ_PYTHON) is gone; reinstall: $AHQ_REINSTALL" >&2
fi

# Only post-checkout's status reaches the user (it becomes git checkout's): keep the legacy hook's.
if [ "$AHQ_HOOK" = post-checkout ]; then
    exit "$ahq_status"
fi
exit 0
"""


def _head(path: Path, size: int = 4096) -> str:
    try:
        with path.open("rb") as handle:
            return handle.read(size).decode("utf-8", "replace")
    except OSError:
        return ""


def is_ours(path: Path) -> bool:
    """True when `path` is a hook file that ahq-history wrote (any version)."""
    return path.is_file() and any(line.startswith(MARKER) for line in _head(path).splitlines()[:3])


def _recorded(text: str, prefix: str) -> str | None:
    for line in text.splitlines():
        if line.startswith(prefix):
            try:
                words = shlex.split(line[len(prefix):])
            except ValueError:  # a hook edited by hand into broken quoting: the value is unknown
                return None
            return words[0] if words and words[0] else None
    return None


def _version(text: str) -> int | None:
    for line in text.splitlines()[:3]:
        if line.startswith(MARKER):
            number = line[len(MARKER):].strip().split(":", 1)[0]
            return int(number) if number.isdigit() else None
    return None


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
    if _within(config, folder.work_tree):
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
    text = _head(hook, 16384)
    python = _recorded(text, _PYTHON_LINE)
    exists = python is not None and os.access(python, os.X_OK)
    return HookState(name, hook, "installed", chained, python, exists, _recorded(text, _CONFIG_LINE),
                     _version(text), _recorded(text, _REINSTALL_LINE) or REINSTALL)


def status(start: Path | None = None, *, names: Sequence[str] = HOOK_NAMES) -> Status:
    """Which of our hooks are installed, the legacy hooks they chain, and the interpreter each records."""
    folder = find_hooks_folder(start)
    return Status(folder=folder, hooks=tuple(_state(name, folder.path / name) for name in names))
