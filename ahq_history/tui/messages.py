"""Messages that workers post to the screen: plain dataclasses carrying what the slow work found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from textual.message import Message

from ahq_history.report.detail import Detail
from ahq_history.report.lanes import GitColumns
from ahq_history.tui.state import History


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


@dataclass
class DetailReady(Message):
    detail: Detail


@dataclass
class FilesChanged(Message):
    """A revision file was added, removed or edited since the last load."""
