"""One way to go from a project to its graph, shared by every command and the TUI."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.config.pending import refuse_unfinished
from ahq_history.config.project import Project, find_project
from ahq_history.config.safefile import read_regular_file
from ahq_history.config.scan import refuse_unreadable, scan_project
from ahq_history.core.model import Problem, Revision
from ahq_history.core.source import ScanResult, decode_source, scan_text

if TYPE_CHECKING:
    from ahq_history.core.graph import RevisionGraph


@dataclass(frozen=True)
class Loaded:
    project: Project
    scan: ScanResult
    graph: RevisionGraph  # networkx is imported only when a graph is built
    # Text of revision files that do not come from the work tree (e.g. a ref's side of `check --against`),
    # by Revision.path; every other file is read from the work tree.
    texts: Mapping[str, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[Problem]:
        """File problems first, then graph problems.

        A parent that only looks missing because its own file could not be read (conflict markers, say)
        is not reported again against its innocent children: the file's problem is the one to fix.
        """
        unread = self._unread_texts()
        graph_problems = [p for p in self.graph.problems
                          if not (p.kind == "dangling-parent" and any(p.revisions[-1] in t for t in unread))]
        return [*self.project.problems, *self.scan.problems, *graph_problems]

    def _unread_texts(self) -> list[str]:
        read = {r.path for r in self.scan.revisions}
        paths = {p.path for p in self.scan.problems if p.is_error and p.path and p.path not in read}
        texts = (self.texts.get(path) or _read(self.project.root / path) for path in sorted(paths))
        return [text for text in texts if text]

    @property
    def broken(self) -> bool:
        return any(p.is_error for p in self.problems)

    def source(self, revision: Revision) -> str | None:
        """The text of a revision's file, None when it cannot be read."""
        if revision.path in self.texts:
            return self.texts[revision.path]
        return _read(self.project.root / revision.path)

    def body_problems(self, revision_ids: Iterable[str]) -> list[Problem]:
        """Syntax problems in the bodies of these revisions' files, where the text came from git.

        The work tree's files are all parsed by the scanner; a git tree (`check --against`) is read
        header-only, so the revisions a person is about to merge are parsed here."""
        known = {(p.kind, p.path, p.line) for p in self.scan.problems}
        found: list[Problem] = []
        for revision_id in dict.fromkeys(revision_ids):
            revision = self.graph.revisions.get(revision_id)
            if revision is None or revision.path not in self.texts:
                continue
            _, problems = scan_text(self.texts[revision.path], revision.path, check_syntax=True)
            found.extend(p for p in problems if p.kind == "syntax" and (p.kind, p.path, p.line) not in known)
        return found


def _read(path: Path) -> str | None:
    """The file's text decoded as the scanner (and Python) decode it: a UTF-8 BOM or a PEP 263 coding
    line is honoured, so a file the scanner read is never refused or misparsed here. Newlines are
    universal, as `read_text` gives them."""
    try:
        data = read_regular_file(str(path))
    except OSError:
        return None
    text, _problem = decode_source(data, path.name)
    if text is None or "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def load(config: str | Path | None = None, start: Path | None = None, *,
         project: Project | None = None, exec_unresolved: bool = False) -> Loaded:
    """Find the project (unless given), scan its revision files and build the graph.

    Raises BrokenGraphError (exit 3) when an interrupted write left its files half written
    (`pending.refuse_unfinished`): the write commands finish or undo it before they load; ConfigError
    (exit 2) when a revision file cannot be read (`scan.refuse_unreadable`). `exec_unresolved` runs the
    revision files whose values cannot be read statically (the command line's `--exec-unresolved`)."""
    from ahq_history.core.graph import RevisionGraph

    if project is None:
        project = find_project(start=start, config=Path(config) if config else None)
    refuse_unfinished(project.root)
    scanned = scan_project(project, exec_unresolved=exec_unresolved)
    refuse_unreadable(scanned)
    return Loaded(project=project, scan=scanned, graph=RevisionGraph(scanned.revisions))
