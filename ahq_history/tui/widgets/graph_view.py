"""The revision DAG as a virtualized list of lines: only the lines on screen are ever rendered.

A `ScrollView` with the Line API (`render_line`): 10,000 revisions cost one `Row` each in memory and
nothing at paint time beyond the visible lines, which are cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ahq_history.core.display import clean
from ahq_history.report.lanes import Row, graph_width, history_line, short
from ahq_history.tui.state import History

# What a line can show, left to right, for the help (`?`).
LEGEND: tuple[tuple[str, str], ...] = (
    ("✓", "applied: the database is at this revision or above it"),
    ("[db]", "the database is here: alembic_version holds this revision"),
    ("●", "a revision; the lines join it to its parents below it"),
    ("red id", "a head of a divergence: m merges, r re-parents"),
    ("(head)", "nothing builds on it yet"),
    ("(merge)", "a merge revision: it has two or more parents"),
    ("(branchpoint)", "two or more revisions build on it"),
    ("(base)", "it starts a history (marked when there are several)"),
    ("(missing-parent)", "it names a parent that no file defines"),
    ("label: NAME", "a branch label"),
    ("[depends on ID]", "depends_on: ID is applied before it"),
    ("published", "git: the commit that added it is on a remote branch"),
    ("local", "git: committed here, not pushed"),
    ("uncommitted", "git: the file is not committed yet"),
)


class GraphView(ScrollView, can_focus=True):
    """One line per revision: lanes, id, marks, message, author, date; a cursor selects one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "graph-view--cursor", "graph-view--diverged", "graph-view--applied", "graph-view--database",
    }

    cursor: reactive[int] = reactive(0, always_update=True, init=False)

    @dataclass
    class Selected(Message):
        """The cursor is on `revision` (None: nothing to show)."""

        revision: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.history: History | None = None
        self.rows: Sequence[Row] = ()
        self._index: dict[str, int] = {}
        self._lane_width = 0
        self._cache: LRUCache[tuple[int, int, bool], Strip] = LRUCache(512)

    # -- data -----------------------------------------------------------------------------------

    def show(self, history: History, rows: Sequence[Row], select: str | None = None) -> None:
        """Show `rows` of `history`; keep the cursor on `select` when it is among them."""
        self.history = history
        self.rows = rows
        self._index = {row.revision: i for i, row in enumerate(rows)}
        self._lane_width = graph_width(rows)
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(rows))
        self.cursor = self._index.get(select or "", 0) if rows else 0
        self.refresh()

    def refresh_facts(self, history: History) -> None:
        """Git or database facts arrived: same rows, new badges."""
        self.history = history
        self._cache.clear()
        self.refresh()

    @property
    def selected(self) -> str | None:
        return self.rows[self.cursor].revision if self.rows else None

    def select(self, revision: str) -> bool:
        """Move the cursor to `revision`; False when it is not shown (filtered out)."""
        index = self._index.get(revision)
        if index is None:
            return False
        self.cursor = index
        return True

    # -- cursor ---------------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self.scroll_to_region(Region(0, new, 1, 1), animate=False, immediate=True)
        self.post_message(self.Selected(self.selected))

    def _refresh_row(self, index: int) -> None:
        self.refresh(Region(0, index - int(self.scroll_y), self.size.width, 1))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    def on_click(self, event: events.Click) -> None:
        if self.rows:
            self.cursor = int(self.scroll_y) + event.y

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))
        self._cache.clear()

    # -- painting -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.size.width
        if index >= len(self.rows) or self.history is None:
            return Strip.blank(width, self.rich_style)
        key = (index, width, index == self.cursor)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._line(index, width)
            self._cache[key] = strip
        return strip.apply_offsets(0, index)

    def _line(self, index: int, width: int) -> Strip:
        assert self.history is not None
        row = self.rows[index]
        history = self.history
        text = Text(no_wrap=True, overflow="ellipsis", end="")
        text.append_text(self._applied_mark(row.revision))
        line = history_line(row, history.graph, graph_width=self._lane_width,
                            git=(history.git or {}).get(row.revision))
        start = max(len(row.graph), self._lane_width) + 1  # the id follows the lanes and a space
        if row.revision in history.diverged_heads:
            line.stylize(self.get_component_rich_style("graph-view--diverged"), start, start + 12)
        if row.revision in history.database_at:  # after the id, so the lanes stay lined up
            end = start + len(clean(short(row.revision)))  # as history_line writes it
            marker = Text(" [db]", style=self.get_component_rich_style("graph-view--database"))
            line = Text.assemble(line[:end], marker, line[end:], no_wrap=True, overflow="ellipsis", end="")
        text.append_text(line)
        text.truncate(width, overflow="ellipsis", pad=True)
        base = self.rich_style
        if index == self.cursor:
            base = base + self.get_component_rich_style("graph-view--cursor")
        text.stylize_before(base)
        segments = list(text.render(self.app.console))
        return Strip(Segment.apply_style(segments, post_style=Style()), width)

    def _applied_mark(self, revision: str) -> Text:
        applied = self.history.applied if self.history else None
        if applied is None:
            return Text("")
        if revision in applied:
            return Text("✓ ", style=self.get_component_rich_style("graph-view--applied"))
        return Text("  ")
