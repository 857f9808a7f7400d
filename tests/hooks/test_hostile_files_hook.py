"""The post-merge hook when the versions folder holds what is not a revision: a symlink to `/dev/zero`, and a
FIFO (git does not track FIFOs; the hook must not trip over one either); and a pull that commits a revision
file with git conflict markers in it. The hook finishes in seconds, names the file, and advises finishing
the merge instead of a `merge-heads` over a history git does not hold."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.gitcli import commit_all, git
from tests.support.hookgit import ALICE, BOB, cli, team
from tests.support.hostile import printed_commands
from tests.support.projects import add_revision


def _diverging_pull(tmp: Path, before_pull: str = "") -> subprocess.CompletedProcess[str]:
    """Alice publishes a revision, Bob commits one on the same parent; `before_pull` prepares Bob's
    versions folder; then Bob pulls (a git merge) with the hooks installed. What the pull printed."""
    _origin, alice, bob = team(tmp)
    assert cli(bob, "hooks", "install").returncode == 0
    add_revision(alice, "add audit log", "a1a1a1a1a1a1")
    commit_all(alice, "audit log", env=ALICE)
    git(alice, "push", "-q", "origin", "main")
    add_revision(bob, "add users phone", "b2b2b2b2b2b2")
    versions = bob / "migrations" / "versions"
    if before_pull == "devices":
        (versions / "zero.py").symlink_to("/dev/zero")
        os.mkfifo(versions / "fifo.py")
    if before_pull == "committed_markers":
        path = next(versions.glob("b2b2b2b2b2b2_*.py"))
        text = path.read_text()
        path.write_text(text.replace("down_revision", "<<<<<<< HEAD\ndown_revision", 1)
                        .replace("\nbranch_labels", "\n=======\ndown_revision = None\n>>>>>>> theirs\n"
                                 "branch_labels", 1))
    commit_all(bob, "users phone", env=BOB)
    return subprocess.run(["git", "pull", "--no-rebase", "--no-edit", "origin", "main"], cwd=bob,
                          capture_output=True, text=True, timeout=60, env={**os.environ, **BOB})


def test_post_merge_with_a_symlink_to_dev_zero_and_a_fifo_finishes_and_names_them(tmp_path: Path) -> None:
    done = _diverging_pull(tmp_path, "devices")
    assert done.returncode == 0
    assert "migrations/versions/zero.py cannot be read (it is a character device, not a file)" \
        in done.stderr
    assert "gave up" not in done.stderr  # finished on its own, not cut off by the budget
    assert printed_commands(done.stderr) == []  # no merge advised over a folder it could not read


def test_committed_conflict_markers_advise_finishing_the_git_merge_not_rebase(tmp_path: Path) -> None:
    done = _diverging_pull(tmp_path, "committed_markers")
    assert done.returncode == 0
    assert "b2b2b2b2b2b2_add_users_phone.py:16: git conflict marker `<<<<<<< HEAD`" in done.stderr
    assert "finish the git merge" in done.stderr
    assert "--rebase" not in done.stderr and printed_commands(done.stderr) == []


def test_post_checkout_with_dev_zero_dev_tty_a_fifo_and_a_loop_names_them(tmp_path: Path) -> None:
    """A branch switch that changes revision files, with a database the hook can name: the hook loads the
    work tree to compare, meets the attacks, names them, and lets git finish."""
    _origin, _alice, bob = team(tmp_path)
    ini = bob / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", "sqlite:///app.db"))
    (bob / ".gitignore").write_text("__pycache__/\napp.db\n")
    commit_all(bob, "use sqlite", env=BOB)
    assert cli(bob, "hooks", "install").returncode == 0
    git(bob, "checkout", "-q", "-b", "feature")
    add_revision(bob, "add users phone", "b2b2b2b2b2b2")
    commit_all(bob, "users phone", env=BOB)
    versions = bob / "migrations" / "versions"
    (versions / "zero.py").symlink_to("/dev/zero")
    (versions / "tty.py").symlink_to("/dev/tty")
    (versions / "loop.py").symlink_to(versions / "loop.py")
    os.mkfifo(versions / "fifo.py")
    done = subprocess.run(["git", "checkout", "main"], cwd=bob, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **BOB})
    assert done.returncode == 0
    assert "migrations/versions/fifo.py cannot be read (it is a FIFO, not a file)" in done.stderr
    assert "gave up" not in done.stderr and "Traceback" not in done.stderr
