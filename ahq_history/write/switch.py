"""The plan of `ahq-history switch BRANCH`: which revisions to downgrade before `git switch`, with which
commands, what they destroy, and the upgrade after. Planning changes nothing; `write/steprun.py` runs it.

Each downgrade is Alembic's own (`python -m alembic -c INI downgrade PARENT`, or the project's
`flask ... db downgrade PARENT`), one invocation per revision, newest first, with the user's env.py.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.advice import upgrade_argv
from ahq_history.core.errors import RefusedError, UsageError
from ahq_history.core.opread import read_operations
from ahq_history.core.ops import describe
from ahq_history.core.shell import command_line
from ahq_history.db.read import DatabaseUrl, VersionRows
from ahq_history.db.state import downgrade_argv
from ahq_history.db.steps import Step

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.git.repo import GitRepo

DESTRUCTIVE = frozenset({"drop_table", "drop_column"})


@dataclass(frozen=True)
class Plan:
    """What a `switch` or `sync` will run, and what it destroys. `database`: the URL as shown;
    `sqlite`: the file to back up first (None for a server); `scratch`: a temporary folder to remove."""

    command: tuple[str, ...]  # the ahq-history command that re-runs (finishes) it
    url: DatabaseUrl
    rows: VersionRows
    steps: tuple[Step, ...]
    destructive: tuple[str, ...]
    sqlite: Path | None
    scratch: Path | None = None


@dataclass(frozen=True)
class Undo:
    """A revision to downgrade: its id, its parents, the text of its file and where that file is."""

    revision: str
    parents: tuple[str, ...]
    source: str
    path: str


def switch_plan(loaded: Loaded, branch: str, database_url: str | None = None) -> Plan:
    """The plan that brings the database from this checkout's revisions to `branch`'s head(s).

    Raises RefusedError (exit 1) for uncommitted revision files, a database at a revision this checkout
    lacks, or a downgrade that is missing or empty; UsageError for an unknown branch; UnreachableError
    when the database does not answer."""
    from ahq_history.db.applied import read_named_rows
    from ahq_history.db.status import version_folders
    from ahq_history.git.repo import open_repo, resolve_commit
    from ahq_history.git.search import history_at

    project, graph = loaded.project, loaded.graph
    repo = open_repo(project.root)
    try:
        folders = version_folders(project, repo.root)
        refuse_uncommitted(repo, folders)
        commit = resolve_commit(repo, branch)
        if commit is None:
            raise UsageError(f"no branch or commit named {branch!r} in this repository",
                             "name a branch `git branch --list` shows")
        url, rows = read_named_rows(project, database_url=database_url)
        lacking = [rev for rev in rows.revisions if rev not in graph.revisions]
        if lacking:
            raise RefusedError(f"the database is at {', '.join(lacking)}, which this checkout does not have",
                               "run `ahq-history sync` first: it brings the database back to this checkout")
        target = history_at(repo.root, commit, folders, recursive=project.recursive)
    finally:
        repo.close()
    undo = undo_list(loaded, graph, rows.revisions, keep=set(target.revisions))
    steps = [*downgrade_steps(project, undo, rows.revisions, graph),
             Step("switch", ("git", "switch", branch), "", str(repo.root))]
    steps += upgrade_steps(project, target, cwd=project.root)
    return Plan(("ahq-history", "switch", branch, "--yes"), url, rows, tuple(steps),
                destructive_words(undo), sqlite_file(url, project))


def refuse_uncommitted(repo: GitRepo, folders: Sequence[str]) -> None:
    """Refuse when the version folders hold changes git has not committed (they would be lost or mixed)."""
    from ahq_history.git.repo import work_tree_status

    changed = sorted(work_tree_status(repo, folders))
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        raise RefusedError(f"the versions folder has uncommitted changes: {shown}",
                           "commit or stash them first; nothing was changed")


def undo_list(loaded: Loaded, graph: RevisionGraph, rows: Iterable[str], keep: set[str]) -> list[Undo]:
    """The applied revisions `keep` lacks, newest first, each with its file's text; refuses an empty
    downgrade before anything runs."""
    from ahq_history.core.plan import applied_revisions

    applied = applied_revisions(graph, rows)
    undo = []
    for rev in reversed(graph.topological()):
        if rev in applied and rev not in keep:
            revision = graph.revisions[rev]
            undo.append(Undo(rev, tuple(graph.parents(rev)), loaded.source(revision) or "", revision.path))
    refuse_empty_downgrades(loaded.project, undo)
    return undo


def refuse_empty_downgrades(project: Project, undo: Sequence[Undo]) -> None:
    for item in undo:
        ops = read_operations(item.source)
        if ops.error is None and not ops.downgrade_empty:
            continue
        empty = "has no downgrade()" if ops.downgrade_line is None else "has an empty downgrade()"
        why = f"cannot be read ({ops.error})" if ops.error else empty
        stamp = _stamp_argv(project, item.parents[0] if item.parents else "base")
        raise RefusedError(
            f"revision {item.revision} ({item.path}) {why}: downgrading it would leave its changes in the "
            "database; nothing was changed",
            f"write its downgrade(), or, if the schema may keep its changes, record the move yourself with "
            f"`{command_line(stamp)}` and switch with git")


def _stamp_argv(project: Project, target: str) -> tuple[str, ...]:
    down = downgrade_argv(project.upgrade_argv, target, flask=project.layout == "flask-migrate")
    return tuple("stamp" if word == "downgrade" else word for word in down)


def downgrade_steps(project: Project, undo: Sequence[Undo], rows: Sequence[str], graph: RevisionGraph,
                    directory: Path | None = None, config: Path | None = None) -> list[Step]:
    """One downgrade per revision, to its (first) parent; `to` is where the database then stands."""
    from ahq_history.core.plan import applied_revisions

    applied = set(applied_revisions(graph, rows))
    steps = []
    for item in undo:
        applied.discard(item.revision)
        heads = sorted(rev for rev in applied if not any(c in applied for c in graph.children(rev)))
        target = item.parents[0] if item.parents else "base"
        argv = alembic_argv(project, "downgrade", target, directory=directory, config=config)
        steps.append(Step("downgrade", argv, "+".join(heads) or "base", str(project.root), item.revision))
    return steps


def upgrade_steps(project: Project, target: RevisionGraph, cwd: Path) -> list[Step]:
    """The upgrade to `target`'s head(s), or nothing when it has no revision."""
    heads = sorted(target.heads)
    if not heads:
        return []
    argv = alembic_argv(project, "upgrade", "heads" if len(heads) > 1 else "head")
    return [Step("upgrade", argv, "+".join(heads), str(cwd))]


