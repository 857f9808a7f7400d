"""The detail pane: one revision's message, id, relations (click to jump), file, git, operations and code."""

from __future__ import annotations

import textwrap

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.markup import escape
from textual.widgets import Static

from ahq_history.core.graph import RevisionGraph
from ahq_history.report.detail import Detail, fact_rows, function_source, operation_lines

RELATIONS = ("parents", "children", "depends on", "needed by")


class DetailPane(VerticalScroll, can_focus=True):
    """Shows the `Detail` of the selected revision; ids of relatives are links to them."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-title")
        yield Static(id="detail-facts")
        yield Static(id="detail-operations")
        yield Static(id="detail-source")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple[Detail, RevisionGraph] | None = None

    def on_resize(self) -> None:
        if self._shown is not None:  # facts are wrapped to the width: wrap them again
            detail, graph = self._shown
            self._update_facts(detail, graph)

    def show(self, detail: Detail, graph: RevisionGraph) -> None:
        self._shown = (detail, graph)
        rev = detail.revision
        marks = f"  [$accent]{escape(', '.join(detail.marks))}[/]" if detail.marks else ""
        title = f"[b]{escape(rev.message or '(no message)')}[/b]\n[$warning]{rev.id}[/]{marks}"
        self.query_one("#detail-title", Static).update(Content.from_markup(title))
        self._update_facts(detail, graph)
        self.query_one("#detail-operations", Static).update(self._operations(detail))
        self.query_one("#detail-source", Static).update(self._source(detail))
        self.scroll_home(animate=False)

    def _update_facts(self, detail: Detail, graph: RevisionGraph) -> None:
        width = max(self.scrollable_content_region.width, 30)
        facts = Content.from_markup(facts_markup(detail, graph, width))
        self.query_one("#detail-facts", Static).update(facts)

    def clear(self, text: str = "") -> None:
        self._shown = None
        for static in self.query(Static):
            static.update("")
        self.query_one("#detail-title", Static).update(text)

    @staticmethod
    def _operations(detail: Detail) -> RenderableType:
        text = Text("\n")
        for line in operation_lines(detail.operations):
            style = "bold" if not line.startswith(" ") else ""
            text.append(line + "\n", style=style)
        return text

    @staticmethod
    def _source(detail: Detail) -> RenderableType:
        if detail.source is None:
            return Text("the file cannot be read", style="dim")
        parts: list[RenderableType] = []
        for name in ("upgrade", "downgrade"):
            found = function_source(detail.source, name)
            if found is None:
                continue
            first, code = found
            parts.append(Syntax(code, "python", line_numbers=True, start_line=first, theme="ansi_dark",
                                word_wrap=False, background_color="default"))
            parts.append(Text(""))
        return Group(*parts) if parts else Text("no upgrade() or downgrade() found", style="dim")


LABEL = 11  # width of the fact names column ("depends on" and a space)


def facts_markup(detail: Detail, graph: RevisionGraph, width: int) -> str:
    """Facts as `name  value` lines, values wrapped under themselves; relatives' ids are links."""
    lines = []
    relation = ""
    room = max(width - LABEL, 10)
    for name, value in fact_rows(detail, graph):
        relation = name or relation
        rid, _, rest = value.partition("  ")
        if relation in RELATIONS and rid in graph:
            words = escape(textwrap.shorten(rest, max(room - 14, 5), placeholder="…"))
            chunks = [f"[@click=screen.jump('{rid}')][u]{rid[:12]}[/u][/]  {words}"]
        else:
            chunks = [escape(c) for c in textwrap.wrap(value, room, break_on_hyphens=False)] or [""]
        lines.append(f"[dim]{name:<{LABEL}}[/]{chunks[0]}")
        lines += [" " * LABEL + chunk for chunk in chunks[1:]]
    return "\n".join(lines)
