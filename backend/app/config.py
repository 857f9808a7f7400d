"""Configuration read from the environment, with an embedded SQLite default for development."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

# The repository root: backend/app/config.py -> backend/app -> backend -> root.
REPO_ROOT = Path(__file__).resolve().parents[2]
INSTANCE_DIR = REPO_ROOT / "instance"
MIGRATIONS_DIR = REPO_ROOT / "migrations"

# Keep in agreement with `[tool.ahq-history] database-url = "sqlite:///instance/automatehq.db"` in
# pyproject.toml: ahq-history resolves that relative path from the project root, so both name this one file.
# The path is absolute here so that `flask` finds the same file whatever the current folder.
DEFAULT_DATABASE_URL = f"sqlite:///{INSTANCE_DIR / 'automatehq.db'}"

DEFAULT_DRIVERS = {
    "postgres": "postgresql+psycopg2",
    "postgresql": "postgresql+psycopg2",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}


def database_url(environ: Mapping[str, str] | None = None) -> str:
    """The database URL: `DATABASE_URL` when set, else the SQLite file under instance/.

    A URL that names no driver gets the one the `backend` extra installs (SQLAlchemy 2.1 would pick
    psycopg 3 or mysqlclient, which it does not), and `postgres://`, as hosting platforms write it, is
    understood.
    """
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
    scheme, sep, rest = url.partition("://")
    driver = DEFAULT_DRIVERS.get(scheme.lower())
    return f"{driver}{sep}{rest}" if sep and driver else url


def default_settings() -> dict[str, object]:
    """Settings for `create_app`, read from the environment when the app is made (not at import)."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url(),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    }
