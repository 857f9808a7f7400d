"""`mergeflow`: the steps `merge-heads` and the TUI share, on the two-developer story (a bare origin, real
clones, a git merge) and real SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import Loaded, load
from ahq_history.core.errors import BrokenGraphError, UnreachableError
from ahq_history.core.plan import MergeStep, RebaseStep
from ahq_history.write.flow import applied_in_database, prepare, refuse_broken
from tests.support.hookgit import BASE
from tests.support.mergestory import ALICE_REV, BOB_REV, bob_file, story
from tests.support.sqlitedb import database


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loaded:
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return load(story(tmp_path) / "alembic.ini")


def test_prepare_merges_with_the_published_side_first(loaded: Loaded) -> None:
    prepared = prepare(loaded)
    (step,) = prepared.plan.steps
    assert isinstance(step, MergeStep)
    assert step.parents == (ALICE_REV, BOB_REV)
    assert (prepared.published[ALICE_REV], prepared.published[BOB_REV]) == (True, False)
    assert (prepared.conflicts, prepared.notes) == ((), ())


def test_prepare_rebase_moves_the_local_side_and_says_which_database_it_read(
        loaded: Loaded, tmp_path: Path) -> None:
    url = database(tmp_path / "app.db", BASE)
    prepared = prepare(loaded, mode="rebase", database_url=url)
    (step,) = prepared.plan.steps
    assert isinstance(step, RebaseStep) and step.new_head == BOB_REV
    assert prepared.notes == (f"database {url} (--database-url): applied: {BASE}",)


def test_prepare_rebase_refuses_a_side_the_database_applied(loaded: Loaded, tmp_path: Path) -> None:
    prepared = prepare(loaded, mode="rebase", database_url=database(tmp_path / "app.db", BOB_REV))
    assert prepared.plan.steps == ()
    (refusal,) = prepared.plan.refusals
    assert refusal.reasons[0].startswith(f"{BOB_REV} is applied to the database")


def test_applied_in_database_counts_the_rows_ancestors(loaded: Loaded, tmp_path: Path) -> None:
    state = applied_in_database(loaded, database_url=database(tmp_path / "app.db", BOB_REV))
    assert (state.kind, state.revisions) == ("read", {BASE, BOB_REV})


def test_applied_in_database_without_a_database_is_unknown_not_nothing_applied(loaded: Loaded) -> None:
    state = applied_in_database(loaded)
    assert state.kind == "unknown"
    assert state.note() == ("applied revisions unknown: no database URL is configured: alembic.ini has no "
                            "sqlalchemy.url")


def test_prepare_rebase_refuses_when_no_database_can_be_named(loaded: Loaded) -> None:
    prepared = prepare(loaded, mode="rebase")
    assert prepared.plan.steps == ()
    (refusal,) = prepared.plan.refusals
    assert refusal.reasons[0].startswith(f"whether {BOB_REV} is applied to a database is unknown (no "
                                         "database URL is configured: alembic.ini")
    assert "--database-url URL, or pass --no-db-check" in refusal.reasons[0]


def test_prepare_rebase_with_no_db_check_moves_the_local_side(loaded: Loaded) -> None:
    prepared = prepare(loaded, mode="rebase", db_check=False)
    (step,) = prepared.plan.steps
    assert isinstance(step, RebaseStep)
    assert prepared.notes == ("database not checked (--no-db-check)",)


def test_applied_in_database_unchecked_is_the_users_word(loaded: Loaded) -> None:
    assert applied_in_database(loaded, check=False).kind == "unchecked"


def test_applied_in_database_is_unreachable_when_the_database_does_not_answer(
        loaded: Loaded, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all, just some bytes" * 100)
    with pytest.raises(UnreachableError) as caught:
        applied_in_database(loaded, database_url=f"sqlite:///{broken}")
    assert caught.value.exit_code == 2
    assert caught.value.message == (f"cannot read the database sqlite:///{broken} (from --database-url): "
                                    "file is not a database; --rebase must know that the moved revisions "
                                    "are not applied there")


def test_refuse_broken_names_the_conflict_markers_of_a_merge_in_progress(loaded: Loaded) -> None:
    path = bob_file(loaded.project.root)
    path.write_text("<<<<<<< HEAD\n" + path.read_text() + "=======\n>>>>>>> origin/main\n")
    with pytest.raises(BrokenGraphError, match=r"^a git merge is in progress: conflict markers in "):
        refuse_broken(load(loaded.project.config_path))
