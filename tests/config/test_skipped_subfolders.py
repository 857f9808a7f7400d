"""Revision files in a subfolder of a version location without `recursive_version_locations`: Alembic skips
them silently; we load them no more than Alembic does, and say so once per subfolder. Projects and revision
files are made by `alembic init` and `alembic revision`, then moved as a person would move them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.config.project import find_project
from ahq_history.core.errors import EXIT_OK
from tests.support.agreement import alembic_view, ini_config, our_view
from tests.support.alembicconfig import alembic_init, set_options
from tests.support.clirun import run_main
from tests.support.projects import add_revision


def archived(tmp_path: Path) -> Path:
    """`alembic init`, four revisions in a line, the two newest moved into `versions/archive/2024/` (as
    `--version-path` into a subfolder would leave them); returns the project folder."""
    root = tmp_path / "proj"
    alembic_init(root, directory="alembic")
    add_revision(root, "create users", "aaaa00000001")
    add_revision(root, "add phone", "aaaa00000002")
    first = add_revision(root, "add audit", "aaaa00000003")
    second = add_revision(root, "add index", "aaaa00000004")
    archive = root / "alembic" / "versions" / "archive" / "2024"
    archive.mkdir(parents=True)
    for path in (first, second):
        shutil.move(path, archive / path.name)
    (archive / "notes.txt").write_text("not a revision file\n")
    return root


MESSAGE = ("2 revision files in this subfolder of version location alembic/versions are not part of the "
           "history: Alembic loads only the files directly in a version location; set "
           "recursive_version_locations = true in alembic.ini to include them, or move them up")


def test_a_subfolder_alembic_skips_is_one_warning_with_its_count(tmp_path: Path) -> None:
    root = archived(tmp_path)
    loaded = load(project=find_project(root))
    skipped = [p.as_json() for p in loaded.problems if p.kind == "skipped-subfolder"]
    assert skipped == [{"kind": "skipped-subfolder", "severity": "warning", "message": MESSAGE,
                        "path": "alembic/versions/archive", "line": None, "revisions": []}]
    assert our_view(loaded) == alembic_view(ini_config(root / "alembic.ini"))  # Alembic sees two files
    assert sorted(loaded.graph.revisions) == ["aaaa00000001", "aaaa00000002"]


def test_check_names_the_subfolder_and_the_option_and_still_exits_by_the_graph(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = archived(tmp_path)
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "check", "--no-cache")
    assert code == EXIT_OK  # a warning never changes the exit code
    assert f"warning: alembic/versions/archive: {MESSAGE}" in out.splitlines()
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "check", "--json")
    assert [p["path"] for p in json.loads(out)["problems"]] == ["alembic/versions/archive"]


def test_with_recursive_version_locations_nothing_is_skipped(tmp_path: Path) -> None:
    root = archived(tmp_path)
    set_options(root / "alembic.ini", recursive_version_locations="true")
    loaded = load(project=find_project(root))
    assert [p.kind for p in loaded.problems] == []
    assert sorted(loaded.graph.revisions) == ["aaaa00000001", "aaaa00000002", "aaaa00000003", "aaaa00000004"]
    assert our_view(loaded) == alembic_view(ini_config(root / "alembic.ini"))


def test_a_subfolder_that_is_its_own_version_location_or_holds_no_revision_is_not_named(
        tmp_path: Path) -> None:
    root = archived(tmp_path)
    versions = root / "alembic" / "versions"
    (versions / "__pycache__").mkdir(exist_ok=True)
    (versions / "__pycache__" / "x.py").write_text("")
    (versions / "empty").mkdir()
    (versions / "empty" / "__init__.py").write_text("")
    set_options(root / "alembic.ini", version_locations="%(here)s/alembic/versions "
                "%(here)s/alembic/versions/archive/2024", path_separator="space")
    loaded = load(project=find_project(root))
    assert [p.kind for p in loaded.problems] == []
    assert our_view(loaded) == alembic_view(ini_config(root / "alembic.ini"))
