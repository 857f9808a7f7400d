"""The `check` cache: a warm answer is given only while nothing it depends on has changed."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from ahq_history.report import cache
from tests.support import clirun
from tests.support.gitcli import commit_all, git
from tests.support.gitstory import ALICE, ALICE_REV, Story, alice_pushes
from tests.support.projects import add_revision, alembic_project, linear_revisions


def check_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    return clirun.check_json(root, capsys, *args)[1]


@pytest.fixture
def linear(tmp_path: Path) -> Path:
    root = alembic_project(tmp_path / "proj")
    git(root, "init", "-q")  # the cache lives under .git/
    return linear_revisions(root)


def test_an_edit_that_keeps_the_size_and_restores_the_mtime_is_noticed(
        linear: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = linear / "migrations/versions/aaaa00000002_add_users_phone.py"
    check_json(linear, capsys)
    before = path.stat()
    text = path.read_text()
    edited = text.replace("= 'aaaa00000001'", "= 'aaaa00000009'")  # same size: a typo in the parent id
    assert len(edited) == len(text) and edited != text
    path.write_text(edited)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # as cp -p, rsync -t or tar leave it
    report = check_json(linear, capsys)
    assert [p["kind"] for p in report["problems"]] == ["dangling-parent"]


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


def test_against_fetch_head_notices_a_new_fetch(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    alice_pushes(story)
    # A fetch from a URL (not a configured remote) moves FETCH_HEAD and no ref.
    git(story.bob, "fetch", "-q", str(story.origin), "main")
    first = check_json(story.bob, capsys, "--against", "FETCH_HEAD")
    assert [h["revision"] for h in first["heads"]] == [ALICE_REV]
    add_revision(story.alice, "add audit index", "a11ce0000002", head=ALICE_REV)
    commit_all(story.alice, "audit index", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    git(story.bob, "fetch", "-q", str(story.origin), "main")
    second = check_json(story.bob, capsys, "--against", "FETCH_HEAD")
    assert [h["revision"] for h in second["heads"]] == ["a11ce0000002"]


def test_a_cache_that_cannot_be_written_leaves_no_temporary_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_args: object, **_kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cache.json, "dump", disk_full)
    cache.store(tmp_path / "ahq-history" / "check-x.json", "key", {"revisions": 1})
    assert list((tmp_path / "ahq-history").iterdir()) == []


@pytest.mark.parametrize("damage", [lambda r: r.pop("heads"), lambda r: r.update(heads=5),
                                    lambda r: r.update(exit_code="x")],
                         ids=["dropped", "retyped", "not-a-code"])
def test_a_cache_damaged_inside_its_report_is_a_miss_not_an_internal_error(
        linear: Path, capsys: pytest.CaptureFixture[str], damage: Any) -> None:
    import json

    check_json(linear, capsys)
    (path,) = (linear / ".git" / "ahq-history").glob("check-*.json")
    stored = json.loads(path.read_text())
    damage(stored["report"])  # the key still matches
    path.write_text(json.dumps(stored))
    code, out, err = clirun.run_main(capsys, "-c", str(linear / "alembic.ini"), "check")
    assert (code, err) == (0, "")
    assert "aaaa00000002" in out
