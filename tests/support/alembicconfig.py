"""Alembic configurations made by `alembic init` through Alembic's API, read back as Alembic's CLI reads them,
and edited as a user edits them, for the tests that compare our reading of a layout with Alembic's."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config


def alembic_init(folder: Path, template: str = "generic", directory: str = "alembic") -> Config:
    """`alembic init` through Alembic's API, run from `folder` as a user would."""
    folder.mkdir(parents=True, exist_ok=True)
    toml = folder / "pyproject.toml" if template.startswith("pyproject") else None
    cfg = Config(str(folder / "alembic.ini"), toml_file=str(toml) if toml else None)
    command.init(cfg, str(folder / directory), template=template)
    return alembic_config(folder)


def alembic_config(folder: Path, ini: str = "alembic.ini") -> Config:
    """The Config Alembic's CLI builds when run in `folder` (both files of the folder)."""
    toml = folder / "pyproject.toml"
    return Config(str(folder / ini), toml_file=str(toml) if toml.is_file() else None)


def set_options(ini: Path, **options: str) -> None:
    """Add or replace options of the [alembic] section, keeping the rest of the file as written."""
    lines = [line for line in ini.read_text().splitlines() if line.split("=")[0].strip() not in options]
    at = lines.index("[alembic]") + 1
    lines[at:at] = [f"{key} = {value}" for key, value in options.items()]
    ini.write_text("\n".join(lines) + "\n")
