"""The rehearsal that docs/MIGRATIONS.md shows: this repository's own migrations in a bare origin and
clones (Alice, Bob, Bob again with `pull --rebase`, Chris), revisions written by Alembic's `revision`
command with the guide's ids, real git pulls with the hooks installed, SQLite databases at the revision
each person applied. Each chapter returns transcripts (`$ command` lines and what it printed, both
streams) by the name a doc marker gives them (`<!-- output: NAME -->`)."""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from unittest import mock

from tests.support.gitcli import bare_origin_and_clones, git
from tests.support.hookgit import ROOT, bob_after_pull, write_hook
from tests.support.mergeproject import add_column
from tests.support.sqlitedb import database

ALICE_REV, BOB_REV, CHRIS_REV, FEATURE_REV, LINT_REV = (
    "f23062673c3e", "1f4364569b02", "50c33dd66e5a", "a7c798157d9f", "9fe6e04bf6e5")
FORK = "707645e9a405"  # this repository's head, where everyone starts
STORY_IDS = frozenset({ALICE_REV, BOB_REV, CHRIS_REV, FEATURE_REV, LINT_REV, "a1a1a1a1a1a1", "b2b2b2b2b2b2"}
                      | {p.name[:12] for p in (ROOT / "migrations" / "versions").glob("*.py")})
SHOWN_TMP = "/tmp/story"  # the docs show the story's folder as this
SHOWN_PYTHON = "/home/alice/automatehq/.venv/bin/python"  # and the tests' Python as this


def person(name: str, email: str) -> dict[str, str]:
    return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email}


ALICE = person("Alice Martin", "alice@automatehq.example")
BOB = person("Bob Keller", "bob@automatehq.example")
CHRIS = person("Chris Park", "chris@automatehq.example")


