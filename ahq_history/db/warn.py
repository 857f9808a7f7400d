"""The hooks' database warning: a line or two when a branch switch or a pull leaves the database at a
revision this branch lacks, or behind it. Silent otherwise, and quick: an unreachable database is silent.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from ahq_history.config.project import Project
from ahq_history.core.advice import upgrade_argv
from ahq_history.core.display import clean
from ahq_history.core.errors import AhqError
from ahq_history.core.shell import FROM_REPOSITORY, command_line
from ahq_history.db.applied import name_database
from ahq_history.db.read import DatabaseUrl, read_version_rows, version_table_settings
from ahq_history.db.state import compare

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph

SHORT = 12
_DEFAULT_PORTS = {"postgresql": 5432, "postgres": 5432, "mysql": 3306, "mariadb": 3306}
_SHOWN = 3  # pending revisions named in the warning


@dataclass(frozen=True)
class DbWarning:
    """What to say, and the upgrade that would bring the database to the heads (None: none would, as when
    the branch has several heads or the database is at a revision it lacks)."""

    text: str
    upgrade: tuple[str, ...] | None = None


def database_warning(project: Project, graph: RevisionGraph, timeout: float = 1.0) -> str | None:
    """The warning to print after a branch switch, or None (no URL, no answer within `timeout`, nothing
    applied yet, or at the heads). Never searches git: `ahq-history status` does that."""
    found = warning_after(project, graph, "branch switch", timeout)
    return found.text if found else None


def warning_after(project: Project, graph: RevisionGraph, event: str,
                  timeout: float = 1.0) -> DbWarning | None:
    """The warning after `event` ("branch switch", "pull", "rebase"), as `database_warning` says."""
    applied = _applied(project, timeout)
    if not applied:  # no database named or answering, or never upgraded here: nothing to compare
        return None
    state = compare(graph, applied)
    if state.unknown:
        names = ", ".join(clean(u.revision) for u in state.unknown)
        return DbWarning(f"ahq-history: the database is at {names}, which this branch does not have.\n"
                         "  Run `ahq-history sync` to bring it back to this branch (`ahq-history status` "
                         "shows the branch that has it and the commands).")
    if not state.pending:
        return None
    count = len(state.pending)
    shown = ", ".join(_describe(graph, rev) for rev in state.pending[:_SHOWN])
    more = f" and {count - _SHOWN} more" if count > _SHOWN else ""
    plural = "s" if count != 1 else ""
    lead = (f"the database is behind this branch by {count} revision{plural}" if event == "branch switch"
            else f"database behind: {count} revision{plural} to apply after this {event}")
    if graph.diverged:  # `upgrade` fails on heads that are not joined: the advisor's words say how
        return DbWarning(f"ahq-history: {lead} ({shown}{more}), and the branch has {len(graph.heads)} "
                       "migration heads.\n  Run `ahq-history status` for what to run.")
    upgrade = upgrade_argv(project.upgrade_argv, len(graph.heads))  # labelled: `heads`
    marked = f"  {FROM_REPOSITORY}" if project.upgrade_from_repository else ""
    return DbWarning(f"ahq-history: {lead} ({shown}{more}).\n  Run: {command_line(upgrade)}{marked}", upgrade)


def _applied(project: Project, timeout: float) -> tuple[str, ...]:
    """The revisions in the version table of the database the tool can name; empty when there is none,
    it does not answer within `timeout`, or it holds none."""
    try:
        db_url = name_database(project).url  # the one env.py connects to, when the tool can name it
    except AhqError:
        return ()
    if db_url is None or not _answers(db_url, timeout):
        return ()
    table, schema = version_table_settings(project)
    try:
        rows = read_version_rows(db_url, project.root, timeout=timeout, version_table=table, schema=schema)
    except AhqError:
        return ()
    return tuple(rows.revisions)


def _describe(graph: RevisionGraph, rev: str) -> str:
    message = graph.revisions[rev].message
    return clean(f"{rev[:SHORT]} {message}" if message else rev[:SHORT])


def _answers(db_url: DatabaseUrl, timeout: float) -> bool:
    """A TCP connect within `timeout` for server URLs (drivers round timeouts up to whole seconds)."""
    try:
        parts = urlsplit(db_url.masked)  # a password holding `#` or `/` would end the host part early
        backend = parts.scheme.split("+", 1)[0]
        host, port = parts.hostname, parts.port or _DEFAULT_PORTS.get(backend)
    except ValueError:
        return False
    if backend == "sqlite" or not host or port is None:
        return True  # a file, a socket path, or a dialect we cannot probe: the read's own timeout applies
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False
