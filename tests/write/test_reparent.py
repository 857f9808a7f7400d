"""Re-parenting a revision file: only the `down_revision` and `Revises:` lines change, as written."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.core.errors import RefusedError
from ahq_history.core.plan import Move, make_plan
from ahq_history.core.source import scan_text
from ahq_history.write.reparent import reparent_text
from ahq_history.write.transaction import apply_plan
from tests.support.mergeproject import alembic_heads, snapshot

# -- re-parenting ---------------------------------------------------------------------------------


def reparented(text: str, old: str = "a0000000base", new: str = "a000000alice") -> str:
    rev, problems = scan_text(text, "versions/b00000000bob.py")
    assert rev is not None and not [p for p in problems if p.is_error and p.kind != "syntax"]
    return reparent_text(text, rev, Move("b00000000bob", rev.path, old, new, ("b00000000bob",)))


HEADER = '''"""add audit log

Revision ID: b00000000bob
Revises: a0000000base
Create Date: 2026-01-01 12:00:00

"""
'''


def changed_lines(before: str, after: str) -> list[tuple[str, str]]:
    return [(a, b) for a, b in zip(before.splitlines(True), after.splitlines(True), strict=True) if a != b]


def test_reparent_changes_only_the_down_revision_and_revises_lines() -> None:
    text = HEADER + "revision = 'b00000000bob'\ndown_revision = 'a0000000base'  # Alice's base\n"
    assert changed_lines(text, reparented(text)) == [
        ("Revises: a0000000base\n", "Revises: a000000alice\n"),
        ("down_revision = 'a0000000base'  # Alice's base\n",
         "down_revision = 'a000000alice'  # Alice's base\n"),
    ]


def test_reparent_keeps_annotations_and_double_quotes() -> None:
    text = HEADER + ('revision: str = "b00000000bob"\n'
                     'down_revision: Union[str, Sequence[str], None] = "a0000000base"\n')
    assert 'down_revision: Union[str, Sequence[str], None] = "a000000alice"\n' in reparented(text)


def test_reparent_keeps_a_one_element_tuple_a_tuple() -> None:
    text = HEADER + "revision = 'b00000000bob'\ndown_revision = (\n    'a0000000base',\n)\n"
    assert "down_revision = (\n    'a000000alice',\n)\n" in reparented(text)


def test_reparent_keeps_windows_line_endings() -> None:
    text = (HEADER + "revision = 'b00000000bob'\ndown_revision = 'a0000000base'\n").replace("\n", "\r\n")
    after = reparented(text)
    assert "Revises: a000000alice\r\n" in after
    assert after.count("\r\n") == text.count("\r\n")


def test_reparent_reads_a_file_whose_body_is_python_2() -> None:
    text = HEADER + ("revision = 'b00000000bob'\ndown_revision = 'a0000000base'\n\n"
                     "def upgrade():\n    print 'x'\n")
    assert "down_revision = 'a000000alice'\n" in reparented(text)


def test_reparent_refuses_a_parent_written_in_pieces() -> None:
    text = HEADER + "revision = 'b00000000bob'\ndown_revision = 'a0000000' 'base'\n"
    with pytest.raises(RefusedError, match="the string 'a0000000base' is not written plainly"):
        reparented(text)


def test_rebase_step_on_a_real_file_changes_exactly_two_lines(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph, mode="rebase", named=["b00000000bob"])
    bob = project / loaded.graph.revisions["b00000000bob"].path
    before = bob.read_text()
    (written,) = apply_plan(loaded.project, loaded.graph, plan)
    assert len(changed_lines(before, bob.read_text())) == 2
    assert written.diff is not None and written.diff.count("\n+") == 3  # the +++ line and two changes
    assert alembic_heads(project) == ["b00000000bob"]


def test_rebase_dry_run_shows_the_diff_and_writes_nothing(project: Path) -> None:
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph, mode="rebase", named=["b00000000bob"])
    before = snapshot(project)
    (preview,) = apply_plan(loaded.project, loaded.graph, plan, dry_run=True)
    assert snapshot(project) == before
    assert "-Revises: a0000000base\n+Revises: a000000alice\n" in (preview.diff or "")
