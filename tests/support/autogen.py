"""Revision files written by the real tools: `alembic revision --autogenerate` and `flask db migrate`.

Each project keeps its own SQLite database, so a test can step a schema forward (upgrade, change the
metadata, autogenerate) the way a developer does.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa


class AutogenProject:
    """`alembic init` in `root`, with env.py reading the target metadata from `config.attributes`."""

    def __init__(self, root: Path, *, batch: bool = False, existing: bool = False) -> None:
        """`existing`: `root` already holds such a project (a copy of another's folder, database included)."""
        from alembic import command
        from alembic.config import Config

        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.config = Config(str(root / "alembic.ini"), stdout=io.StringIO())
        if not existing:
            with contextlib.redirect_stdout(io.StringIO()):
                command.init(self.config, str(root / "migrations"))
        # after init (the config reads its file on first use); a copy's ini still names the original folder
        self.config.set_main_option("script_location", str(root / "migrations"))
        self.config.set_main_option("sqlalchemy.url", f"sqlite:///{root / 'app.db'}")
        if existing:
            return
        env = root / "migrations" / "env.py"
        text = env.read_text()
        metadata = 'target_metadata = config.attributes["target_metadata"]'
        text = text.replace("target_metadata = None", metadata)
        text = text.replace(
            "connection=connection, target_metadata=target_metadata",
            f"connection=connection, target_metadata=target_metadata, render_as_batch={batch}",
        )
        env.write_text(text)

    def revise(self, metadata: sa.MetaData, message: str, *, rev_id: str | None = None) -> Path:
        """Upgrade the database to head, then autogenerate a revision from `metadata`; the new file."""
        from alembic import command

        self.config.attributes["target_metadata"] = metadata
        with contextlib.redirect_stdout(io.StringIO()):
            command.upgrade(self.config, "head")
            script = command.revision(self.config, message=message, autogenerate=True, rev_id=rev_id)
        assert script is not None and not isinstance(script, list)
        return Path(script.path)


def flask_migrate_revisions(root: Path, steps: list[Callable[[Any], None]]) -> list[Path]:
    """`flask db init`, then for each step: define models on a fresh `db`, `flask db upgrade`,
    `flask db migrate`. A step receives the Flask-SQLAlchemy `db` and declares its models on it."""
    from flask import Flask
    from flask_migrate import Migrate, init, migrate, upgrade
    from flask_sqlalchemy import SQLAlchemy

    directory = str(root / "migrations")
    written: list[Path] = []
    for number, step in enumerate(steps):
        app = Flask(f"autogen_{number}")
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{root / 'app.db'}"
        db = SQLAlchemy(app)
        step(db)
        Migrate(app, db, directory=directory, render_as_batch=True)
        with app.app_context(), contextlib.redirect_stdout(io.StringIO()):
            if number == 0:
                init(directory)
            upgrade(directory)
            before = set((root / "migrations" / "versions").glob("*.py"))
            migrate(directory, message=f"step {number}", rev_id=f"step{number:08d}")
        written.extend(sorted(set((root / "migrations" / "versions").glob("*.py")) - before))
    return written
