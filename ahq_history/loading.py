"""One way to go from a project to its graph, shared by every command and the TUI."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.model import Problem, Revision
from ahq_history.project import Project, find_project
from ahq_history.scan import ScanResult, scan_project

if TYPE_CHECKING:
    from ahq_history.graph import RevisionGraph


@dataclass(frozen=True)
class Loaded:
    project: Project
    scan: ScanResult
    graph: RevisionGraph  # networkx is imported only when a graph is built

    @property
    def problems(self) -> list[Problem]:
        """File problems first, then graph problems."""
        return [*self.scan.problems, *self.graph.problems]

    @property
    def broken(self) -> bool:
        return any(p.is_error for p in self.problems)

    def source(self, revision: Revision) -> str | None:
        """The text of a revision's file in the work tree, None when it cannot be read."""
        try:
            return (self.project.root / revision.path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None


def load(config: str | Path | None = None, start: Path | None = None) -> Loaded:
    """Find the project, scan its revision files and build the graph."""
    from ahq_history.graph import RevisionGraph

    project = find_project(start=start, config=Path(config) if config else None)
    scanned = scan_project(project)
    return Loaded(project=project, scan=scanned, graph=RevisionGraph(scanned.revisions))


