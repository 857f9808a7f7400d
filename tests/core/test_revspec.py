"""Alembic's revision syntax on our graph gives Alembic's own answer, on projects made by `alembic
revision`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.core.errors import UsageError
from ahq_history.core.revspec import resolve_revisions
from tests.support.projects import (
    add_revision,
    alembic_config,
    alembic_project,
    forked_revisions,
    linear_revisions,
)

ERROR = "error"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fork on aaaa00000002 (bbbb00000001 | cccc00000001-cccc00000002), a second base labelled
    `reports` (dddd00000001, eeee00000001), and ffff00000001 on cccc00000002 depending on eeee00000001."""
    root = forked_revisions(linear_revisions(alembic_project(tmp_path_factory.mktemp("revspec"))))
    add_revision(root, "reports base", "dddd00000001", head="base", branch_label="reports")
    add_revision(root, "reports totals", "eeee00000001", head="reports@head")
    add_revision(root, "workflow totals", "ffff00000001", head="cccc00000002", depends_on="eeee00000001")
    return root


@pytest.fixture(scope="module")
def linear(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return linear_revisions(alembic_project(tmp_path_factory.mktemp("linear")))


def ours(root: Path, name: str) -> tuple[str, ...] | str:
    try:
        return resolve_revisions(load(str(root / "alembic.ini")).graph, name)
    except UsageError:
        return ERROR


def alembics(root: Path, name: str, *, relative: bool = False, bases: bool = False) -> tuple[str, ...] | str:
    """What Alembic answers: `get_revisions`, the walk of `upgrade NAME` for a relative form (its
    `_parse_upgrade_target`), or the bases of `get_bases` / `filter_for_lineage` for `base`."""
    from alembic.script import ScriptDirectory
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    script = ScriptDirectory.from_config(alembic_config(root))
    revmap = script.revision_map
    try:
        if bases:
            label = name.partition("@")[0] if "@" in name else None
            bases = script.get_bases() if label is None else revmap.filter_for_lineage(revmap.bases, label)
            return tuple(bases)
        found = revmap._parse_upgrade_target((), name, True) if relative else script.get_revisions(name)
    except (CommandError, RevisionError):  # RevisionError covers ResolutionError and MultipleHeads
        return ERROR
    return tuple(rev.revision for rev in found if rev is not None) or ERROR


ABSOLUTE = ["heads", "reports@heads", "head", "reports@head", "bbbb", "bbbb00000001", "cccc00",
            "reports", "reports@eeee", "reports@bbbb00000001", "zzzz0000"]
RELATIVE = ["aaaa00000001+1", "aaaa00000002+1", "cccc00000002-2", "reports@head-1", "dddd00000001+1",
            "bbbb00000001-5", "eeee00000001+3", "base+1", "ffff00000001-1"]


@pytest.mark.parametrize("name", ABSOLUTE)
def test_absolute_forms_match_alembics_get_revisions(project: Path, name: str) -> None:
    assert ours(project, name) == alembics(project, name)


@pytest.mark.parametrize("name", RELATIVE)
def test_relative_forms_match_alembics_upgrade_walk(project: Path, name: str) -> None:
    assert ours(project, name) == alembics(project, name, relative=True)


@pytest.mark.parametrize("name", ["base", "reports@base"])
def test_base_is_each_base_as_alembics_get_bases(project: Path, name: str) -> None:
    assert ours(project, name) == alembics(project, name, bases=True)
    assert len(ours(project, name)) == (2 if name == "base" else 1)


def test_heads_leaves_out_a_head_another_revision_depends_on(project: Path) -> None:
    assert ours(project, "heads") == ("bbbb00000001", "ffff00000001")


@pytest.mark.parametrize(("name", "expected"), [
    ("head-1", ("aaaa00000001",)), ("head", ("aaaa00000002",)), ("base+2", ("aaaa00000002",)),
    ("aaaa00000002-1", ("aaaa00000001",)),
])
def test_steps_on_a_straight_history(linear: Path, name: str, expected: tuple[str, ...]) -> None:
    assert ours(linear, name) == expected == alembics(linear, name, relative="+" in name or "-" in name)


@pytest.mark.parametrize("name", ["head~1", "head^", "aaaa00000002^2"])
def test_gits_ancestry_syntax_is_refused_with_alembics_form(linear: Path, name: str) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_revisions(load(str(linear / "alembic.ini")).graph, name)
    assert raised.value.message == f"'{name}': git's ~ and ^ are not Alembic's revision syntax"
    assert raised.value.hint == "write it as Alembic does: head-1, ID-2, ID+1"


def test_a_typo_suggests_the_closest_revision(linear: Path) -> None:
    with pytest.raises(UsageError) as raised:
        resolve_revisions(load(str(linear / "alembic.ini")).graph, "aaaa00000003")
    assert raised.value.hint == "did you mean aaaa00000002 or aaaa00000001?"


def test_a_step_relative_to_the_database_is_refused(linear: Path) -> None:
    with pytest.raises(UsageError, match="counts from the database's revision"):
        resolve_revisions(load(str(linear / "alembic.ini")).graph, "-1")


def test_a_prefix_under_four_characters_is_refused_where_alembic_would_take_it(project: Path) -> None:
    # Deliberate (core/graph.py MIN_PARTIAL_ID): a typed prefix keeps naming one revision as history grows.
    assert alembics(project, "ff") == ("ffff00000001",)
    with pytest.raises(UsageError) as raised:
        resolve_revisions(load(str(project / "alembic.ini")).graph, "ff")
    assert raised.value.hint == "a partial id needs at least four characters"
