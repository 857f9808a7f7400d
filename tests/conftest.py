"""Shared fixtures: an isolated git environment, and databases each test creates and drops."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No user or system git configuration leaks into a test; authors and dates are fixed."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.delenv("GIT_DIR", raising=False)
    monkeypatch.delenv("GIT_WORK_TREE", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test User")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2026-01-01T12:00:00+00:00")
    (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n")


@pytest.fixture(autouse=True)
def restored_logging() -> Iterator[None]:
    """Alembic's env.py runs `logging.config.fileConfig` in-process: it binds handlers to the test's
    captured stderr and disables existing loggers. Undo that after each test, so that a later test does
    not log into a closed stream."""
    saved = {name: (logger.handlers[:], logger.level, logger.disabled, logger.propagate)
             for name, logger in logging.Logger.manager.loggerDict.items()
             if isinstance(logger, logging.Logger)}
    root_handlers, root_level = logging.root.handlers[:], logging.root.level
    yield
    logging.root.handlers[:] = root_handlers
    logging.root.setLevel(root_level)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if not isinstance(logger, logging.Logger):
            continue
        handlers, level, disabled, propagate = saved.get(name, ([], logging.NOTSET, False, True))
        logger.handlers[:] = handlers
        logger.setLevel(level)
        logger.disabled, logger.propagate = disabled, propagate


def _unavailable(server: str, reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{server} is required under CI but unavailable: {reason}")
    pytest.skip(f"{server} unavailable: {reason}")


def _throwaway_database(server: str, base_url: str, quote: str, drop_suffix: str = "",
                        **engine_options: Any) -> Iterator[str]:
    """Create a uniquely named database on the server at `base_url` (whose database is `test`), yield its
    URL, and drop it afterwards; skip (fail under CI) when the server cannot be reached."""
    import sqlalchemy as sa

    name = f"ahq_test_{uuid.uuid4().hex[:12]}"
    quoted = f"{quote}{name}{quote}"
    try:
        admin = sa.create_engine(f"{base_url}/test", connect_args={"connect_timeout": 3}, **engine_options)
        with admin.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {quoted}"))
            conn.commit()
    except Exception as error:
        _unavailable(server, str(error).splitlines()[0])
    try:
        yield f"{base_url}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quoted}{drop_suffix}"))
            conn.commit()
        admin.dispose()


@pytest.fixture
def postgresql_url() -> Iterator[str]:
    """A fresh PostgreSQL database at 127.0.0.1:5432, dropped after the test."""
    yield from _throwaway_database("PostgreSQL", "postgresql+psycopg2://postgres@127.0.0.1:5432", '"',
                                   " WITH (FORCE)", isolation_level="AUTOCOMMIT")


@pytest.fixture
def mariadb_url() -> Iterator[str]:
    """A fresh MariaDB database at 127.0.0.1:3306, dropped after the test."""
    yield from _throwaway_database("MariaDB", "mysql+pymysql://root@127.0.0.1:3306", "`")


@pytest.fixture
def story(tmp_path: Path) -> Any:
    """The two-developer story (tests/gitstory.py): a bare origin; Alice starts an Alembic project with one
    revision and pushes; Bob clones."""
    from tests.support.gitstory import make_story

    return make_story(tmp_path)


@pytest.fixture
def forked(story: Any) -> Any:
    """The story after Alice and Bob each added a revision on the same parent; Alice pushed first."""
    from tests.support.gitstory import fork

    return fork(story)


@pytest.fixture
def flask_project(tmp_path: Path) -> Path:
    """A Flask-Migrate app (`flask db init`) with two heads on one base, each with a real table."""
    from tests.support.flaskapp import flask_forked

    return flask_forked(tmp_path / "app")
