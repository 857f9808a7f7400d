"""The database's standing against this checkout, with the way back for revisions only git still has.

Joins the edges: `database` (the rows), `dbstate` (the pure comparison) and `gitsearch` (where an unknown
revision lives). The CLI (`status`, `merge-heads --rebase`), the hooks (`dbwarn`) and the TUI call these
functions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.config.project import Project
from ahq_history.core.errors import AhqError, UnreachableError
from ahq_history.core.shell import command_line
from ahq_history.db.applied import read_named_rows
from ahq_history.db.read import DEFAULT_TIMEOUT, NoDatabaseUrl, VersionRows
from ahq_history.db.state import DbState, compare, steps_back_argv
from ahq_history.git.search import GitSighting

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph

NOT_FOUND_NOTE = (
    "no branch, remote-tracking branch, deleted file or reflog entry in git defines it: it may live in a "
    "teammate's unpushed branch (run `git fetch --all` and try again)"
)


@dataclass(frozen=True)
class Applied:
    """What the project's database has applied, or why that is not known.

    No URL configured: everything None. No answer: `error` says why. Read: `rows`, `source` and
    `revisions` (the rows and all their ancestors in this checkout).
    """

    revisions: frozenset[str] | None = None
    rows: VersionRows | None = None
    source: str | None = None  # where the URL came from
    error: UnreachableError | None = None

    @property
    def configured(self) -> bool:
        return self.rows is not None or self.error is not None


def read_applied(
    project: Project, graph: RevisionGraph, *, database_url: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> Applied:
    """The revisions the project's database has applied (read as `status` reads it), for the applied
    marks and for refusing to re-parent what a database already ran.

    Raises ConfigError for a URL that cannot be used (bad form, driver not installed)."""
    from ahq_history.core.plan import applied_revisions

    try:
        db_url, rows = read_named_rows(project, database_url=database_url, timeout=timeout)
    except NoDatabaseUrl:  # no database the tool can name (db/applied.py): nothing to mark
        return Applied()
    except UnreachableError as error:
        return Applied(error=error)
    return Applied(applied_revisions(graph, rows.revisions), rows, db_url.source)


@dataclass(frozen=True)
class UnknownReport:
    """An unknown database revision: where git has it, the revision both histories share, the way back."""

    revision: str
    sightings: tuple[GitSighting, ...]  # best first (`gitsearch.find_revision_in_git`)
    shared: str | None
    ahead: bool
    steps: tuple[str, ...]  # `steps_argv` rendered as shell lines; empty when git does not have it
    note: str | None = None
    steps_argv: tuple[tuple[str, ...], ...] = ()  # each step's words


@dataclass(frozen=True)
class StatusReport:
    rows: VersionRows
    source: str  # where the URL came from
    state: DbState
    unknown: tuple[UnknownReport, ...]
    branch: str | None  # checked-out branch (or commit); None outside git
    upgrade_command: str
    detached: bool = False  # `branch` is a commit: HEAD is detached


def database_status(
    project: Project, graph: RevisionGraph, rows: VersionRows, source: str, *, search_git: bool = True
) -> StatusReport:
    """Compare `rows` with `graph`; for each unknown revision, search git and work out the way back.

    With `search_git` false, git is not asked anything (`branch` is None).
    """
    missing = [rev for rev in rows.revisions if rev not in graph.revisions]
    found: dict[str, tuple[GitSighting, ...]] = {}
    elsewhere: dict[str, RevisionGraph] = {}
    notes: dict[str, str] = {}
    branch = top = None
    detached = False
    if search_git:
        try:
            top, branch, found, elsewhere = _search(project, missing)
            detached = _detached(top)
        except AhqError as error:  # no git, not a repository: the report still stands without it
            notes = dict.fromkeys(missing, f"git was not searched: {error.message}")
    state = compare(graph, rows.revisions, elsewhere)
    unknown = tuple(
        _unknown_report(project, item.revision, found.get(item.revision, ()), item.shared, item.ahead,
                        branch, notes.get(item.revision) or (None if not search_git else NOT_FOUND_NOTE), top)
        for item in state.unknown
    )
    return StatusReport(rows, source, state, unknown, branch, project.upgrade_command, detached)


def _detached(top: Path) -> bool:
    from ahq_history.git import search as gitsearch

    return gitsearch.head_detached(top)


def _search(
    project: Project, missing: list[str]
) -> tuple[Path, str, dict[str, tuple[GitSighting, ...]], dict[str, RevisionGraph]]:
    from ahq_history.git import search as gitsearch

    top = gitsearch.toplevel(project.root)
    branch = gitsearch.current_branch(top)
    folders = version_folders(project, top)
    found: dict[str, tuple[GitSighting, ...]] = {}
    elsewhere: dict[str, RevisionGraph] = {}
    trees: dict[str, RevisionGraph] = {}  # commit -> graph, shared by revisions found in one tree
    for revision in missing:
        sightings = tuple(gitsearch.find_revision_in_git(top, revision, folders, recursive=project.recursive))
        if not sightings:
            continue
        found[revision] = sightings
        commit = sightings[0].commit
        if commit not in trees:
            trees[commit] = gitsearch.history_at(top, commit, folders, recursive=project.recursive)
        elsewhere[revision] = trees[commit]
    return top, branch, found, elsewhere


def version_folders(project: Project, top: Path) -> list[str]:
    """The project's version folders relative to the repository root (those inside it)."""
    folders = []
    for location in project.version_locations:
        try:
            folders.append(location.resolve().relative_to(top.resolve()).as_posix())
        except ValueError:
            continue
    return folders


def _unknown_report(
    project: Project, revision: str, sightings: tuple[GitSighting, ...], shared: str | None, ahead: bool,
    branch: str | None, note: str | None, top: Path | None,
) -> UnknownReport:
    if not sightings or branch is None or top is None:
        return UnknownReport(revision, sightings, shared, ahead, (), note)
    best = sightings[0]
    if best.ref == branch:
        # Committed on this very branch, yet missing from the work tree: bring the file back. The steps run
        # in the project folder (as its upgrade command does), so the path is taken from there.
        path = Path(os.path.relpath(top.resolve() / best.path, project.root.resolve())).as_posix()
        step = ("git", "checkout", "HEAD", "--", path)
        return UnknownReport(revision, sightings, shared, ahead, (command_line(step),),
                             f"the file {path} is committed on {branch} but missing from the work tree",
                             (step,))
    steps = steps_back_argv(best.checkout, shared, upgrade=project.upgrade_argv, return_to=branch,
                            flask=project.layout == "flask-migrate")
    return UnknownReport(revision, sightings, shared, ahead, tuple(map(command_line, steps)),
                         _reflog_note(best), steps)


def _reflog_note(best: GitSighting) -> str | None:
    """When only the reflog has the revision, say so: git expires such entries, and then `gc` drops the
    commits (30 days by default, `gc.reflogExpireUnreachable`)."""
    if best.kind != "reflog":
        return None
    keep = ("git", "branch", best.branch_was or f"keep/{best.revision}", best.commit[:12])
    return ("no branch holds it any more; the only trace is git's reflog, whose entries for such commits "
            f"expire (30 days by default): `{command_line(keep)}` keeps it")