class Shell:
    """Commands run as a person types them in `tmp`'s clones; what they print, as the docs show it."""

    def __init__(self, tmp: Path) -> None:
        home = tmp / "home"
        home.mkdir()
        (home / ".gitconfig").write_text("[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n"
                                         "[advice]\n\tdetachedHead = false\n")
        self.tmp = tmp
        self.env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "GIT_DIR")}
        self.env.update(HOME=str(home), GIT_CONFIG_NOSYSTEM="1", **person("Seed", "seed@automatehq.example"),
                        GIT_AUTHOR_DATE="2026-11-24T09:00:00+00:00",
                        GIT_COMMITTER_DATE="2026-11-24T09:00:00+00:00")

    def run(self, cwd: Path, *lines: str, who: dict[str, str] | None = None) -> str:
        """`$ LINE` and its output for each line (`VAR=value` prefixes are the command's environment)."""
        shown = []
        for line in lines:
            words = shlex.split(line)
            extra = dict(w.split("=", 1) for w in words if "=" in w.split("/")[0] and w[0].isupper())
            words = words[len(extra):]
            argv = [sys.executable, "-m", "ahq_history", *words[1:]] if words[0] == "ahq-history" else words
            done = subprocess.run(argv, cwd=cwd, env={**self.env, **(who or {}), **extra}, text=True,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
            shown.append(f"$ {line}\n{done.stdout}")
        return self.shown("".join(shown))

    def quiet(self, cwd: Path, *args: str, who: dict[str, str] | None = None) -> None:
        git(cwd, *args, env={**self.env, **(who or {})})

    def commit(self, cwd: Path, message: str, who: dict[str, str]) -> None:
        self.quiet(cwd, "add", "-A")
        self.quiet(cwd, "commit", "-q", "-m", message, who=who)

    def shown(self, text: str) -> str:
        """As a terminal shows it: git's progress lines (`\\r`, erase to the end) are written over."""
        lines = [line.replace("\x1b[K", "").rsplit("\r", 1)[-1] for line in text.split("\n")]
        return "\n".join(lines).replace(str(self.tmp), SHOWN_TMP).replace(sys.executable, SHOWN_PYTHON)


def revision(clone: Path, message: str, rev_id: str, head: str = "head") -> Path:
    """`alembic revision -m MESSAGE --rev-id ID` in the clone's Flask-Migrate folder (env.py is not run)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(clone / "migrations" / "alembic.ini"), stdout=io.StringIO())
    config.set_main_option("script_location", str(clone / "migrations"))
    with contextlib.chdir(clone), contextlib.redirect_stdout(io.StringIO()):
        script = command.revision(config, message=message, rev_id=rev_id, head=head)
    assert script is not None and not isinstance(script, list)
    return Path(script.path)


def applied(clone: Path, *rows: str) -> None:
    """The clone's database (`[tool.ahq-history] database-url`) holding `rows` in alembic_version."""
    path = clone / "instance" / "automatehq.db"
    path.parent.mkdir(exist_ok=True)
    path.unlink(missing_ok=True)
    database(path, *rows)


def seed(sh: Shell) -> tuple[Path, ...]:
    """This repository's migrations and tool settings in a bare origin; the clones of the rehearsal."""
    root = sh.tmp / "seed"
    shutil.copytree(ROOT / "migrations", root / "migrations", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "pyproject.toml").write_text(
        '[tool.ahq-history]\ndatabase-url = "sqlite:///instance/automatehq.db"\n'
        'upgrade-command = "flask --app backend.run db upgrade"\n')
    (root / "users.py").write_text("class User:\n    name = 'String(80)'\n")
    (root / ".gitignore").write_text("__pycache__/\ninstance/\n")
    sh.quiet(root, "init", "-q", "-b", "main")
    sh.commit(root, "the backend's migrations", person("AutomateHQ maintainers", "dev@automatehq.example"))
    return bare_origin_and_clones(sh.tmp, root, ("alice", "bob", "rebaser", "chris", "linter", "late"))


def alice_pushes(sh: Shell, alice: Path) -> dict[str, str]:
    add_column(revision(alice, "add timezone to users", ALICE_REV), "users", "timezone")
    (alice / "users.py").write_text("class User:\n    name = 'String(80)'\n    timezone = 'String(64)'\n")
    sh.commit(alice, "users: timezone", ALICE)
    shown = {"alice-check": sh.run(alice, "ahq-history check")}
    sh.quiet(alice, "push", "-q", "origin", "main")
    return shown


def bob_side(sh: Shell, clone: Path) -> None:
    add_column(revision(clone, "add schedule to workflows", BOB_REV), "workflows", "schedule")
    sh.commit(clone, "workflows: schedule", BOB)
    applied(clone, BOB_REV)


def bob_pulls(sh: Shell, bob: Path) -> dict[str, str]:
    """Bob, before and after his pull (a merge), then his merge revision and his re-parent."""
    shown = {"hooks-install": sh.run(bob, "ahq-history hooks install")}
    bob_side(sh, bob)
    shown["bob-against"] = sh.run(bob, "git fetch", "ahq-history check --against origin/main")
    shown["against-unknown"] = sh.run(bob, "ahq-history check --against origin/nope")
    shown["bob-pull"] = sh.run(bob, "git pull", who=BOB)
    shown["bob-check"] = sh.run(bob, "ahq-history check")
    shown["bob-dry-run"] = sh.run(bob, "ahq-history merge-heads --dry-run")
    shown["merge-yes"] = sh.run(bob, 'ahq-history merge-heads --yes -m "merge users.timezone and '
                                     'workflows.schedule"')
    shown["one-head"] = sh.run(bob, "ahq-history merge-heads --yes")
    sh.quiet(bob, "clean", "-q", "-fd", "migrations")  # back to the fork, for the re-parent
    shown["rebase-refused"] = sh.run(bob, "ahq-history merge-heads --rebase --dry-run")
    applied(bob, FORK)
    shown["rebase"] = sh.run(bob, "ahq-history merge-heads --rebase --dry-run",
                             "ahq-history merge-heads --rebase --yes")
    applied(bob, ALICE_REV)
    shown["status-behind"] = sh.run(bob, "ahq-history status")
    return shown


def others(sh: Shell, rebaser: Path, chris: Path) -> dict[str, str]:
    """Bob's `pull --rebase`, and Chris, whose revision adds the same column as Alice's."""
    sh.run(rebaser, "ahq-history hooks install")
    bob_side(sh, rebaser)
    shown = {"bob-pull-rebase": sh.run(rebaser, "git pull --rebase", who=BOB)}
    sh.run(chris, "ahq-history hooks install")
    add_column(revision(chris, "add timezone to user profile", CHRIS_REV), "users", "timezone")
    (chris / "users.py").write_text("class User:\n    name = 'String(80)'\n    timezone = 'String(50)'\n")
    sh.commit(chris, "users: timezone", CHRIS)
    subprocess.run(["git", "pull", "-q"], cwd=chris, env={**sh.env, **CHRIS}, capture_output=True)
    (chris / "users.py").write_text("class User:\n    name = 'String(80)'\n    timezone = 'String(64)'\n")
    sh.quiet(chris, "add", "users.py")
    shown["chris-commit"] = sh.run(chris, "git commit -q --no-edit", who=CHRIS)
    shown["conflict-check"] = sh.run(chris, "ahq-history check")
    return shown


def alice_switches(sh: Shell, alice: Path) -> dict[str, str]:
    """Alice applies a revision of her feature branch, switches to main and back."""
    sh.run(alice, "ahq-history hooks install")
    sh.quiet(alice, "switch", "-q", "-c", "feature/audit-retention")
    add_column(revision(alice, "add audit retention to workspaces", FEATURE_REV), "workspaces", "retention")
    sh.commit(alice, "workspaces: audit retention", ALICE)
    applied(alice, FEATURE_REV)
    shown = {"switch-away": sh.run(alice, "git switch main")}
    shown["status-ahead"] = sh.run(alice, "ahq-history status")
    applied(alice, ALICE_REV)
    shown["switch-back"] = sh.run(alice, "git switch feature/audit-retention")
    return shown


def lint_and_hooks(sh: Shell, linter: Path) -> dict[str, str]:
    """A hand-written revision for `lint`; the hooks' status and uninstall beside a hook already there."""
    path = revision(linter, "backfill workflow triggers", LINT_REV)
    text = path.read_text().replace("def upgrade():\n    pass", (
        "def upgrade():\n    op.drop_column('workflows', 'trigger')\n"
        "    op.execute(\"UPDATE workflows SET schedule = 'manual' WHERE schedule IS NULL\")"), 1)
    path.write_text(text)
    write_hook(linter / ".git" / "hooks" / "post-merge", "echo 'the team hook'\n")
    sh.run(linter, "ahq-history hooks install")
    return {"lint-head": sh.run(linter, "ahq-history lint head"),
            "hooks-status": sh.run(linter, "ahq-history hooks status", "ahq-history hooks uninstall"),
            "status-unreachable": sh.run(
                linter, "DATABASE_URL=postgresql://postgres@127.0.0.1:5499/automatehq ahq-history status")}


def out_of_time(sh: Shell, late: Path) -> dict[str, str]:
    """A pull whose hook has no time to look (a budget far below what reading git takes)."""
    sh.run(late, "ahq-history hooks install")
    return {"hook-gave-up": sh.run(late, "AHQ_HOOK_BUDGET=0.001 git pull -q")}


def gate(sh: Shell) -> dict[str, str]:
    """The pre-push gate refusing Bob's push of two heads (the hooks' own story)."""
    bob = bob_after_pull(sh.tmp / "gate")
    sh.run(bob, "ahq-history hooks install --pre-push")
    return {"gate-push": sh.run(bob, "git push")}


def rehearsal(tmp: Path) -> dict[str, str]:
    """Every transcript of the rehearsal, by name."""
    sh = Shell(tmp)
    with mock.patch.dict(os.environ, sh.env, clear=True):  # the builders' own git calls, isolated too
        alice, bob, rebaser, chris, linter, late = seed(sh)
        shown = {"history": sh.run(alice, "ahq-history history --no-git")}
        shown |= alice_pushes(sh, alice)
        shown |= bob_pulls(sh, bob)
        shown |= others(sh, rebaser, chris)
        shown |= alice_switches(sh, alice)
        shown |= lint_and_hooks(sh, linter)
        shown |= out_of_time(sh, late)
        shown |= gate(sh)
    return shown
