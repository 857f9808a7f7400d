"""The pure graph core, fed `Revision` values written inline (no files)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from ahq_history.core.errors import UsageError
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from tests.support.strategies import histories


def rev(rid: str, *parents: str, labels: tuple[str, ...] = (), depends: tuple[str, ...] = (),
        date: str | None = None) -> Revision:
    return Revision(id=rid, parents=parents, branch_labels=labels, depends_on=depends,
                    path=f"versions/{rid}.py", line=10, parents_line=11, create_date=date)


def diamond() -> RevisionGraph:
    return RevisionGraph([rev("a"), rev("b", "a"), rev("c", "a"), rev("d", "b", "c")])


def test_linear_history_has_one_head_and_one_base() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "b")])
    assert (graph.heads, graph.bases, graph.diverged) == (["c"], ["a"], False)


def test_diamond_has_branch_point_and_merge_point() -> None:
    graph = diamond()
    assert (graph.heads, graph.branchpoints, graph.mergepoints) == (["d"], ["a"], ["d"])
    assert graph.divergences == []


def test_fork_is_a_divergence_with_its_fork_and_sides() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c1", "b"), rev("c2", "c1"), rev("d", "b")])
    (div,) = graph.divergences
    assert div.forks == ("b",)
    assert {s.head: s.revisions for s in div.sides} == {"c2": ("c2", "c1"), "d": ("d",)}


def test_depends_on_does_not_remove_a_head() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("x", depends=("b",))])
    assert set(graph.heads) == {"b", "x"}
    assert graph.dependencies("x") == ["b"]
    assert graph.branchpoints == []


def test_depends_on_resolves_a_branch_label() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("x", depends=("core",))])
    assert graph.dependencies("x") == ["a"]
    assert graph.problems == []


def test_unlabelled_heads_without_shared_history_are_one_divergence() -> None:
    graph = RevisionGraph([rev("a"), rev("x")])
    (div,) = graph.divergences
    assert (set(div.heads), div.forks) == ({"a", "x"}, ())


def test_distinct_branch_labels_separate_heads() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("b", "a"), rev("x", labels=("audit",))])
    assert set(graph.heads) == {"b", "x"}
    assert graph.divergences == []


def test_heads_under_one_label_diverge() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("b", "a"), rev("c", "a")])
    (div,) = graph.divergences
    assert (div.labels, div.forks) == (("core",), ("a",))


def test_three_way_divergence_names_the_nearest_fork_all_heads_share() -> None:
    # c and d fork at b, e at a: b is no fork of e, and a (an ancestor of b) is the one all three share.
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "b"), rev("d", "b"), rev("e", "a")])
    (div,) = graph.divergences
    assert div.forks == ("a",)
    assert {s.head: s.revisions for s in div.sides} == {"c": ("c",), "d": ("d",), "e": ("e",)}


def test_criss_cross_heads_have_two_nearest_forks_neither_above_the_other() -> None:
    graph = RevisionGraph([rev("a"), rev("x", "a"), rev("y", "a"), rev("m1", "x", "y"), rev("m2", "y", "x"),
                           rev("h1", "m1"), rev("h2", "m2")])
    (div,) = graph.divergences
    assert div.forks == ("x", "y")


def test_duplicate_id_names_both_files() -> None:
    graph = RevisionGraph([rev("a"), Revision(id="a", path="versions/other.py", line=3)])
    (problem,) = graph.problems
    assert problem.kind == "duplicate-id"
    assert problem.message == "revision a is defined twice: in versions/a.py and in versions/other.py"
    assert graph.broken


def test_dangling_parent_names_file_line_and_missing_id() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "gone")])
    (problem,) = graph.problems
    assert (problem.kind, problem.path, problem.line) == ("dangling-parent", "versions/b.py", 11)
    assert problem.message == "revision b names down_revision gone, which no file defines"


def test_dangling_depends_on_is_an_error() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a", depends=("nowhere",))])
    (problem,) = graph.problems
    assert problem.kind == "dangling-depends-on"
    assert "nowhere" in problem.message


def test_cycle_names_its_revisions() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a", "c"), rev("c", "b")])
    (problem,) = graph.problems
    assert (problem.kind, problem.revisions) == ("cycle", ("b", "c"))
    assert problem.message == "revisions form a cycle: b -> c"
    assert graph.topological()[-2:] == ["b", "c"]


def test_duplicate_branch_label_is_an_error() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("b", labels=("core",))])
    (problem,) = graph.problems
    assert problem.kind == "duplicate-label"
    assert problem.message == "branch label 'core' of revision b is already used by revision a"


def test_two_merges_of_the_same_parents_are_a_duplicate_merge() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "a"), rev("m1", "b", "c"), rev("m2", "c", "b")])
    kinds = [p.kind for p in graph.problems]
    assert kinds == ["duplicate-merge"]
    assert len(graph.divergences) == 1


def test_newest_first_puts_children_before_parents() -> None:
    graph = RevisionGraph([rev("d", "b", "c"), rev("c", "a", date="2"), rev("b", "a", date="1"), rev("a")])
    assert graph.newest_first() == ["d", "c", "b", "a"]


def test_resolve_accepts_partial_ids_of_four_characters() -> None:
    graph = RevisionGraph([rev("abcd1234"), rev("abce5678", "abcd1234")])
    assert graph.resolve("abcd") == "abcd1234"
    with pytest.raises(UsageError) as raised:
        graph.resolve("abc")
    assert raised.value.hint == "a partial id needs at least four characters"


def test_resolve_refuses_an_ambiguous_partial_id() -> None:
    graph = RevisionGraph([rev("abcd1234"), rev("abcd5678")])
    with pytest.raises(UsageError, match="'abcd' matches several revisions: abcd1234, abcd5678"):
        graph.resolve("abcd")


def test_resolve_head_is_refused_when_heads_diverge() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "a")])
    with pytest.raises(UsageError, match="'head' is ambiguous: there are 2 heads"):
        graph.resolve("head")
    assert diamond().resolve("head") == "d"


def test_a_parent_named_twice_is_one_child_not_a_branch_point() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a", "a")])
    assert (graph.children("a"), graph.branchpoints, graph.mergepoints) == (["b"], [], ["b"])


def test_head_of_an_empty_history_says_there_are_no_revisions() -> None:
    with pytest.raises(UsageError) as raised:
        RevisionGraph([]).resolve("head")
    assert raised.value.message == "'head' names no revision: the history has no revisions yet"


def test_head_of_a_cycle_says_the_cycle_leaves_no_head() -> None:
    with pytest.raises(UsageError) as raised:
        RevisionGraph([rev("a", "b"), rev("b", "a")]).resolve("head")
    assert raised.value.message == "'head' names no revision: a cycle leaves no head to name"
    assert raised.value.hint == "`ahq-history check` names the cycle"


def test_resolve_revision_at_head_names_the_head_above_it_as_alembic_does() -> None:
    graph = RevisionGraph([rev("a"), rev("b1", "a"), rev("b2", "b1"), rev("c1", "a")])
    assert graph.resolve("b1@head") == "b2"
    assert graph.resolve("c1@head") == "c1"
    with pytest.raises(UsageError, match="'a@head' is ambiguous: there are 2 heads"):
        graph.resolve("a@head")


# -- agreement with Alembic's RevisionMap on generated graphs -------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_heads_bases_branchpoints_mergepoints_equal_alembic(revisions: list[Revision]) -> None:
    from alembic.script.revision import Revision as AlembicRevision
    from alembic.script.revision import RevisionMap

    def alembic_revisions() -> list[AlembicRevision]:
        return [AlembicRevision(r.id, r.parents or None, dependencies=r.depends_on or None,
                                branch_labels=r.branch_labels or None) for r in revisions]

    theirs = RevisionMap(alembic_revisions)
    theirs_by_id = {r.id: theirs.get_revision(r.id) for r in revisions}
    ours = RevisionGraph(revisions)
    assert set(ours.heads) == set(theirs.heads)
    assert set(ours.bases) == set(theirs.bases)
    assert set(ours.branchpoints) == {r for r, s in theirs_by_id.items() if s and s.is_branch_point}
    assert set(ours.mergepoints) == {r for r, s in theirs_by_id.items() if s and s.is_merge_point}
    assert not ours.broken