def alembic_argv(project: Project, action: str, target: str, *, directory: Path | None = None,
                 config: Path | None = None) -> tuple[str, ...]:
    """The command for `action` (`upgrade`, `downgrade`) to `target`: the project's own command when it
    has one (Flask-Migrate, `upgrade-command`), else Alembic run by this interpreter with the ini.
    `directory` (Flask-Migrate) and `config` (Alembic) point at a temporary copy of the scripts."""
    flask = project.layout == "flask-migrate"
    if flask or project.upgrade_from_repository:
        if action == "downgrade":
            words = downgrade_argv(project.upgrade_argv, target, flask=flask)
        else:
            words = upgrade_argv(project.upgrade_argv, 2 if target == "heads" else 1)
        if directory is not None:
            at = words.index(action) + 1 if action in words else len(words)
            words = (*words[:at], "--directory", str(directory), *words[at:])
        return tuple(words)
    ini = config or (project.config_path if project.layout == "alembic-ini" else None)
    return (sys.executable, "-m", "alembic", *(("-c", str(ini)) if ini else ()), action, target)


def destructive_words(undo: Sequence[Undo]) -> tuple[str, ...]:
    """Each table or column a downgrade drops, and each data change it makes: `rev: drops column t.c`."""
    found = []
    for item in undo:
        for op in read_operations(item.source).downgrade:
            if op.kind in DESTRUCTIVE or op.effect == "data":
                found.append(f"{item.revision[:12]}: {describe(op)} (line {op.line})")
    return tuple(found)


def sqlite_file(url: DatabaseUrl, project: Project) -> Path | None:
    """The file of a SQLite database (to back up), None for a server or an in-memory database."""
    from ahq_history.db.sqlite import sqlite_path
    from ahq_history.db.url import parse_url

    parsed = parse_url(url.url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    return sqlite_path(parsed, project.root)
