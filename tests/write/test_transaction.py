"""A plan written whole or not at all: dry runs, undoing a failed step, refusals, and the preview written
byte for byte (or refused when the tree moved since)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.core.errors import AhqError, RefusedError, UnreachableError, UsageError
from ahq_history.core.plan import MergeStep, Plan, make_plan
from ahq_history.write.transaction import apply_plan, render_plan
from tests.support.mergeproject import alembic_heads, snapshot, write


def test_dry_run_renders_the_file_and_leaves_the_tree_as_it_was(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # Alembic executes files: no __pycache__ left
    before = snapshot(project)
    (preview,) = write(project, dry_run=True)
    assert snapshot(project) == before
    assert "Revises: a000000alice, b00000000bob\n" in preview.text
    assert not preview.path.exists()


def test_a_failing_step_removes_what_earlier_steps_wrote(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    good = make_plan(loaded.graph).steps[0]
    bad = MergeStep(heads=("a0000000base", "a000000alice"), parents=("a0000000base", "a000000alice"),
                    message="not heads")
    before = snapshot(project)
    with pytest.raises(AhqError, match="after writing, Alembic's history still has several heads"):
        apply_plan(loaded.project, loaded.graph, Plan("merge", (good, bad)))
    assert snapshot(project) == before


def test_a_template_that_breaks_the_merge_is_caught_and_undone(project: Path) -> None:
    mako = project / "migrations" / "script.py.mako"
    mako.write_text(mako.read_text().replace("${repr(down_revision)}", "None"))
    before = snapshot(project)
    with pytest.raises(AhqError, match=r"is not the merge of a000000alice, b00000000bob: it reads as "
                                      r"revision \w+ on no parent; nothing was written"):
        write(project)
    assert snapshot(project) == before


def test_a_full_disk_is_said_in_words_and_leaves_the_tree_as_it_was(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    (preview,) = render_plan(loaded.project, loaded.graph, plan)
    before = snapshot(project)

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UnreachableError) as caught:
        apply_plan(loaded.project, loaded.graph, plan, rendered=[preview])
    # The first fsync is the journal's: it is written (and fsynced) before any revision file.
    assert caught.value.message.startswith("cannot write the journal in ")
    assert caught.value.message.endswith(": No space left on device; nothing was kept")
    assert snapshot(project) == before


def test_rev_id_is_refused_for_several_merges(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    step = make_plan(loaded.graph).steps[0]
    with pytest.raises(UsageError, match="--rev-id names one revision, but there are 2 merges to write"):
        apply_plan(loaded.project, loaded.graph, Plan("merge", (step, step)), rev_id="c0ffee000001")


def test_rev_id_with_a_path_in_it_is_refused_and_nothing_is_written(project: Path) -> None:
    before = snapshot(project)
    with pytest.raises(UsageError) as refused:
        write(project, rev_id="../../x", dry_run=True)
    assert refused.value.message == ("--rev-id '../../x' is not a revision id: use letters, digits and "
                                     "underscores")
    assert snapshot(project) == before


def test_rev_id_of_an_existing_revision_is_refused(project: Path) -> None:
    with pytest.raises(UsageError) as refused:
        write(project, rev_id="a0000000base")
    assert refused.value.message == ("--rev-id a0000000base is already a revision "
                                     "(migrations/versions/a0000000base_create_users.py)")


# -- preview, then write --------------------------------------------------------------------------


@contextlib.contextmanager
def create_date(when: str) -> object:
    """Alembic's `Create Date` fixed to `when` while rendering (it is the time of rendering otherwise)."""
    import datetime

    from alembic.script import ScriptDirectory

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ScriptDirectory, "_generate_create_date",
                      lambda self: datetime.datetime.fromisoformat(when))
        yield


def test_the_file_written_is_the_preview_byte_for_byte(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    with create_date("2001-02-03 04:05:06"):
        (preview,) = render_plan(loaded.project, loaded.graph, plan)
    (written,) = apply_plan(loaded.project, loaded.graph, plan, rendered=[preview])
    assert written.path.read_bytes() == preview.data
    assert "Create Date: 2001-02-03 04:05:06\n" in written.path.read_text()
    assert alembic_heads(project) == [preview.revision]


def test_a_preview_whose_heads_were_merged_meanwhile_is_refused(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    preview = render_plan(loaded.project, loaded.graph, plan)
    write(project)  # a teammate's merge arrives first
    before = snapshot(project)
    with pytest.raises(RefusedError) as caught:
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    assert caught.value.message == ("the history changed since the preview: a000000alice, b00000000bob are "
                                    "no longer heads; nothing was written")
    assert snapshot(project) == before


def test_a_rebase_preview_of_a_file_edited_meanwhile_is_refused(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph, mode="rebase", named=["b00000000bob"])
    preview = render_plan(loaded.project, loaded.graph, plan)
    bob = project / loaded.graph.revisions["b00000000bob"].path
    bob.write_text(bob.read_text() + "# edited after the preview\n")
    before = snapshot(project)
    with pytest.raises(RefusedError) as caught:
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    assert caught.value.message == (f"{loaded.graph.revisions['b00000000bob'].path} changed since the "
                                    "preview; nothing was written")
    assert snapshot(project) == before
