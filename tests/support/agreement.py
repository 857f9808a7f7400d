"""Our reading of a project next to Alembic's own (`ScriptDirectory.from_config`): heads, bases, branch
points and labels, for the tests that check a layout is read as Alembic reads it."""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from ahq_history.config.loading import Loaded


@dataclass(frozen=True)
class View:
    heads: frozenset[str]
    bases: frozenset[str]
    branchpoints: frozenset[str]
    labels: frozenset[tuple[str, str]]  # (revision, label)


def alembic_view(config: Config) -> View:
    """What Alembic finds, executing the files. `prepend_sys_path` and `package:path` locations make Alembic
    change `sys.path` and import packages: both are put back, so that tests do not see each other's."""
    path, modules = list(sys.path), set(sys.modules)
    # Each test runs in its own folder, but Alembic puts the relative `.` on sys.path: the finder cached
    # for `.` would list the previous test's folder when both share an mtime.
    importlib.invalidate_caches()
    try:
        script = ScriptDirectory.from_config(config)
        scripts = list(script.walk_revisions())
        return View(frozenset(script.get_heads()), frozenset(script.get_bases()),
                    frozenset(s.revision for s in scripts if s.is_branch_point),
                    frozenset((s.revision, label) for s in scripts for label in s._orig_branch_labels))
    finally:
        sys.path[:] = path
        for name in set(sys.modules) - modules:
            del sys.modules[name]


def our_view(loaded: Loaded) -> View:
    graph = loaded.graph
    return View(frozenset(graph.heads), frozenset(graph.bases), frozenset(graph.branchpoints),
                frozenset((r.id, label) for r in graph.revisions.values() for label in r.branch_labels))


def flask_config(migrations: Path) -> Config:
    """The Config `flask db` builds: the ini in `migrations/`, whose folder is the script location."""
    config = Config(str(migrations / "alembic.ini"))
    config.set_main_option("script_location", str(migrations))
    return config


def ini_config(ini: Path) -> Config:
    return Config(str(ini))
