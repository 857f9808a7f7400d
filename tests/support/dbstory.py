"""Bob's story, built for real: a git repository holding an Alembic project made by `alembic init`, a
revision on `feature/audit` that `main` lacks, and databases upgraded by Alembic itself."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, alembic_config, alembic_project

BASE = "aaaa00000001"  # create users (main, before the branch)
AUDIT = "bbbb00000001"  # add audit log (Bob, feature/audit)
WORKFLOWS = "cccc00000001"  # add workflows (main, after the branch)
BOB = {"GIT_AUTHOR_NAME": "Bob Builder", "GIT_AUTHOR_EMAIL": "bob@example.com",
       "GIT_AUTHOR_DATE": "2026-02-03T10:00:00+00:00"}
PLACEHOLDER = "sqlalchemy.url = driver://user:pass@localhost/dbname"


def bob_story(root: Path, url: str = "sqlite:///app.db", *, base: str = BASE,
              branch: str = "feature/audit") -> Path:
    """main: create users; feature/audit (Bob): add audit log; main again: add workflows. HEAD is main.
    `base` and `branch` rename the first revision and Bob's branch (the hostile-input tests)."""
    alembic_project(root)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace(PLACEHOLDER, f"sqlalchemy.url = {url}"))
    (root / ".gitignore").write_text("app.db\n__pycache__/\n")
    git(root, "init", "-q", "-b", "main")
    add_revision(root, "create users", base)
    commit_all(root, "create users")
    git(root, "checkout", "-q", "-b", branch)
    add_revision(root, "add audit log", AUDIT)
    commit_all(root, "Add the audit log table", env=BOB)
    git(root, "checkout", "-q", "main")
    add_revision(root, "add workflows", WORKFLOWS)
    commit_all(root, "add workflows")
    return root


def alembic_cli(root: Path, *args: str) -> str:
    """The real `alembic` command line, run in the project folder (relative SQLite paths start there)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    done = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=root, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr


def alembic_upgrade(root: Path, url: str, target: str = "head") -> None:
    """Alembic's own `upgrade` through its API, against `url` (for server databases)."""
    from alembic import command

    config = alembic_config(root)
    config.set_main_option("sqlalchemy.url", url)
    with contextlib.redirect_stdout(io.StringIO()):
        command.upgrade(config, target)
