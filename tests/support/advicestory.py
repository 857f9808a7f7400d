"""The advisor's story matrix: Bob's clone diverged from Alice's or not, his revision local or pushed, applied
to his database or not or in a database the tool cannot name, the two sides conflicting or not.

The project is made by `alembic init`; its env.py takes the URL from DATABASE_URL, else from a file beside
alembic.ini (`db_url.txt`, as a team keeps a local setting). With DATABASE_URL set the tool reads that
database ("applied" or "not"); without it the tool cannot name the database ("unknown"), while Alembic's
own commands still find it through the file.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tests.support.dbstory import alembic_cli
from tests.support.gitcli import commit_all, git
from tests.support.hookgit import ALICE, BASE, BOB
from tests.support.mergeproject import add_column, create_table, new_revision
from tests.support.mergestory import ALICE_REV, BOB_REV, team

Applied = Literal["applied", "not", "unknown"]
ENV_URL = ("config = context.config\n"
           "import os, pathlib\n"
           "config.set_main_option('sqlalchemy.url', os.environ.get('DATABASE_URL') or "
           "pathlib.Path(config.config_file_name).with_name('db_url.txt').read_text().strip())\n")


@dataclass(frozen=True)
class State:
    diverged: bool
    published: bool  # Bob pushed his revision
    applied: Applied  # Bob's revision applied to his database; "unknown": applied, where the tool cannot see
    conflict: bool  # both add users.phone

    @property
    def name(self) -> str:
        return "-".join([
            "diverged" if self.diverged else "linear", "published" if self.published else "local",
            {"applied": "applied", "not": "unapplied", "unknown": "applied-unknown"}[self.applied],
            *(["conflict"] if self.conflict else []),
        ])

    def database_url(self, clone: Path) -> str | None:
        """What DATABASE_URL holds for the tool in this state (None: unset)."""
        return None if self.applied == "unknown" else db_url(clone)


def states() -> list[State]:
    found = [State(True, published, applied, conflict) for published in (False, True)
             for applied in ("not", "applied", "unknown") for conflict in (False, True)]
    found += [State(False, published, applied, False) for published in (False, True)
              for applied in ("not", "applied", "unknown")]
    return found


def db_url(clone: Path) -> str:
    return f"sqlite:///{clone / 'app.db'}"


def point_at_own_database(clone: Path) -> None:
    """`db_url.txt` names the clone's own app.db (after a copy too)."""
    (clone / "db_url.txt").write_text(db_url(clone) + "\n")


def _revision(clone: Path, message: str, rev_id: str, head: str, phone: bool, table: str) -> None:
    path = new_revision(clone, message, rev_id, head=head)
    if phone:
        add_column(path, "users", "phone")
    else:
        create_table(path, table)


def build(tmp: Path, state: State) -> tuple[Path, str]:
    """Bob's clone in `state`, and what the post-merge hook printed after his last pull."""
    from ahq_history.hooks.run import run_hook

    alice, bob = team(tmp)
    env = alice / "migrations" / "env.py"
    env.write_text(env.read_text().replace("config = context.config\n", ENV_URL, 1))
    commit_all(alice, "env.py: the URL from DATABASE_URL or db_url.txt", ALICE)
    git(alice, "push", "-q", "origin", "main")
    git(bob, "pull", "-q", "--no-edit", "origin", "main", env=BOB)
    point_at_own_database(bob)
    _revision(alice, "add phone", ALICE_REV, BASE, state.conflict, "phones")
    commit_all(alice, "alice's revision", ALICE)
    git(alice, "push", "-q", "origin", "main")
    if not state.diverged:
        git(bob, "pull", "-q", "--no-edit", "origin", "main", env=BOB)
    parent = BASE if state.diverged else ALICE_REV
    _revision(bob, "add audit log", BOB_REV, parent, state.conflict, "audit_log")
    commit_all(bob, "bob's revision", BOB)
    if state.published:
        git(bob, "push", "-q", "origin", "HEAD:refs/heads/bob-wip" if state.diverged else "HEAD:main")
    alembic_cli(bob, "upgrade", BASE if state.applied == "not" else BOB_REV)
    said = io.StringIO()
    if state.diverged:
        git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", env=BOB)
        run_hook("post-merge", ["0"], out=said, err=io.StringIO(), start=bob, environ={})
    return bob, said.getvalue()
