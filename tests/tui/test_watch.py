"""Noticing changed revision files: added or removed at once; edited in place at the next thorough look."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ahq_history.config.project import find_project
from ahq_history.tui import watch
from ahq_history.tui.watch import FileWatch
from tests.support.projects import add_revision, alembic_project


@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")
    return find_project(config=root / "alembic.ini")


def _touch_folder_back(folder: Path, before: os.stat_result) -> None:
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_nothing_changed_is_quiet(project) -> None:  # type: ignore[no-untyped-def]
    assert not FileWatch(project).changed()


def test_an_added_revision_is_noticed_at_once(project) -> None:  # type: ignore[no-untyped-def]
    seen = FileWatch(project)
    add_revision(project.root, "add phone", "aaaa00000002")
    assert seen.changed()


def test_a_removed_revision_is_noticed_at_once(project) -> None:  # type: ignore[no-untyped-def]
    seen = FileWatch(project)
    next(project.version_locations[0].glob("aaaa00000001_*.py")).unlink()
    assert seen.changed()


def test_an_edit_in_place_waits_for_the_thorough_look(project,  # type: ignore[no-untyped-def]
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    folder = project.version_locations[0]
    path = next(folder.glob("aaaa00000001_*.py"))
    seen = FileWatch(project)
    before = folder.stat()
    path.write_text(path.read_text() + "\n# edited\n")
    _touch_folder_back(folder, before)  # an in-place write leaves the folder's time alone on some systems
    assert not seen.changed()  # the folders look the same, and the thorough look is not due
    monkeypatch.setattr(watch, "THOROUGH_EVERY", 0.0)
    monkeypatch.setattr(watch, "THOROUGH_SHARE", 0)
    assert seen.changed()
