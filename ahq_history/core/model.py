"""Plain values shared by the scanner, the graph and every edge. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Revision:
    """One revision file as read statically (never executed).

    `path` is a POSIX path relative to the project root (`Project.root`), or relative to the repository
    root when the text came from a git tree. Lines are 1-based; None when the value was absent.
    """

    id: str
    parents: tuple[str, ...] = ()  # down_revision, in file order
    depends_on: tuple[str, ...] = ()  # ids or branch labels, as written
    branch_labels: tuple[str, ...] = ()
    message: str = ""  # first line of the module docstring
    create_date: str | None = None  # "Create Date:" line of the docstring, as written
    path: str = ""
    line: int | None = None  # line of `revision = ...`
    parents_line: int | None = None  # line of `down_revision = ...`
    labels_line: int | None = None
    depends_line: int | None = None
    revises_line: int | None = None  # line of "Revises:" in the docstring
    revises: tuple[str, ...] | None = None  # ids named by the "Revises:" docstring line, when present
    labels_unresolved: bool = False  # branch_labels names a value that could not be read statically


@dataclass(frozen=True)
class Problem:
    """Something wrong with the history. Every message names the revision id or the file at fault.

    kinds (stable, documented in docs/json.md): "unreadable" (exit 2: `config.scan.refuse_unreadable`),
    "encoding", "syntax", "conflict-markers",
    "missing-revision", "non-literal", "duplicate-id", "dangling-parent", "dangling-depends-on",
    "cycle", "duplicate-label", "duplicate-merge", plus kinds that later features add.
    """

    kind: str
    severity: Severity
    message: str
    path: str | None = None
    line: int | None = None
    revisions: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def as_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "revisions": list(self.revisions),
        }
