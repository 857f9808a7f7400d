"""Hints that point the right way: a missing `migrations/alembic.ini` or versions folder is named with
where it was looked for, and the choice between creating the project (`flask db init`, `alembic init`)
and naming it with `-c`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.config.project import find_project
from ahq_history.core.errors import ConfigError
from tests.support.gitcli import git
from tests.support.projects import alembic_project


def test_a_flask_migrations_folder_without_its_ini_names_where_it_looked(tmp_path: Path) -> None:
    repo = tmp_path / "app"
    (repo / "migrations").mkdir(parents=True)
    (repo / "migrations" / "env.py").write_text("# Flask-Migrate's env.py, its alembic.ini lost\n")
    git(repo, "init", "-q")
    with pytest.raises(ConfigError) as raised:
        find_project(start=repo)
    assert raised.value.message == (
        "no Alembic project found: looked for alembic.ini, pyproject.toml with [tool.alembic] and "
        f"migrations/alembic.ini in {repo} (the top of the git work tree) and in every folder below it "
        "that git lists")
    assert raised.value.hint == (
        "create one with `alembic init migrations` (or `alembic init --template pyproject migrations`), "
        "or `flask db init` for Flask-Migrate, or name the configuration with -c PATH")


def test_c_naming_a_missing_migrations_ini_offers_flask_db_init(tmp_path: Path) -> None:
    missing = tmp_path / "migrations" / "alembic.ini"
    with pytest.raises(ConfigError) as raised:
        find_project(config=missing)
    assert raised.value.message == f"configuration file {missing} does not exist"
    assert raised.value.hint == (
        "give -c the path of an existing alembic.ini, migrations/alembic.ini or pyproject.toml, or create "
        "the project: `flask db init` (Flask-Migrate, writes migrations/alembic.ini) or `alembic init "
        "migrations`")


def test_a_missing_versions_folder_is_named_and_how_it_comes(tmp_path: Path) -> None:
    root = alembic_project(tmp_path / "proj")
    shutil.rmtree(root / "migrations" / "versions")  # as a fresh clone has it: git keeps no empty folder
    loaded = load(str(root / "alembic.ini"))
    assert [(p.kind, p.severity, p.path, p.message) for p in loaded.problems] == [(
        "missing-version-location", "warning", "alembic.ini",
        "no versions folder: looked for migrations/versions (script_location's versions), so there are no "
        "revisions yet; `alembic revision` (Flask-Migrate: `flask db migrate`) creates it; if the project is "
        "elsewhere, name its configuration with -c PATH")]
