"""Source text of revision files -> `Revision` values, with `ast`, never executing them (stdlib only).

Contract used by every other module (the helper building scanning fills in the bodies):
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ahq_history.model import Problem, Revision
from ahq_history.project import Project


@dataclass(frozen=True)
class ScanResult:
    revisions: tuple[Revision, ...]
    problems: tuple[Problem, ...]  # warnings and errors about files (not about the graph)


def scan_text(text: str, path: str) -> tuple[Revision | None, list[Problem]]:
    """Read one revision file's text. `path` is only used in the values and messages."""
    raise NotImplementedError


def revision_files(project: Project) -> list[Path]:
    """The files Alembic would load, in a stable order (same file-name filter, `__pycache__` skipped)."""
    raise NotImplementedError


def scan_texts(items: Iterable[tuple[str, str]]) -> ScanResult:
    """Scan (path, text) pairs: the one loader shared by the work tree and git trees."""
    raise NotImplementedError


def scan_project(project: Project) -> ScanResult:
    """Scan the work tree's revision files of `project` (paths relative to `project.root`)."""
    raise NotImplementedError
