"""envsource.py: where env.py connects, read from the env.py files that Alembic and Flask-Migrate write."""

from __future__ import annotations

from pathlib import Path

from ahq_history.core.envsource import env_connection
from tests.support.flaskapp import FLASK_APP, flask
from tests.support.mergeproject import alembic_init

APP_URL_ENV = '''\
import os
from alembic import context
from sqlalchemy import create_engine

config = context.config
engine = create_engine(os.environ["MYAPP_DATABASE"])
'''


def test_alembic_generic_env_reads_the_url_from_the_config(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    found = env_connection((root / "migrations" / "env.py").read_text(), {})
    assert found.kind == "config"


def test_alembic_pyproject_env_reads_the_url_from_the_config(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj", template="pyproject")
    assert env_connection((root / "migrations" / "env.py").read_text(), {}).kind == "config"


def test_flask_migrate_env_takes_the_engine_from_the_app(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text(FLASK_APP)
    flask(root, "db", "init")
    found = env_connection((root / "migrations" / "env.py").read_text(), {})
    assert found.kind == "app"
    assert found.detail.startswith("env.py takes its connection from the application (current_app")


def test_an_environment_variable_that_is_unset_is_unknown() -> None:
    found = env_connection(APP_URL_ENV, {})
    assert (found.kind, found.variable) == ("unset", "MYAPP_DATABASE")
    assert found.detail == ("env.py reads the database URL from the environment variable MYAPP_DATABASE, "
                            "which is not set here")


def test_an_environment_variable_that_holds_a_url_names_the_database() -> None:
    found = env_connection(APP_URL_ENV, {"MYAPP_DATABASE": "sqlite:///app.db"})
    assert (found.kind, found.variable) == ("environment", "MYAPP_DATABASE")


def test_a_variable_with_a_default_falls_back_to_the_config() -> None:
    text = ('import os\nfrom alembic import context\nconfig = context.config\n'
            'url = os.getenv("DB_URL", config.get_main_option("sqlalchemy.url"))\n')
    assert env_connection(text, {}).kind == "config"


def test_an_env_without_config_get_main_option_is_elsewhere() -> None:
    text = "from myapp.db import engine\nconnectable = engine\n"
    assert env_connection(text, {}).kind == "elsewhere"


def test_an_env_py_that_does_not_parse_is_elsewhere() -> None:
    assert env_connection("def broken(:\n", {}).detail == "env.py does not parse"


def test_an_env_that_sets_the_url_itself_is_elsewhere(tmp_path: Path) -> None:
    root = alembic_init(tmp_path / "proj")
    text = (root / "migrations" / "env.py").read_text().replace(
        "config = context.config\n",
        "config = context.config\nconfig.set_main_option('sqlalchemy.url', open('db_url.txt').read())\n")
    found = env_connection(text, {})
    assert (found.kind, found.detail) == ("elsewhere", "env.py sets sqlalchemy.url itself "
                                                       "(config.set_main_option) from a value it computes")


def test_an_absurdly_nested_env_py_does_not_parse_rather_than_crash() -> None:
    for text in ("x = " + "-" * 100_000 + "1", "x = 1" + "+1" * 100_000):  # MemoryError, RecursionError
        assert env_connection(text, {}).detail == "env.py does not parse"
