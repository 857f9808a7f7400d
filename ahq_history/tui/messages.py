"""Messages that workers post to the screen: plain dataclasses carrying what the slow work found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from ahq_history.report.detail import Detail
from ahq_history.report.lanes import GitColumns
from ahq_history.tui.state import History
from ahq_history.write.steprun import Outcome
from ahq_history.write.switch import Plan


@dataclass
class HistoryLoaded(Message):
    """The project was scanned and laid out (`reloaded`: it replaces an earlier load)."""

    history: History
    reloaded: bool = False


@dataclass
class GitLoaded(Message):
    """Provenance per revision, or None with a note saying why git cannot tell."""

    git: Mapping[str, GitColumns] | None
    note: str | None


@dataclass
class DatabaseLoaded(Message):
    """The revisions the configured database has applied, or None with a note."""

    applied: frozenset[str] | None
    note: str | None
    at: tuple[str, ...] = ()  # the revision(s) in alembic_version: where the database is


@dataclass
class BranchesLoaded(Message):
    """The local branches `switch` can go to, and the checked-out one (None: HEAD is detached)."""

    branches: list[str]
    current: str | None


@dataclass
class PlanReady(Message):
    """A `switch` or `sync` plan, computed and not run."""

    plan: Plan


@dataclass
class PlanProgress(Message):
    """A step of the plan started (its words, as `switch` prints them)."""

    text: str


@dataclass
class PlanRan(Message):
    """The plan ran: how it ended."""

    outcome: Outcome


@dataclass
class DetailReady(Message):
    detail: Detail


@dataclass
class FilesChanged(Message):
    """A revision file was added, removed or edited since the last load."""


@dataclass(frozen=True)
class ProjectRow:
    """One project of the repository as the project list (`P`) shows it; a figure is None until it is
    known, or when it cannot be (then `note` says why)."""

    shown: str  # its configuration, relative to the top of the work tree
    config: Path
    revisions: int | None = None  # revision files, counted without reading them
    heads: int | None = None
    diverged: bool | None = None
    note: str | None = None


@dataclass
class ProjectsSummarized(Message):
    """The projects of the repository, each with what is known of it so far."""

    rows: tuple[ProjectRow, ...]
