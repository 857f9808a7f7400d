"""`dbreport.read_applied`: what the project's database has applied, on real projects and SQLite files."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.loading import Loaded, load
from ahq_history.core.errors import ConfigError
from ahq_history.db.status import Applied, read_applied
from tests.support.projects import add_revision, alembic_project
from tests.support.sqlitedb import database


@pytest.fixture
def loaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Loaded:
    """base <- middle <- top, and a second head on base; the ini keeps `alembic init`'s placeholder URL."""
    monkeypatch.delenv("DATABASE_URL", raising=False)
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "base", "a00000000001")
    add_revision(root, "middle", "a00000000002")
    add_revision(root, "top", "a00000000003")
    add_revision(root, "other", "b00000000001", head="a00000000001", splice=True)
    return load(root / "alembic.ini")


def test_the_rows_and_their_ancestors_are_applied(loaded: Loaded, tmp_path: Path) -> None:
    url = database(tmp_path / "app.db", "a00000000002")
    found = read_applied(loaded.project, loaded.graph, database_url=url)
    assert found.revisions == {"a00000000001", "a00000000002"}
    assert found.rows is not None and found.rows.revisions == ("a00000000002",)
    assert (found.source, found.error, found.configured) == ("--database-url", None, True)


def test_the_url_is_found_as_status_finds_it(loaded: Loaded, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database(tmp_path / "env.db", "b00000000001"))
    found = read_applied(loaded.project, loaded.graph)
    assert found.revisions == {"a00000000001", "b00000000001"}
    assert found.source == "the DATABASE_URL environment variable"


def test_no_configured_database_is_not_an_error(loaded: Loaded) -> None:
    found = read_applied(loaded.project, loaded.graph)
    assert found == Applied()
    assert not found.configured


def test_a_database_that_does_not_answer_says_why(loaded: Loaded, tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all, just some bytes" * 100)
    found = read_applied(loaded.project, loaded.graph, database_url=f"sqlite:///{broken}")
    assert (found.revisions, found.rows, found.configured) == (None, None, True)
    assert found.error is not None
    assert found.error.message == (f"cannot read the database sqlite:///{broken} (from --database-url): "
                                   "file is not a database")


def test_a_url_that_cannot_be_used_is_a_configuration_error(loaded: Loaded) -> None:
    with pytest.raises(ConfigError, match="unknown database dialect 'nosuchdialect'"):
        read_applied(loaded.project, loaded.graph, database_url="nosuchdialect://somewhere/db")
