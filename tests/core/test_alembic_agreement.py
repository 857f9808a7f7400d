"""On generated script directories of every shape and file style, our static reading agrees with what
Alembic's `ScriptDirectory` finds by executing the files: labels and `depends_on` written as literals, as
the file's own constants, as names imported from a module of the project, and as tuples mixing both."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ahq_history.config.project import find_project
from ahq_history.config.scan import scan_project
from ahq_history.core.graph import RevisionGraph
from ahq_history.core.model import Revision
from tests.support.strategies import histories

INI = "[alembic]\nscript_location = %(here)s/migrations\nprepend_sys_path = %(here)s\npath_separator = os\n"
CONSTANTS = "project_constants"  # the module of the project the revision files import names from


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


def named(name: str, values: tuple[str, ...], style: int, constants: list[str]) -> tuple[str, str]:
    """(statements before, the value) for `name` written through names: a constant of the file, a name
    of the project's constants module (`import ... as c`, `from ... import`), or a tuple mixing a name
    and literals; plain literals otherwise. `constants` collects the module's lines."""
    form = style % 7
    if form == 2:
        return f"{name.upper()} = {literal(values, style)}\n", name.upper()
    if form == 4:
        constants.append(f"{name}_{style} = {literal(values, style)}")
        return f"import {CONSTANTS} as c\n", f"c.{name}_{style}"
    if form == 5 and values:
        constants.append(f"{name}_{style} = {values[0]!r}")
        rest = "".join(f", {v!r}" for v in values[1:])
        return f"from {CONSTANTS} import {name}_{style}\n", f"({name}_{style}{rest},)"
    return "", literal(values, style)


def source(rev: Revision, style: int, constants: list[str] | None = None) -> str:
    annotated = style % 5 in (1, 3)
    types = {"revision": ": str", "other": ": Union[str, Sequence[str], None]"} if annotated else {}
    found: list[str] = [] if constants is None else constants
    labels_before, labels = named(f"labels_{rev.id}", rev.branch_labels, style + 1, found)
    depends_before, depends = named(f"depends_{rev.id}", rev.depends_on, style + 2, found)
    return (
        f'"""message of {rev.id}\n\nRevision ID: {rev.id}\nRevises: {", ".join(rev.parents)}\n'
        f'Create Date: 2026-01-01 00:00:00\n\n"""\n'
        "from typing import Sequence, Union\n\nfrom alembic import op\nimport sqlalchemy as sa\n\n"
        f"{labels_before}{depends_before}"
        f"revision{types.get('revision', '')} = '{rev.id}'\n"
        f"down_revision{types.get('other', '')} = {literal(rev.parents, style)}\n"
        f"branch_labels{types.get('other', '')} = {labels}\n"
        f"depends_on{types.get('other', '')} = {depends}\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def write_project(root: Path, revisions: list[Revision], styles: list[int]) -> None:
    (root / "alembic.ini").write_text(INI)
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True)
    (root / "migrations" / "script.py.mako").write_text("")
    constants: list[str] = []
    for rev, style in zip(revisions, styles, strict=False):
        (versions / f"{rev.id}_change.py").write_text(source(rev, style, constants))
    (root / f"{CONSTANTS}.py").write_text("".join(f"{line}\n" for line in constants))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories(max_size=15), st.lists(st.integers(0, 59), min_size=15, max_size=15))
def test_static_reading_agrees_with_script_directory(revisions: list[Revision], styles: list[int]) -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        write_project(root, revisions, styles)
        path, modules = list(sys.path), set(sys.modules)
        try:
            script = ScriptDirectory.from_config(Config(str(root / "alembic.ini")))
            scripts = {s.revision: s for s in script.walk_revisions()}
        finally:  # each example has its own constants module
            sys.path[:] = path
            for name in set(sys.modules) - modules:
                del sys.modules[name]
        scanned = scan_project(find_project(config=root / "alembic.ini"))
    assert [p.message for p in scanned.problems] == []
    ours = RevisionGraph(scanned.revisions)
    assert set(ours.heads) == set(script.get_heads())
    assert set(ours.bases) == set(script.get_bases())
    assert set(ours.branchpoints) == {r for r, s in scripts.items() if s.is_branch_point}
    assert set(ours.mergepoints) == {r for r, s in scripts.items() if s.is_merge_point}
    for rev in scanned.revisions:
        theirs = scripts[rev.id]
        assert rev.parents == tuple(theirs._versioned_down_revisions)
        assert set(rev.branch_labels) == set(theirs._orig_branch_labels)
        depends = theirs.dependencies  # Alembic keeps one as a plain string
        assert set(rev.depends_on) == set((depends,) if isinstance(depends, str) else depends or ())
