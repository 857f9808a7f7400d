"""The AutomateHQ application factory."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from backend.app.config import INSTANCE_DIR, MIGRATIONS_DIR, default_settings
from backend.app.extensions import db, migrate


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: settings from the environment, then `config` on top of them."""
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.from_mapping(default_settings())
    if config:
        app.config.from_mapping(config)
    # The default SQLite file lives in instance/; SQLite creates the file but not its folder.
    INSTANCE_DIR.mkdir(exist_ok=True)

    db.init_app(app)
    # An absolute folder, so `flask db ...` finds the migrations from any working directory.
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))

    from backend.app import models  # noqa: F401 - registers the tables on db.metadata
    from backend.app.api import api

    app.register_blueprint(api)
    return app
