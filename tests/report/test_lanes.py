"""The lane layout and its text and JSON faces, from `Revision` values written inline (no disk)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from ahq_history.report.lanes import (
    NODE,
    GitColumns,
    history_json,
    history_line,
    history_text,
    lanes,
)


def rev(rid: str, *parents: str, **fields: object) -> Revision:
    return Revision(id=rid, parents=parents, message=f"message {rid}", **fields)  # type: ignore[arg-type]


def draw(*revisions: Revision, order: list[str] | None = None) -> str:
    graph = RevisionGraph(revisions)
    rows = lanes(graph, order)
    width = max(len(r.graph) for r in rows)
    return "\n".join(f"{r.graph.ljust(width)} {r.revision}".rstrip() for r in rows)


def test_linear_history_is_one_lane_newest_first() -> None:
    assert draw(rev("a"), rev("b", "a"), rev("c", "b")) == "● c\n● b\n● a"


def test_diamond_opens_a_lane_at_the_merge_and_closes_it_at_the_fork() -> None:
    drawn = draw(rev("a"), rev("b", "a"), rev("c", "a"), rev("m", "b", "c"))
    assert drawn == (
        "●─╮ m\n"
        "│ ● c\n"
        "● │ b\n"
        "●─╯ a"
    )


def test_three_way_merge_opens_two_lanes_in_one_row() -> None:
    drawn = draw(rev("a"), rev("b", "a"), rev("c", "a"), rev("d", "a"), rev("m", "b", "c", "d"))
    assert drawn == (
        "●─┬─╮ m\n"
        "│ │ ● d\n"
        "│ ● │ c\n"
        "● │ │ b\n"
        "●─┴─╯ a"
    )


def test_several_bases_do_not_look_connected() -> None:
    # x ends a lane in column 0; the unrelated head c must not start right under it.
    drawn = draw(rev("a"), rev("b", "a"), rev("c", "a"), rev("x"), rev("y", "x"))
    assert drawn == (
        "●   y\n"
        "●   x\n"
        "  ● c\n"
        "● │ b\n"
        "●─╯ a"
    )


def test_fork_with_long_sides_keeps_two_parallel_lanes_until_the_fork() -> None:
    drawn = draw(rev("a"), rev("b1", "a"), rev("b2", "b1"), rev("b3", "b2"), rev("c1", "a"), rev("c2", "c1"))
    assert drawn == (
        "●   c2\n"
        "●   c1\n"
        "│ ● b3\n"
        "│ ● b2\n"
        "│ ● b1\n"
        "●─╯ a"
    )


def test_merge_joins_a_lane_already_waiting_for_its_parent() -> None:
    # n merges m and c while the lane of m's second parent d is open: n's c lane is opened past it,
    # and the crossing of an unrelated lane is drawn as a plain vertical bar.
    drawn = draw(rev("a"), rev("b", "a"), rev("c", "a"), rev("d", "a"), rev("m", "b", "d"),
                 rev("n", "m", "c"))
    assert drawn == (
        "●─╮   n\n"
        "●─│─╮ m\n"
        "│ │ ● d\n"
        "│ ● │ c\n"
        "● │ │ b\n"
        "●─┴─╯ a"
    )


def test_merge_of_a_fork_and_its_side_converges_twice() -> None:
    drawn = draw(rev("a"), rev("b", "a"), rev("c", "b"), rev("d", "a"), rev("m", "c", "b"))
    assert drawn == (
        "●─╮   m\n"
        "│ │ ● d\n"
        "● │ │ c\n"
        "●─╯ │ b\n"
        "●───╯ a"
    )


def test_second_parent_with_an_open_lane_is_joined_not_reopened() -> None:
    revisions = [rev("a"), rev("b", "a"), rev("x", "a"), rev("y", "a"), rev("c", "b"), rev("m", "y", "b")]
    assert draw(*revisions[:3], revisions[4], rev("m", "x", "b"), order=["c", "m", "x", "b", "a"]) == (
        "●   c\n"
        "├─● m\n"
        "│ ● x\n"
        "● │ b\n"
        "●─╯ a"
    )
    assert draw(*revisions, order=["c", "x", "m", "y", "b", "a"]) == (
        "●     c\n"
        "│ ●   x\n"
        "├─│─● m\n"
        "│ │ ● y\n"
        "● │ │ b\n"
        "●─┴─╯ a"
    )


def test_filtered_order_draws_lanes_only_between_shown_revisions() -> None:
    revisions = [rev("a"), rev("b", "a"), rev("c", "a"), rev("m", "b", "c")]
    assert draw(*revisions, order=["m", "c", "a"]) == "● m\n● c\n● a"
    assert draw(*revisions, order=["c", "b"]) == "●   c\n  ● b"


def test_cycle_and_dangling_parent_still_draw_every_revision() -> None:
    graph = RevisionGraph([rev("a", "b"), rev("b", "a"), rev("c", "gone")])
    rows = lanes(graph)
    assert sorted(r.revision for r in rows) == ["a", "b", "c"]
    assert [r.marks for r in rows if r.revision == "c"] == [("head", "missing-parent")]


def test_marks_name_head_merge_branchpoint_and_base() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "a"), rev("m", "b", "c")])
    assert {r.revision: r.marks for r in lanes(graph)} == {
        "m": ("head", "merge"), "c": (), "b": (), "a": ("branchpoint", "base"),
    }


def test_history_line_shows_id_marks_message_and_git_columns() -> None:
    graph = RevisionGraph([rev("1a2b3c4d5e6f7a8b"), rev("2b3c4d5e6f7a8b9c", "1a2b3c4d5e6f7a8b",
                                                        branch_labels=("expand",))])
    rows = lanes(graph)
    git = GitColumns(author="Alice", date="2026-01-02", published=False)
    line = history_line(rows[0], graph, graph_width=1, git=git)
    assert line.plain == ("● 2b3c4d5e6f7a (head, label: expand) message 2b3c4d5e6f7a8b9c"
                          " · Alice · 2026-01-02 · local")
    assert history_line(rows[1], graph, graph_width=1).plain == "● 1a2b3c4d5e6f message 1a2b3c4d5e6f7a8b"


def test_history_line_names_depends_on_and_uncommitted_files() -> None:
    graph = RevisionGraph([rev("aaaa"), rev("bbbb"), rev("cccc", "bbbb", depends_on=("aaaa",))])
    row = lanes(graph)[0]
    line = history_line(row, graph, graph_width=1, git=GitColumns(committed=False))
    assert line.plain == "● cccc (head) message cccc [depends on aaaa] · uncommitted"


def test_ascii_fallback_replaces_box_drawing() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "a"), rev("m", "b", "c")])
    assert [t.plain for t in history_text(lanes(graph), graph, ascii_only=True)] == [
        "*-\\ m (head, merge) message m",
        "| * c message c",
        "* | b message b",
        "*-/ a (branchpoint) message a",
    ]


def test_history_json_lists_revisions_in_display_order_with_lanes() -> None:
    graph = RevisionGraph([rev("a", path="versions/a.py", line=3), rev("b", "a")])
    payload = history_json(lanes(graph), graph, {"b": GitColumns(author="Bob", commit="abc", published=True)})
    assert [r["id"] for r in payload] == ["b", "a"]
    assert payload[1] == {
        "id": "a", "parents": [], "depends_on": [], "branch_labels": [], "marks": ["base"], "column": 0,
        "graph": "●", "message": "message a", "create_date": None, "path": "versions/a.py", "line": 3,
        "git": None,
    }
    assert payload[0]["git"] == {"commit": "abc", "author": "Bob", "date": None, "published": True,
                                 "refs": [], "state": "committed"}


def test_ten_thousand_revisions_lay_out_in_few_lanes() -> None:
    revisions = [rev("r0")]
    for i in range(1, 10_000):
        if i % 50 == 0:  # a two-sided fork every 50 revisions, merged 10 revisions later
            revisions.append(rev(f"r{i}", f"r{i - 10}", f"r{i - 1}"))
        elif i % 50 == 45:
            revisions.append(rev(f"r{i}", f"r{i - 6}"))
        else:
            revisions.append(rev(f"r{i}", f"r{i - 1}"))
    rows = lanes(RevisionGraph(revisions))
    assert len(rows) == 10_000
    assert max(r.width for r in rows) <= 3


# -- the drawing is faithful: read the edges back from the glyphs -------------------------------

UP = set("│●╯╰┴┤├┼")
DOWN = set("│●╮╭┬┤├┼")


def read_edges(rows: list) -> set[tuple[str, str]]:  # type: ignore[type-arg]
    """Trace lanes through the glyphs as a reader would, returning (child, parent) pairs."""
    edges: set[tuple[str, str]] = set()
    carried: dict[int, set[str]] = {}
    previous = ""
    for row in rows:
        glyphs = [cell[0] for cell in row.cells]
        incoming = {c: carried.get(c, set()) for c, g in enumerate(glyphs)
                    if g in UP and c * 2 < len(previous) and previous[c * 2] in DOWN}
        carried = {}
        for c, g in enumerate(glyphs):
            sources = incoming.get(c, set())
            if c == row.column or g in "╯╰┴":
                edges.update((child, row.revision) for child in sources)
            if c == row.column:
                carried[c] = {row.revision}
            elif g in "┤├┼":
                carried[c] = sources | {row.revision}
            elif g in "╮╭┬":
                carried[c] = {row.revision}
            elif g == "│":
                carried[c] = sources
        previous = "".join(row.cells)
    return edges


@st.composite
def dags(draw_: st.DrawFn) -> list[Revision]:
    count = draw_(st.integers(min_value=1, max_value=30))
    revisions = []
    for i in range(count):
        if i == 0:
            parents: list[int] = []
        else:
            parents = draw_(st.lists(st.integers(min_value=max(0, i - 8), max_value=i - 1),
                                     max_size=3, unique=True))
        revisions.append(rev(f"r{i:02d}", *(f"r{p:02d}" for p in parents)))
    return revisions


@settings(deadline=None, max_examples=300)
@given(dags())
def test_every_parent_edge_can_be_read_back_from_the_glyphs(revisions: list[Revision]) -> None:
    graph = RevisionGraph(revisions)
    rows = lanes(graph)
    assert all(r.cells[r.column][0] == NODE and "".join(r.cells).count(NODE) == 1 for r in rows)
    expected = {(r.id, p) for r in revisions for p in r.parents}
    assert read_edges(rows) == expected
