"""The detail pane: one revision's message, id, relations (click to jump), file, git, operations and code."""

from __future__ import annotations

import re
import textwrap

from rich.console import Group, RenderableType
from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from ahq_history.core.display import clean
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

    def show(self, detail: Detail, graph: RevisionGraph, *, database_here: bool = False) -> None:
        """`database_here`: the database is at this revision (its alembic_version row)."""
        self._shown = (detail, graph)
        rev = detail.revision
        # Text from the file goes in as template values, never as markup: `[/]` in an id shows as written.
        marks = "  [$accent]$marks[/]" if detail.marks else ""
        here = "\n[b $success]$db[/]" if database_here else ""
        title = Content.from_markup(f"[b]$message[/b]\n[$warning]$id[/]{marks}{here}",
                                    message=clean(rev.message or "(no message)"), id=clean(rev.id),
                                    marks=", ".join(detail.marks),
                                    db="[db] the database is at this revision")
        self.query_one("#detail-title", Static).update(title)
        self._update_facts(detail, graph)
        self.query_one("#detail-operations", Static).update(self._operations(detail))
        self.query_one("#detail-source", Static).update(self._source(detail))
        self.scroll_home(animate=False)

    def _update_facts(self, detail: Detail, graph: RevisionGraph) -> None:
        width = max(self.scrollable_content_region.width, 30)
        facts = facts_content(detail, graph, width)
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
            text.append(clean(line) + "\n", style=style)
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
            parts.append(Syntax(clean(code, multiline=True), "python", line_numbers=True, start_line=first,
                                theme="ansi_dark",
                                word_wrap=False, background_color="default"))
            parts.append(Text(""))
        return Group(*parts) if parts else Text("no upgrade() or downgrade() found", style="dim")


LABEL = 11  # width of the fact names column ("depends on" and a space)


def facts_content(detail: Detail, graph: RevisionGraph, width: int) -> Content:
    """Facts as `name  value` lines, values wrapped under themselves; relatives' ids are links. Values are
    plain text (never markup) cleaned of escapes; a link carries `link_token(id)`, never the id itself."""
    lines: list[Content] = []
    relation = ""
    room = max(width - LABEL, 10)
    for name, value in fact_rows(detail, graph):
        relation = name or relation
        label = Content.styled(f"{name:<{LABEL}}", "dim")
        rid, _, rest = value.partition("  ")
        if relation in RELATIONS and rid in graph:
            link = Content.from_markup(f"[@click=screen.jump('{link_token(rid)}')][u]$rid[/u][/]",
                                       rid=clean(rid[:12]))
            words = textwrap.shorten(clean(rest), max(room - 14, 5), placeholder="…")
            lines.append(label + link + Content(f"  {words}"))
            continue
        chunks = textwrap.wrap(clean(value), room, break_on_hyphens=False) or [""]
        lines.append(label + Content(chunks[0]))
        lines += [Content(" " * LABEL + chunk) for chunk in chunks[1:]]
    return Content("\n").join(lines)


_PLAIN_ID = re.compile(r"[0-9A-Za-z_]+")


def link_token(revision: str) -> str:
    """What a detail link passes to `screen.jump`: the id when it is plain letters and digits, else its
    UTF-8 bytes in hex after `hex:` (an id is any string, and the action's argument is parsed)."""
    if _PLAIN_ID.fullmatch(revision):
        return revision
    return "hex:" + revision.encode("utf-8", "surrogatepass").hex()


def from_link_token(token: str) -> str:
    """The revision id a `link_token` stands for."""
    if token.startswith("hex:"):
        return bytes.fromhex(token[4:]).decode("utf-8", "surrogatepass")
    return token
