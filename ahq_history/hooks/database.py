"""What the hooks say about the database after a branch switch, a pull or a rebase (db/warn.py): behind,
or at a revision the branch lacks; silent when it is current or cannot be named or reached.

`git config ahq-history.upgrade-after-pull true`: after a pull or a rebase that leaves the database
behind, the hook runs the project's upgrade command itself, once its warning is printed and outside its
time budget (an upgrade takes as long as it takes). Only this clone's git config turns it on
(config/settings.py: `upgrade-after-pull` is local-only), never a file in the repository.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from ahq_history.config.project import Project
from ahq_history.config.settings import local_value
from ahq_history.core.display import clean
from ahq_history.core.errors import AhqError
from ahq_history.core.shell import command_line

KEY = "ahq-history.upgrade-after-pull"


@dataclass(frozen=True)
class Upgrade:
    """The upgrade command to run, as words, and the folder it runs in (the project's)."""

    argv: tuple[str, ...]
    cwd: Path


def database_warning(project: Project, event: str, upgrades: list[Upgrade] | None = None) -> str | None:
    """The database's state after `event` ("branch switch", "pull", "rebase"), or None. After a pull or a
    rebase that leaves it behind, the upgrade is added to `upgrades` when this clone asks for it."""
    from ahq_history.db.applied import name_database

    try:
        if name_database(project).url is None:  # no database it can name: nothing to compare, no graph
            return None
    except AhqError:
        return None
    from ahq_history.config.loading import load
    from ahq_history.db.warn import warning_after

    loaded = load(project.config_path)
    found = warning_after(loaded.project, loaded.graph, event, timeout=1.0)
    if found is None or found.upgrade is None or upgrades is None or event == "branch switch":
        return found.text if found else None
    try:
        if upgrade_wanted(project.root):
            upgrades.append(Upgrade(found.upgrade, project.root))
    except AhqError as error:  # a wrong value: said beside the warning, nothing run
        return f"{found.text}\n  not run: {error.message}"
    return found.text


def upgrade_wanted(top: Path) -> bool:
    """Whether this clone's git config turns the upgrade on. Raises ConfigError (naming the key) for a value
    that is not true or false."""
    try:
        done = subprocess.run(["git", "config", "--get", KEY], cwd=top, capture_output=True, text=True,
                              check=False, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return False
    if done.returncode != 0:
        return False
    return local_value("upgrade-after-pull", done.stdout.strip()) is True


def run_upgrade(upgrade: Upgrade, err: TextIO) -> int:
    """Run the upgrade, saying what runs and, when it fails, that it did (its own output follows on `err`).
    Returns its exit code (127 when it cannot be started); the hook still exits 0."""
    line = command_line(upgrade.argv)
    print(f"ahq-history: {KEY} is set: running {line}", file=err, flush=True)
    try:
        done = subprocess.run(list(upgrade.argv), cwd=upgrade.cwd, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL, check=False)
    except OSError as error:
        print(f"ahq-history: could not run {line}: {error.strerror}", file=err, flush=True)
        return 127
    output = (done.stdout + done.stderr).rstrip()
    if output:
        print(clean(output, multiline=True), file=err, flush=True)
    if done.returncode != 0:
        print(f"ahq-history: {line} failed (exit {done.returncode}); the database is still behind",
              file=err, flush=True)
    return done.returncode
