"""The pure comparison of database rows with the revision graph: Revision values inline, no disk."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from ahq_history.db.state import compare, downgrade_command, shared_revision, steps_back


def rev(rid: str, *parents: str, depends_on: tuple[str, ...] = (), labels: tuple[str, ...] = ()) -> Revision:
    return Revision(id=rid, parents=parents, depends_on=depends_on, branch_labels=labels, path=f"{rid}.py")


def graph(*revisions: Revision) -> RevisionGraph:
    return RevisionGraph(revisions)


LINE = graph(rev("a"), rev("b", "a"), rev("c", "b"))


def test_database_at_the_head_is_at_heads_with_nothing_pending() -> None:
    state = compare(LINE, ["c"])
    assert (state.at_heads, state.pending, state.state, state.unknown) == (True, (), "at-heads", ())


def test_database_behind_lists_what_to_apply_base_first() -> None:
    state = compare(LINE, ["a"])
    assert state.pending == ("b", "c")
    assert (state.at_heads, state.state) == (False, "behind")


def test_empty_database_has_every_revision_pending() -> None:
    assert compare(LINE, []).pending == ("a", "b", "c")


def test_empty_history_and_empty_database_are_at_heads() -> None:
    state = compare(graph(), [])
    assert (state.at_heads, state.state) == (True, "at-heads")


def test_rows_are_sorted_and_deduplicated() -> None:
    assert compare(LINE, ["c", "c"]).current == ("c",)


def test_several_rows_at_labelled_heads_are_at_heads() -> None:
    g = graph(rev("a", labels=("core",)), rev("x", labels=("audit",)), rev("b", "a"), rev("y", "x"))
    state = compare(g, ["y", "b"])
    assert (state.multiple_rows, state.at_heads, state.current) == (True, True, ("b", "y"))


def test_one_applied_branch_leaves_the_other_branch_pending() -> None:
    g = graph(rev("a"), rev("b", "a"), rev("c", "a"))
    state = compare(g, ["b"])
    assert (state.pending, state.state) == (("c",), "behind")


def test_depends_on_counts_as_applied_like_alembic() -> None:
    g = graph(rev("a", labels=("core",)), rev("x", labels=("audit",)), rev("y", "x", depends_on=("a",)))
    assert compare(g, ["y"]).pending == ()


def test_unknown_revision_without_git_facts_is_unknown_and_not_found() -> None:
    state = compare(LINE, ["zzz"])
    assert state.state == "unknown"
    assert [(u.revision, u.found, u.shared, u.ahead) for u in state.unknown] == [("zzz", False, None, False)]
    assert state.pending == ("a", "b", "c")


def test_unknown_revision_on_top_of_our_head_is_ahead() -> None:
    there = graph(rev("a"), rev("b", "a"), rev("c", "b"), rev("x", "c"))
    state = compare(LINE, ["x"], {"x": there})
    assert [(u.shared, u.ahead) for u in state.unknown] == [("c", True)]
    assert (state.state, state.ahead, state.pending) == ("ahead", ("x",), ())


def test_unknown_revision_from_a_fork_shares_the_fork_and_leaves_our_side_pending() -> None:
    there = graph(rev("a"), rev("b", "a"), rev("x", "b"), rev("y", "x"))
    state = compare(LINE, ["y"], {"y": there})
    assert [(u.revision, u.found, u.shared, u.ahead) for u in state.unknown] == [("y", True, "b", False)]
    assert (state.state, state.ahead, state.pending) == ("unknown", (), ("c",))


def test_unknown_revision_with_no_shared_history_goes_back_to_base() -> None:
    there = graph(rev("p"), rev("q", "p"))
    state = compare(LINE, ["q"], {"q": there})
    assert [(u.shared, u.ahead) for u in state.unknown] == [(None, False)]
    assert state.pending == ("a", "b", "c")


def test_known_and_unknown_rows_together() -> None:
    g = graph(rev("a", labels=("core",)), rev("b", "a"), rev("x", labels=("audit",)))
    there = graph(rev("x", labels=("audit",)), rev("y", "x"))
    state = compare(g, ["b", "y"], {"y": there})
    assert (state.multiple_rows, state.state, state.pending) == (True, "unknown", ())
    assert state.unknown[0].shared == "x"


def test_shared_revision_is_the_newest_common_ancestor_not_the_nearest_by_steps() -> None:
    # y merges a known revision (a) and a chain (k -> x1 -> x2) whose base k is newer than a.
    here = graph(rev("a"), rev("k", "a"))
    there = graph(rev("a"), rev("k", "a"), rev("x1", "k"), rev("x2", "x1"), rev("y", "x2", "a"))
    assert shared_revision(here, there, "y") == "k"


def test_shared_revision_of_a_merge_of_two_known_branches_is_the_latest_here() -> None:
    here = graph(rev("a"), rev("b", "a"), rev("c", "a"))
    there = graph(rev("a"), rev("b", "a"), rev("c", "a"), rev("m", "b", "c"))
    assert shared_revision(here, there, "m") == max(("b", "c"), key=here.topological().index)


def test_downgrade_command_replaces_the_trailing_upgrade() -> None:
    assert downgrade_command("flask --app backend.run db upgrade", "abc") == (
        "flask --app backend.run db downgrade abc"
    )
    assert downgrade_command("alembic -c db/alembic.ini upgrade heads", "abc") == (
        "alembic -c db/alembic.ini downgrade abc"
    )


def test_downgrade_command_without_an_upgrade_word_falls_back_to_the_tool() -> None:
    assert downgrade_command("make migrate", "abc") == "alembic downgrade abc"
    assert downgrade_command("make migrate", "abc", flask=True) == "flask db downgrade abc"


def test_steps_back_check_out_downgrade_return_upgrade() -> None:
    assert steps_back("feature/audit", "b", upgrade_command="alembic upgrade head", return_to="main") == (
        "git checkout feature/audit",
        "alembic downgrade b",
        "git checkout main",
        "alembic upgrade head",
    )


def test_steps_back_quote_branch_names_the_shell_would_split() -> None:
    steps = steps_back("fix/it's", "b", upgrade_command="alembic upgrade head", return_to="main&co")
    assert (steps[0], steps[2]) == ("git checkout 'fix/it'\"'\"'s'", "git checkout 'main&co'")


def test_steps_back_without_shared_revision_go_to_base() -> None:
    steps = steps_back("origin/x", None, upgrade_command="flask db upgrade", return_to="main", flask=True)
    assert steps[1] == "flask db downgrade base"


@st.composite
def history_and_rows(draw: st.DrawFn) -> tuple[RevisionGraph, list[str]]:
    """A history of random shape (each revision picks parents among earlier ones) and some applied rows."""
    size = draw(st.integers(min_value=1, max_value=12))
    revisions = [rev("r0")]
    for i in range(1, size):
        parents = draw(st.sets(st.integers(min_value=0, max_value=i - 1), min_size=1, max_size=2))
        revisions.append(rev(f"r{i}", *(f"r{p}" for p in sorted(parents))))
    rows = draw(st.lists(st.sampled_from([r.id for r in revisions]), max_size=3))
    return RevisionGraph(revisions), rows


@settings(deadline=None, max_examples=60)
@given(history_and_rows())
def test_pending_is_exactly_the_unapplied_rest_in_an_order_an_upgrade_can_follow(
    case: tuple[RevisionGraph, list[str]],
) -> None:
    g, rows = case
    pending = compare(g, rows).pending
    done = set(rows)
    for r in rows:
        done |= g.ancestors(r)
    assert set(pending) == set(g.revisions) - done
    for r in pending:  # each revision's parents are applied before it
        assert set(g.parents(r)) <= done, (r, pending)
        done.add(r)


@settings(deadline=None, max_examples=80)
@given(history_and_rows(), st.data())
def test_shared_revision_is_the_newest_of_the_shared_ancestors(
    case: tuple[RevisionGraph, list[str]], data: st.DataObject
) -> None:
    there, _rows = case
    ids = sorted(there.revisions)
    unknown = data.draw(st.sampled_from(ids))
    kept = data.draw(st.sets(st.sampled_from(ids)))
    here = RevisionGraph(r for r in there.revisions.values() if r.id in kept and r.id != unknown)
    shared = {r for r in there.ancestors(unknown) if r in here.revisions}
    newest = {r for r in shared if not any(r in there.ancestors(other) for other in shared)}
    order = here.topological()
    expected = max(newest, key=order.index) if newest else None
    assert shared_revision(here, there, unknown) == expected
