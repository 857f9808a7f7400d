"""The revision DAG laid out as lanes, newest first, and its text and JSON faces (shared by CLI and TUI).

Layout decisions (documented in docs/json.md too):
- One row per revision, no connector rows: every connection a row needs starts at its node, so it fits
  in that row with box-drawing glyphs (`●─╮` a merge opening a lane, `●─╯` lanes converging into a
  branch point, `┤`/`├`/`┼` a merge joining a lane that is already waiting for that parent).
  One line per revision keeps the TUI's cursor index equal to the row index.
- A lane stays in its column until it ends (no diagonal shifting); a free column is reused. The first
  parent continues in the revision's own column, even when another lane already waits for it: two long
  sides of a fork are drawn as two parallel lanes that meet at the fork.
- A column in which lanes converge is not reused in the same row, so `┤` always means "joins a lane that
  continues", never "one lane ends and another starts".
- A vertical lane crossed by a horizontal connection is drawn `│` (it does not connect); `┼` is a join.
- `depends_on` is not drawn as a lane (it would cross everything); rows carry it and renderers name it.
- Parents that are not displayed (dangling, filtered out, or drawn above because of a cycle) get no lane.

Pure: imports the graph and Rich only; `lanes` is O(rows x width).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from ahq_history.core.display import clean
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.text import SHORT

if TYPE_CHECKING:
    from rich.text import Text

    from ahq_history.core.reconcile import Provenance


NODE = "●"
Mark = Literal["head", "merge", "branchpoint", "base", "missing-parent"]

# Box-drawing glyph -> ASCII fallback, for terminals that cannot show Unicode.
_ASCII = str.maketrans({"●": "*", "│": "|", "─": "-", "╮": "\\", "╭": "/", "╯": "/", "╰": "\\",
                        "┬": "+", "┴": "+", "┼": "+", "┤": "+", "├": "+"})


@dataclass(frozen=True)
class Row:
    """One revision's line of the drawing.

    `cells` holds two characters per column: the column's glyph and the spacer to its right (`─` where a
    connection passes). `column` is where the revision's node is.
    """

    revision: str
    column: int
    cells: tuple[str, ...]
    parents: tuple[str, ...]  # down_revision entries as written (a dangling one included)
    depends_on: tuple[str, ...]  # resolved depends_on targets
    marks: tuple[Mark, ...]

    @property
    def graph(self) -> str:
        """The glyphs of this row, trailing blanks removed."""
        return "".join(self.cells).rstrip()

    @property
    def width(self) -> int:
        return len(self.cells)


@dataclass(frozen=True)
class GitColumns:
    """What a history line shows from git (see `git_columns`, which fills it from reconcile's provenance)."""

    author: str | None = None
    date: str | None = None  # already formatted for display (YYYY-MM-DD)
    published: bool | None = None  # None: unknown (no remote, or outside git)
    commit: str | None = None
    committed: bool = True  # False for an uncommitted or untracked revision file
    refs: tuple[str, ...] = ()
    json: dict[str, object] | None = field(default=None, compare=False)  # the JSON as `check` gives it


def git_columns(found: Mapping[str, Provenance]) -> dict[str, GitColumns]:
    """Display columns per revision from reconcile's provenance (who added the file, when, published)."""
    columns = {}
    for rid, prov in found.items():
        added = prov.added
        columns[rid] = GitColumns(
            author=added.author if added else None,
            date=added.date[:10] if added and added.date else None,
            published=prov.published,
            commit=added.sha if added else None,
            committed=prov.state != "uncommitted",
            refs=prov.refs,
            json=prov.as_json(),
        )
    return columns


# -- layout -------------------------------------------------------------------------------------


def lanes(graph: RevisionGraph, order: Sequence[str] | None = None) -> list[Row]:
    """Lay out `order` (default: every revision, newest first) as rows of lane glyphs.

    `order` must list children before parents for the lanes to be drawn; a parent listed above its
    child (a cycle) or not listed at all (a filter) simply gets no lane.
    """
    shown = list(graph.newest_first() if order is None else order)
    position = {rid: i for i, rid in enumerate(shown)}
    layout = _Layout()
    rows = []
    for index, rid in enumerate(shown):
        rev = graph.revisions[rid]
        below = [p for p in dict.fromkeys(rev.parents) if position.get(p, -1) > index]
        column, cells = layout.place(rid, below)
        rows.append(Row(revision=rid, column=column, cells=cells, parents=rev.parents,
                        depends_on=tuple(graph.dependencies(rid)) if rev.depends_on else (),
                        marks=revision_marks(graph, rid)))
    return rows


def revision_marks(graph: RevisionGraph, revision_id: str) -> tuple[Mark, ...]:
    """head / merge / branchpoint / base / missing-parent, by the graph's own definitions (computed
    here from parents and children: asking `graph.heads` would sort the whole graph once more)."""
    rev = graph.revisions[revision_id]
    children = len(graph.children(revision_id))
    marks: list[Mark] = []
    if not children:
        marks.append("head")
    if len(rev.parents) > 1:
        marks.append("merge")
    if children > 1:
        marks.append("branchpoint")
    if not rev.parents:
        marks.append("base")
    if any(p not in graph for p in rev.parents):
        marks.append("missing-parent")
    return tuple(marks)


class _Layout:
    """The lanes open between two rows: `slots[c]` is the revision the lane in column c waits for."""

    def __init__(self) -> None:
        self.slots: list[str | None] = []
        # The column of the previous row's node when its lane ended there: a new lane does not start
        # in it, or an unrelated revision would look like that node's child.
        self.ended: set[int] = set()

    def place(self, rid: str, parents: Sequence[str]) -> tuple[int, tuple[str, ...]]:
        above = list(self.slots)
        waiting = [c for c, target in enumerate(above) if target == rid]
        column = waiting[0] if waiting else self._free_column(self.ended)
        converge = set(waiting[1:])
        for c in waiting:
            self.slots[c] = None
        joins: set[int] = set()
        opened: set[int] = set()
        if parents:
            self.slots[column] = parents[0]
        for parent in parents[1:]:
            existing = next((c for c, t in enumerate(self.slots) if t == parent and c != column), None)
            if existing is not None:
                joins.add(existing)
                continue
            new = self._free_column(converge | {column}, after=column)
            self.slots[new] = parent
            opened.add(new)
        cells = self._cells(column, above, converge, joins, opened)
        self.ended = set() if parents else {column}
        while self.slots and self.slots[-1] is None:
            self.slots.pop()
        return column, cells

    def _free_column(self, taken: set[int], after: int = -1) -> int:
        """The first free column right of `after` that is not `taken`, widening the drawing if needed."""
        c = after + 1
        while c in taken or (c < len(self.slots) and self.slots[c] is not None):
            c += 1
        self.slots.extend([None] * (c + 1 - len(self.slots)))
        return c

    def _cells(self, node: int, above: list[str | None], converge: set[int], joins: set[int],
               opened: set[int]) -> tuple[str, ...]:
        width = max(len(above), len(self.slots), node + 1)
        linked = converge | joins | opened
        low = min(linked | {node})
        high = max(linked | {node})
        cells = []
        for c in range(width):
            glyph = self._glyph(c, node, above, converge, joins, opened, low, high)
            spacer = "─" if low <= c < high else " "
            cells.append(glyph + spacer)
        return tuple(cells)

    def _glyph(self, c: int, node: int, above: list[str | None], converge: set[int], joins: set[int],
               opened: set[int], low: int, high: int) -> str:
        if c == node:
            return NODE
        end = c in (low, high)
        right = c > node
        if c in converge:
            return ("╯" if right else "╰") if end else "┴"
        if c in opened:
            return ("╮" if right else "╭") if end else "┬"
        if c in joins:
            return ("┤" if right else "├") if end else "┼"
        passing = c < len(above) and above[c] is not None
        if passing:
            return "│"
        return "─" if low < c < high else " "


# -- text ---------------------------------------------------------------------------------------


def short(revision_id: str) -> str:
    return revision_id[:SHORT]


def marks_text(row: Row, graph: RevisionGraph) -> str:
    """`head, merge, label: expand` style decorations (empty when there are none)."""
    words: list[str] = [m for m in row.marks if m != "base" or len(graph.bases) > 1]
    words += [f"label: {label}" for label in graph.revisions[row.revision].branch_labels]
    return ", ".join(words)


def history_line(row: Row, graph: RevisionGraph, *, graph_width: int,
                 git: GitColumns | None = None, ascii_only: bool = False) -> Text:
    """One line of `history`: lanes, short id, marks, message, then author, date and publication."""
    from rich.text import Text

    glyphs = row.graph.ljust(graph_width)
    if ascii_only:
        glyphs = glyphs.translate(_ASCII)
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(glyphs, style="magenta")
    line.append(" ")
    line.append(clean(short(row.revision)), style="yellow")
    decorations = clean(marks_text(row, graph))
    if decorations:
        line.append(" (")
        line.append(decorations, style="bold cyan" if "head" in row.marks else "cyan")
        line.append(")")
    line.append(" ")
    line.append(clean(graph.revisions[row.revision].message or "(no message)"))
    if row.depends_on:
        line.append(f" [depends on {clean(', '.join(short(d) for d in row.depends_on))}]", style="dim")
    if git is not None:
        line.append_text(git_suffix(git))
    return line


def git_suffix(git: GitColumns) -> Text:
    """` · Alice · 2026-01-02 · published` (only what is known)."""
    from rich.text import Text

    suffix = Text()
    for value, style in ((git.author, "green"), (git.date, "blue")):
        if value:
            suffix.append(" · ", style="dim")
            suffix.append(clean(value), style=style)
    state = publication(git)
    if state:
        suffix.append(" · ", style="dim")
        suffix.append(state, style="bold red" if state != "published" else "dim green")
    return suffix


def publication(git: GitColumns) -> str | None:
    if not git.committed:
        return "uncommitted"
    if git.published is None:
        return None
    return "published" if git.published else "local"


MAX_PADDED_WIDTH = 24  # wider lanes push their own line's text right instead of every line's


def graph_width(rows: Iterable[Row]) -> int:
    """The width lanes are padded to, so that ids line up (capped: one wide spot moves only itself)."""
    return min(max((len(r.graph) for r in rows), default=0), MAX_PADDED_WIDTH)


def history_text(rows: Sequence[Row], graph: RevisionGraph,
                 git: Mapping[str, GitColumns] | None = None, *, ascii_only: bool = False) -> list[Text]:
    """Every history line, lanes padded to the same width so ids line up."""
    width = graph_width(rows)
    return [history_line(row, graph, graph_width=width, git=(git or {}).get(row.revision),
                         ascii_only=ascii_only) for row in rows]


# -- JSON ---------------------------------------------------------------------------------------


def git_json(git: GitColumns | None) -> dict[str, object] | None:
    """The `git` object of a revision: reconcile's provenance JSON (as in `check`), or the columns."""
    if git is None:
        return None
    if git.json is not None:
        return git.json
    return {"commit": git.commit, "author": git.author, "date": git.date, "published": git.published,
            "refs": list(git.refs), "state": "committed" if git.committed else "uncommitted"}


def row_json(row: Row, graph: RevisionGraph, git: GitColumns | None = None) -> dict[str, object]:
    """One revision of `history --json`, in display order."""
    rev = graph.revisions[row.revision]
    return {
        "id": row.revision,
        "parents": list(row.parents),
        "depends_on": list(row.depends_on),
        "branch_labels": list(rev.branch_labels),
        "marks": list(row.marks),
        "column": row.column,
        "graph": row.graph,
        "message": rev.message,
        "create_date": rev.create_date,
        "path": rev.path,
        "line": rev.line,
        "git": git_json(git),
    }


def history_json(rows: Sequence[Row], graph: RevisionGraph,
                 git: Mapping[str, GitColumns] | None = None) -> list[dict[str, object]]:
    return [row_json(row, graph, (git or {}).get(row.revision)) for row in rows]
