"""The `check` cache: a warm answer is given only while nothing it depends on has changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ahq_history.cli import main
from tests.conftest import git
from tests.projects import add_revision, alembic_project


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    main(["-c", str(root / "alembic.ini"), "check", "--json", *args])
    report: dict[str, Any] = json.loads(capsys.readouterr().out)
    return report


@pytest.fixture
def linear(tmp_path: Path) -> Path:
    root = alembic_project(tmp_path / "proj")
    git(root, "init", "-q")  # the cache lives under .git/
    add_revision(root, "create users", "aaaa00000001")
    add_revision(root, "add users phone", "aaaa00000002")
    return root


def test_a_version_location_created_since_is_no_longer_called_missing(
        linear: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ini = linear / "alembic.ini"
    ini.write_text(ini.read_text().replace(
        "# version_locations = %(here)s/bar:%(here)s/bat:%(here)s/alembic/versions",
        "version_locations = %(here)s/migrations/versions:%(here)s/more"))
    first = check_json(linear, capsys)
    assert [p["kind"] for p in first["problems"]] == ["missing-version-location"]
    (linear / "more").mkdir()
    assert check_json(linear, capsys)["problems"] == []
