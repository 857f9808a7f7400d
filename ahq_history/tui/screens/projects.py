"""The project list (`P`), offered when the repository holds several Alembic projects and none was named:
the command line asks for `-c`, the TUI cannot ask, so it covers every one, as the git hooks do.

Each line is a configuration, its number of revision files and whether its heads have diverged. Counting
the files only lists folders, so the counts come first; whether a project has diverged needs its revision
files read, so that follows in the same worker. Enter opens the chosen project.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ahq_history.core.display import clean
from ahq_history.core.errors import AhqError
from ahq_history.tui.host import host
from ahq_history.tui.messages import ProjectRow, ProjectsSummarized


class ProjectsScreen(ModalScreen[Path | None]):
    """Choose one of `projects` (`(shown, configuration)`); `current` is the one on screen."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, projects: Sequence[tuple[str, Path]], current: Path | None) -> None:
        super().__init__()
        self.rows = tuple(ProjectRow(shown, config) for shown, config in projects)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Open which project?", id="dialog-title", markup=False)
            yield OptionList(*self._options(), id="pick-list", markup=False)
            yield Static("Enter opens it · Escape goes back", id="dialog-hint", markup=False)

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = next((i for i, row in enumerate(self.rows) if row.config == self.current), 0)
        options.focus()
        rows = self.rows

        def work() -> None:
            counted = tuple(count_revisions(row) for row in rows)
            self.post_message(ProjectsSummarized(counted))
            self.post_message(ProjectsSummarized(tuple(read_heads(row) for row in counted)))

        host(self.app).background(work, "projects")

    def on_projects_summarized(self, message: ProjectsSummarized) -> None:
        self.rows = message.rows
        options = self.query_one(OptionList)
        for index, option in enumerate(self._options()):
            options.replace_option_prompt_at_index(index, option.prompt)

    def _options(self) -> list[Option]:
        width = max((len(row.shown) for row in self.rows), default=0)
        return [Option(clean(row_text(row, width, current=row.config == self.current)), id=str(row.config))
                for row in self.rows]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        chosen = self.rows[event.option_index].config
        self.dismiss(None if chosen == self.current else chosen)

    def action_cancel(self) -> None:
        self.dismiss(None)


def count_revisions(row: ProjectRow) -> ProjectRow:
    """`row` with its revision files counted (folders listed, no file read)."""
    from ahq_history.config.project import find_project
    from ahq_history.config.scan import revision_file_names

    try:
        return dataclasses.replace(row, revisions=len(revision_file_names(find_project(config=row.config))))
    except AhqError as error:  # its folder cannot be listed: the line says so, the others still count
        return dataclasses.replace(row, note=error.message)


def read_heads(row: ProjectRow) -> ProjectRow:
    """`row` with its heads and whether they have diverged, from its revision files read as `check` reads
    them; a project that cannot be read keeps its count and says why."""
    from ahq_history.config.loading import load

    if row.note is not None:
        return row
    try:
        graph = load(row.config).graph
    except AhqError as error:
        return dataclasses.replace(row, note=error.message)
    return dataclasses.replace(row, heads=len(graph.heads), diverged=bool(graph.divergences))


def row_text(row: ProjectRow, width: int, *, current: bool = False) -> str:
    """`worker/alembic.ini  3 revisions  2 heads, diverged`; `(open)` marks the project on screen."""
    parts = [f"{row.shown:<{width}}"]
    if row.revisions is not None:
        parts.append(f"{row.revisions:>3} revision{'' if row.revisions == 1 else 's'}")
    if row.heads is not None:
        heads = f"{row.heads} head{'' if row.heads == 1 else 's'}"
        parts.append(f"{heads}, diverged" if row.diverged else heads)
    if row.note is not None:
        parts.append(f"cannot be read: {row.note}")
    elif row.revisions is None or row.heads is None:
        parts.append("…")
    return "  ".join(parts) + ("  (open)" if current else "")
