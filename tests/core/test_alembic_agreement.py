"""On generated script directories of every shape and file style, our static reading agrees with what
Alembic's `ScriptDirectory` finds by executing the files."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ahq_history.config.project import find_project
from ahq_history.config.scan import scan_project
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from tests.support.strategies import histories

INI = "[alembic]\nscript_location = %(here)s/migrations\n"


def literal(values: tuple[str, ...], style: int) -> str:
    """One of the forms Alembic accepts: None, a string, a tuple or a list, in either quote style."""
    if not values:
        return "None"
    quote = '"' if style % 2 else "'"
    items = [f"{quote}{v}{quote}" for v in values]
    if len(values) == 1 and style % 3 == 0:
        return items[0]
    if style % 4 == 1:
        return "[" + ", ".join(items) + "]"
    return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"


def source(rev: Revision, style: int) -> str:
    annotated = style % 5 in (1, 3)
    types = {"revision": ": str", "other": ": Union[str, Sequence[str], None]"} if annotated else {}
    return (
        f'"""message of {rev.id}\n\nRevision ID: {rev.id}\nRevises: {", ".join(rev.parents)}\n'
        f'Create Date: 2026-01-01 00:00:00\n\n"""\n'
        "from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n"
        f"revision{types.get('revision', '')} = '{rev.id}'\n"
        f"down_revision{types.get('other', '')} = {literal(rev.parents, style)}\n"
        f"branch_labels{types.get('other', '')} = {literal(rev.branch_labels, style + 1)}\n"
        f"depends_on{types.get('other', '')} = {literal(rev.depends_on, style + 2)}\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def write_project(root: Path, revisions: list[Revision], styles: list[int]) -> None:
    (root / "alembic.ini").write_text(INI)
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "script.py.mako").write_text("")
    for rev, style in zip(revisions, styles, strict=False):
        (versions / f"{rev.id}_change.py").write_text(source(rev, style))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(max_size=15), st.lists(st.integers(0, 59), min_size=15, max_size=15))
def test_static_reading_agrees_with_script_directory(revisions: list[Revision], styles: list[int]) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_project(root, revisions, styles)
        script = ScriptDirectory.from_config(Config(str(root / "alembic.ini")))
        scripts = {s.revision: s for s in script.walk_revisions()}
        scanned = scan_project(find_project(config=root / "alembic.ini"))
    assert [p for p in scanned.problems if p.is_error] == []
    ours = RevisionGraph(scanned.revisions)
    assert set(ours.heads) == set(script.get_heads())
    assert set(ours.bases) == set(script.get_bases())
    assert set(ours.branchpoints) == {r for r, s in scripts.items() if s.is_branch_point}
    assert set(ours.mergepoints) == {r for r, s in scripts.items() if s.is_merge_point}
    for rev in scanned.revisions:
        theirs = scripts[rev.id]
        assert rev.parents == tuple(theirs._versioned_down_revisions)
        assert set(rev.branch_labels) == set(theirs._orig_branch_labels)
