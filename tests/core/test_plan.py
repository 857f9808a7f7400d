"""The pure planner of `merge-heads`, fed `Revision` values and facts written inline (no files)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ahq_history.core.errors import RefusedError, UsageError
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from ahq_history.core.plan import (
    MergeStep,
    Move,
    RebaseStep,
    applied_revisions,
    default_message,
    make_plan,
    merge_order,
)


def rev(rid: str, *parents: str, labels: tuple[str, ...] = (), message: str = "",
        date: str | None = None) -> Revision:
    return Revision(id=rid, parents=parents, branch_labels=labels, message=message or f"add {rid}",
                    path=f"versions/{rid}.py", line=10, parents_line=11, create_date=date)


def story() -> RevisionGraph:
    """Alice's `alice` and Bob's `bob` both build on `base`."""
    return RevisionGraph([rev("base"), rev("alice", "base", message="add users.phone"),
                          rev("bob", "base", message="add audit log")])


ALICE_PUSHED = {"base": True, "alice": True, "bob": False}


def test_one_head_means_nothing_to_do() -> None:
    plan = make_plan(RevisionGraph([rev("a"), rev("b", "a")]))
    assert plan.nothing_to_do
    assert plan.heads == ("b",)


def test_merge_step_joins_both_heads_with_default_message() -> None:
    (step,) = make_plan(story()).steps
    assert step == MergeStep(heads=("alice", "bob"), parents=("alice", "bob"),
                             message="merge add users.phone and add audit log")


def test_merge_order_puts_published_sides_first() -> None:
    assert merge_order(["alice", "bob"], {"bob": True, "alice": False}) == ("bob", "alice")


def test_merge_order_without_publication_is_by_id() -> None:
    assert merge_order(["zed", "abc", "mid"], {}) == ("abc", "mid", "zed")


def test_message_option_overrides_default() -> None:
    (step,) = make_plan(story(), message="join the two").steps
    assert step.message == "join the two"


def test_default_message_of_three_heads_lists_them() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a"), rev("c", "a"), rev("d", "a", message=" ")])
    assert default_message(graph, ("b", "c", "d")) == "merge add b, add c and d"


def test_default_message_shortens_long_messages() -> None:
    graph = RevisionGraph([rev("a"), rev("b", "a", message="x" * 60), rev("c", "a")])
    assert default_message(graph, ("b", "c")) == f"merge {'x' * 37}... and add c"


def test_distinct_labelled_branches_are_not_merged() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("b", "a"), rev("x", labels=("audit",))])
    assert make_plan(graph).nothing_to_do


def test_labelled_branches_are_merged_when_named() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("b", "a"), rev("x", labels=("audit",))])
    (step,) = make_plan(graph, named=["audit@head", "b"]).steps
    assert isinstance(step, MergeStep)
    assert step.parents == ("b", "x")


def test_named_non_head_is_refused_with_alembics_meaning() -> None:
    graph = RevisionGraph([rev("base1"), rev("mid1", "base1"), rev("top1", "mid1"), rev("oth1", "base1")])
    with pytest.raises(RefusedError) as caught:
        make_plan(graph, named=["mid1", "oth1"])
    assert caught.value.message == (
        "mid1 is not a head: revision top1 already builds on it. Alembic merges heads only; joining mid1 "
        "would start a new branch from the middle of the history (what `alembic merge --splice` does), "
        "and `upgrade head` would then fail on two heads")
    assert caught.value.hint == "name the head of its branch instead: top1"


def test_naming_a_single_head_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="name two or more heads"):
        make_plan(story(), named=["alice"])


def test_unknown_name_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="no revision or branch label 'nope'"):
        make_plan(story(), named=["nope", "alice"])


def test_each_divergence_gets_its_own_merge() -> None:
    graph = RevisionGraph([
        rev("a", labels=("core",)), rev("b", "a"), rev("c", "a"),
        rev("x", labels=("audit",)), rev("y", "x"), rev("z", "x"),
    ])
    steps = make_plan(graph).steps
    assert {(s.labels, s.parents) for s in steps if isinstance(s, MergeStep)} == {
        (("core",), ("b", "c")), (("audit",), ("y", "z"))}


# -- rebase --------------------------------------------------------------------------------------


def test_rebase_moves_the_local_side_onto_the_published_head() -> None:
    (step,) = make_plan(story(), mode="rebase", published=ALICE_PUSHED, applied=frozenset()).steps
    assert step == RebaseStep(heads=("alice", "bob"), onto="alice", new_head="bob",
                              moves=(Move("bob", "versions/bob.py", "base", "alice", ("bob",)),))


def test_rebase_moves_a_chain_by_its_oldest_revision() -> None:
    graph = RevisionGraph([rev("base"), rev("alice", "base"), rev("b1", "base"), rev("b2", "b1")])
    facts = {"base": True, "alice": True, "b1": False, "b2": False}
    (step,) = make_plan(graph, mode="rebase", published=facts).steps
    assert isinstance(step, RebaseStep)
    assert step.moves == (Move("b1", "versions/b1.py", "base", "alice", ("b2", "b1")),)
    assert step.new_head == "b2"


def test_rebase_stacks_several_local_sides_oldest_first() -> None:
    graph = RevisionGraph([rev("base"), rev("pub", "base"),
                           rev("late", "base", date="2026-01-03"), rev("early", "base", date="2026-01-02")])
    facts = {"base": True, "pub": True, "late": False, "early": False}
    (step,) = make_plan(graph, mode="rebase", published=facts).steps
    assert isinstance(step, RebaseStep)
    assert [(m.revision, m.new_parent) for m in step.moves] == [("early", "pub"), ("late", "early")]
    assert step.new_head == "late"


def test_rebase_refuses_when_publication_is_unknown() -> None:
    plan = make_plan(story(), mode="rebase", published={})
    (refusal,) = plan.refusals
    assert refusal.reasons == (
        "whether alice, bob were pushed is unknown (no remote-tracking branch, or no git repository); "
        "name the head to move: ahq-history merge-heads --rebase REV, REV one of alice bob",)


def test_rebase_refuses_when_every_side_is_published() -> None:
    (refusal,) = make_plan(story(), mode="rebase", published=dict.fromkeys(("base", "alice", "bob"), True)
                           ).refusals
    assert refusal.reasons == ("alice and bob are both published: others may have them already; only a "
                               "merge revision can join published sides: ahq-history merge-heads",)


def test_rebase_refuses_when_no_side_is_published() -> None:
    (refusal,) = make_plan(story(), mode="rebase", published={"base": True, "alice": False, "bob": False}
                           ).refusals
    assert refusal.reasons == ("no side is published (alice bob are both local); name the head to move: "
                               "ahq-history merge-heads --rebase REV, REV one of alice bob",)


def test_rebase_refuses_a_side_applied_to_the_database() -> None:
    graph = story()
    plan = make_plan(graph, mode="rebase", published=ALICE_PUSHED, applied=applied_revisions(graph, ["bob"]))
    (refusal,) = plan.refusals
    assert refusal.reasons == (
        "bob is applied to the database: moving it would leave the database on a history that no longer "
        "exists; downgrade the database to base first, or use a merge revision: ahq-history merge-heads",)


def test_named_rebase_moves_the_named_head_when_publication_is_unknown() -> None:
    (step,) = make_plan(story(), mode="rebase", named=["bob"], published={}).steps
    assert isinstance(step, RebaseStep)
    assert (step.onto, step.moves[0].revision) == ("alice", "bob")


def test_named_rebase_refuses_a_published_revision() -> None:
    (refusal,) = make_plan(story(), mode="rebase", named=["alice"], published=ALICE_PUSHED).refusals
    assert refusal.reasons == (
        "alice is published (a remote-tracking branch has it): others may have applied it, so its parent "
        "must not change; use a merge revision: ahq-history merge-heads",)


def test_named_rebase_of_a_non_divergent_head_is_a_usage_error() -> None:
    graph = RevisionGraph([rev("a", labels=("core",)), rev("x", labels=("audit",))])
    with pytest.raises(UsageError, match="not the head of a side of a divergence"):
        make_plan(graph, mode="rebase", named=["x"])


def test_rebase_refuses_to_move_a_local_merge() -> None:
    graph = RevisionGraph([rev("base"), rev("a", "base"), rev("pub", "a"), rev("m", "base", "a")])
    facts = {"base": True, "a": True, "pub": True, "m": False}
    (refusal,) = make_plan(graph, mode="rebase", published=facts).refusals
    assert refusal.reasons == ("m merges base, a: re-parenting a merge would drop one of its parents; "
                               "use a merge revision: ahq-history merge-heads",)


def test_rebase_refuses_to_give_a_base_a_parent() -> None:
    graph = RevisionGraph([rev("base"), rev("pub", "base"), rev("island")])
    facts = {"base": True, "pub": True, "island": False}
    (refusal,) = make_plan(graph, mode="rebase", published=facts).refusals
    assert refusal.reasons == ("island is a base (down_revision = None): giving it a parent would change "
                               "what it is; use a merge revision: ahq-history merge-heads",)


def test_rebase_refuses_when_a_fork_is_local_to_the_moved_sides() -> None:
    # Bob has two local heads on his own local `l`: moving them would leave `l` as a new head.
    graph = RevisionGraph([rev("f"), rev("pub", "f"), rev("l", "f"), rev("b1", "l"), rev("c1", "l")])
    facts = {"f": True, "pub": True, "l": False, "b1": False, "c1": False}
    (refusal,) = make_plan(graph, mode="rebase", published=facts).refusals
    assert "b1 builds on l, which pub does not contain" in refusal.reasons[0]


def test_applied_revisions_are_rows_and_their_ancestors() -> None:
    graph = story()
    assert applied_revisions(graph, ["alice", "gone"]) == {"base", "alice"}


# -- properties ----------------------------------------------------------------------------------


@st.composite
def forks(draw: st.DrawFn) -> tuple[RevisionGraph, dict[str, bool]]:
    """A published trunk and 1-3 published or local chains growing from points on it."""
    trunk = [f"t{i}" for i in range(draw(st.integers(1, 4)))]
    revisions = [rev(trunk[0])] + [rev(t, p) for p, t in itertools.pairwise(trunk)]
    facts = dict.fromkeys(trunk, True)
    for n in range(draw(st.integers(1, 3))):
        parent = draw(st.sampled_from(trunk[:-1] or trunk))
        for i in range(draw(st.integers(1, 3))):
            rid = f"s{n}r{i}"
            revisions.append(rev(rid, parent))
            facts[rid] = draw(st.booleans())
            parent = rid
    return RevisionGraph(revisions), facts


@settings(deadline=None, max_examples=60)
@given(forks())
def test_merge_plan_parents_are_exactly_the_heads(case: tuple[RevisionGraph, dict[str, bool]]) -> None:
    graph, facts = case
    plan = make_plan(graph, published=facts)
    joined = sorted(h for s in plan.steps for h in s.heads)
    assert joined == sorted(h for d in graph.divergences for h in d.heads)
    for step in plan.steps:
        assert isinstance(step, MergeStep)
        assert sorted(step.parents) == sorted(step.heads)


@settings(deadline=None, max_examples=60)
@given(forks())
def test_rebase_plan_applied_leaves_one_head(case: tuple[RevisionGraph, dict[str, bool]]) -> None:
    graph, facts = case
    plan = make_plan(graph, mode="rebase", published=facts)
    for step in plan.steps:
        assert isinstance(step, RebaseStep)
        moved = {m.revision: m.new_parent for m in step.moves}
        after = RevisionGraph(
            rev(r.id, *((moved[r.id],) if r.id in moved else r.parents)) for r in graph.revisions.values())
        assert after.heads == [step.new_head]
        assert all(facts[m.revision] is False for m in step.moves)
