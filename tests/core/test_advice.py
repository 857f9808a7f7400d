"""advice.py: the one advisor, on facts written inline (no disk, no git, no database)."""

from __future__ import annotations

from ahq_history.core.advice import (
    DivergenceFacts,
    SideFacts,
    advise,
    after_merge,
    after_rebase,
    upgrade_argv,
)
from ahq_history.core.applied import NOT_READ, AppliedState

NOTHING = AppliedState.read(frozenset(), "database sqlite:///app.db (DATABASE_URL): nothing applied")
BOB_APPLIED = AppliedState.read(frozenset({"base", "bob"}), "database sqlite:///app.db (DATABASE_URL): "
                                "applied: bob")
UNKNOWN = AppliedState.unknown("env.py takes its connection from the application (current_app)")
PHONE = "both sides add column users.phone"


def story(alice: bool | None = True, bob: bool | None = False, *, conflicts: tuple[str, ...] = (),
          labels: tuple[str, ...] = ()) -> DivergenceFacts:
    """Alice's side and Bob's side of a fork; `alice` / `bob`: published, local or unknown."""
    return DivergenceFacts(heads=("alice", "bob"), labels=labels, conflicts=conflicts,
                           sides=(SideFacts("alice", ("alice",), alice), SideFacts("bob", ("bob",), bob)))


def test_a_local_side_no_database_applied_is_rebased() -> None:
    advised = advise(story(), NOTHING)
    assert (advised.action, advised.argv) == ("rebase", ("ahq-history", "merge-heads", "--rebase"))
    assert "applied to no database (database sqlite:///app.db" in advised.reason


def test_a_local_side_a_database_applied_is_merged_never_rebased() -> None:
    advised = advise(story(), BOB_APPLIED)
    assert (advised.action, advised.argv) == ("merge", ("ahq-history", "merge-heads"))
    assert advised.reason.startswith("bob is applied to the database (database sqlite:///app.db")


def test_a_local_side_whose_applied_state_is_unknown_is_merged() -> None:
    advised = advise(story(), UNKNOWN)
    assert advised.argv == ("ahq-history", "merge-heads")
    assert "whether a database has applied it is unknown (env.py takes its connection from the application" \
        in advised.reason


def test_a_face_that_did_not_read_the_database_never_advises_rebase() -> None:
    assert advise(story(), NOT_READ).action == "merge"


def test_both_sides_published_are_merged() -> None:
    advised = advise(story(bob=True), NOTHING)
    assert advised.argv == ("ahq-history", "merge-heads")
    assert advised.reason.startswith("alice and bob are published")


def test_no_side_published_is_merged() -> None:
    assert advise(story(alice=False), NOTHING).reason.startswith("no side is published yet")


def test_unknown_publication_is_merged() -> None:
    assert advise(story(alice=None), NOTHING).reason.startswith("whether alice was pushed is unknown")


def test_a_conflict_is_named_and_the_command_says_allow_conflicts() -> None:
    advised = advise(story(conflicts=(PHONE, "both sides create table audit")), NOTHING)
    assert advised.argv == ("ahq-history", "merge-heads", "--allow-conflicts")
    assert advised.reason.startswith(f"the sides conflict: {PHONE} (and 1 more); a merge revision does not "
                                     "make them compatible: change one side first")
    assert advised.then == ()  # an upgrade would fail where the sides clash


def test_a_rebase_repeats_the_database_url_it_was_told() -> None:
    told = AppliedState.read(frozenset(), "database sqlite:///x.db (--database-url): nothing applied",
                             ("--database-url", "sqlite:///x.db"))
    assert advise(story(), told).argv == ("ahq-history", "merge-heads", "--rebase", "--database-url",
                                          "sqlite:///x.db")


def test_a_database_url_with_a_password_is_never_repeated_so_no_rebase_is_advised() -> None:
    told = AppliedState.read(frozenset(), "database postgresql://u:***@db/app (--database-url): nothing "
                             "applied", repeatable=False)
    assert advise(story(), told).action == "merge"


def test_labelled_or_several_divergences_name_their_heads() -> None:
    assert advise(story(labels=("reports",)), NOTHING).argv == (
        "ahq-history", "merge-heads", "--rebase", "bob")
    assert advise(story(bob=True), NOTHING, several=True).argv == (
        "ahq-history", "merge-heads", "alice", "bob")


def test_the_upgrade_after_it_names_every_head_when_several_remain() -> None:
    assert advise(story(), NOTHING, heads_after=2).then == ("alembic", "upgrade", "heads")
    assert advise(story(), NOTHING, upgrade=("flask", "db", "upgrade")).then == ("flask", "db", "upgrade")


def test_upgrade_head_becomes_heads_with_several_heads_as_alembic_requires() -> None:
    assert upgrade_argv(("alembic", "upgrade", "head"), 2) == ("alembic", "upgrade", "heads")
    assert upgrade_argv(("flask", "db", "upgrade"), 3) == ("flask", "db", "upgrade", "heads")
    assert upgrade_argv(("make", "migrate"), 2) == ("make", "migrate")
    assert upgrade_argv(("alembic", "upgrade", "head"), 1) == ("alembic", "upgrade", "head")


def test_after_a_merge_the_new_file_is_added_then_the_database_upgraded() -> None:
    after = after_merge(["migrations/versions/c0ffee_merge.py"], ("flask", "db", "upgrade"), 1)
    assert after.steps == (("git", "add", "migrations/versions/c0ffee_merge.py"), ("flask", "db", "upgrade"))
    assert after.words == ("The new merge revision file is not committed yet: add it to git, then upgrade "
                           "the database.",)


def test_after_a_rebase_the_changed_files_are_named_and_committed() -> None:
    after = after_rebase(["v/b1.py", "v/b2.py"], ["a11ce"], ("alembic", "upgrade", "head"), 1)
    assert after.steps == (("git", "add", "v/b1.py", "v/b2.py"),
                           ("git", "commit", "-m", "Re-parent migrations onto a11ce"),
                           ("alembic", "upgrade", "head"))
    assert after.words[0].startswith("The migration branch was rewritten only in this work tree: 2 files "
                                     "changed (v/b1.py, v/b2.py), nothing was committed or pushed")
