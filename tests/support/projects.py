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


def shared_project(root: Path) -> Path:
    """`alembic init` in `root`, with the script location written relative to the ini (`%(here)s`), as a
    project kept in git has it, so that every clone uses its own files."""
    alembic_project(root)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace(f"script_location = {root / 'migrations'}",
                                           "script_location = %(here)s/migrations"))
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


def linear_revisions(root: Path) -> Path:
    """create users (aaaa00000001), then add users phone (aaaa00000002) on it; returns root."""
    add_revision(root, "create users", "aaaa00000001")
    add_revision(root, "add users phone", "aaaa00000002")
    return root


def forked_revisions(root: Path) -> Path:
    """Two sides on aaaa00000002 (after `linear_revisions`): add audit log (bbbb00000001); add workflows
    (cccc00000001) and add workflow runs (cccc00000002) on it; returns root."""
    add_revision(root, "add audit log", "bbbb00000001", head="aaaa00000002")
    add_revision(root, "add workflows", "cccc00000001", head="aaaa00000002", splice=True)
    add_revision(root, "add workflow runs", "cccc00000002", head="cccc00000001")
    return root
