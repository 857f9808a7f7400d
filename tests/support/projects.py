"""Real Alembic projects made by Alembic's own commands, for tests."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path


def alembic_config(root: Path):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    return Config(str(root / "alembic.ini"), stdout=io.StringIO())


def alembic_project(root: Path, template: str = "generic") -> Path:
    """`alembic init migrations` in `root`; returns root."""
    from alembic import command
    from alembic.config import Config

    root.mkdir(parents=True, exist_ok=True)
    config = Config(str(root / "alembic.ini"), stdout=io.StringIO())
    with contextlib.redirect_stdout(io.StringIO()):
        command.init(config, str(root / "migrations"), template=template)
    return root


def add_revision(root: Path, message: str, rev_id: str, head: str = "head",
                 branch_label: str | None = None, depends_on: str | None = None,
                 splice: bool = False) -> Path:
    """`alembic revision -m MESSAGE --rev-id REV_ID --head HEAD`; returns the new file."""
    from alembic import command

    with contextlib.redirect_stdout(io.StringIO()):
        script = command.revision(alembic_config(root), message=message, rev_id=rev_id, head=head,
                                  branch_label=branch_label, depends_on=depends_on, splice=splice)
    assert script is not None and not isinstance(script, list)
    return Path(script.path)
