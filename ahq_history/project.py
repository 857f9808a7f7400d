"""Find and read the Alembic layout without importing Alembic (standard library only).

Contract used by every other module (the helper building discovery fills in the bodies):
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Layout = Literal["flask-migrate", "alembic-ini", "pyproject"]


@dataclass(frozen=True)
class Project:
    """An Alembic project as its configuration describes it. Paths are absolute."""

    root: Path  # folder that Revision.path values are relative to (ini's folder; for Flask-Migrate
    # the folder that holds `migrations/`; for pyproject the pyproject's folder)
    config_path: Path  # the alembic.ini / migrations/alembic.ini / pyproject.toml that was read
    layout: Layout
    script_location: Path
    version_locations: tuple[Path, ...]  # in configuration order; default: script_location/versions
    recursive: bool = False  # recursive_version_locations
    file_template: str = "%%(rev)s_%%(slug)s"  # as Alembic reads it (before interpolation of %%)
    template_name: str = "script.py.mako"
    database_url: str | None = None  # ini's sqlalchemy.url; the `alembic init` placeholder is None
    settings: dict[str, object] = field(default_factory=dict)  # [tool.ahq-history] of pyproject.toml
    ini_section: str = "alembic"

    @property
    def upgrade_command(self) -> str:
        """The command the team runs to apply revisions (configurable as `upgrade-command`)."""
        configured = self.settings.get("upgrade-command")
        if isinstance(configured, str) and configured:
            return configured
        if self.layout == "flask-migrate":
            return "flask db upgrade"
        return "alembic upgrade head"


def find_project(start: Path | None = None, config: Path | None = None) -> Project:
    """Find the project from `start` (default: the current folder) or from an explicit `config` file.

    Raises ConfigError (exit 2) naming every place that was looked at when nothing is found.
    """
    raise NotImplementedError
