"""The hooks of `.pre-commit-hooks.yaml` run by the real pre-commit framework (`pre-commit try-repo`) on
test repositories: `ahq-history-check` refuses staged revision files with a second head (and, at the
pre-push stage, a pushed commit with one), and `ahq-history-lint` lints the revision files it is given.

try-repo installs this checkout into pre-commit's own virtualenv. It is given a committed snapshot of the
work tree (tracked files and new ones git does not ignore), since try-repo itself would leave new, not yet
committed modules out. Skipped when pre-commit is not installed, except under CI=true.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.gitcli import commit_all, git, head, run_git
from tests.support.hookgit import ROOT, cli, project_repo
from tests.support.projects import add_revision

HAVE_PRE_COMMIT = importlib.util.find_spec("pre_commit") is not None
if not HAVE_PRE_COMMIT and os.environ.get("CI") != "true":
    pytest.skip("pre-commit is not installed (pip install -e '.[test]')", allow_module_level=True)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(a committed snapshot of this checkout, a PRE_COMMIT_HOME shared by the module's tests)."""
    base = tmp_path_factory.mktemp("precommit")
    snapshot = base / "ahq-history"
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            (snapshot / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, snapshot / name)
    git(snapshot, "init", "-q")
    commit_all(snapshot, "snapshot")
    return snapshot, base / "home"


def try_repo(repo: Path, hook_repo: tuple[Path, Path], hook: str, *options: str
             ) -> subprocess.CompletedProcess[str]:
    snapshot, home = hook_repo
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}  # the hook runs the installed copy
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(snapshot), hook, *options],
                          cwd=repo, capture_output=True, text=True, env={**env, "PRE_COMMIT_HOME": str(home)},
                          timeout=600)


def second_head(repo: Path) -> Path:
    return add_revision(repo, "add users phone", "b2b2b2b2b2b2", head="0a0a0a0a0001", splice=True)


def test_check_refuses_staged_revision_files_with_a_second_head(tmp_path: Path,
                                                                 hook_repo: tuple[Path, Path]) -> None:
    repo = project_repo(tmp_path / "repo")
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    second_head(repo)
    git(repo, "add", "-A")

    done = try_repo(repo, hook_repo, "ahq-history-check", "--all-files")

    assert done.returncode == 1, done.stdout + done.stderr
    assert "ahq-history (no second Alembic head, no broken revision graph)" in done.stdout
    refused = "ahq-history (pre-commit gate): refused: the staged revision files have 2 Alembic heads"
    assert refused in done.stdout
    assert "to commit anyway: git commit --no-verify" in done.stdout


def test_check_passes_one_head(tmp_path: Path, hook_repo: tuple[Path, Path]) -> None:
    repo = project_repo(tmp_path / "repo")
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    git(repo, "add", "-A")

    done = try_repo(repo, hook_repo, "ahq-history-check", "--all-files")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout


def test_check_at_the_pre_push_stage_judges_the_pushed_commit(tmp_path: Path,
                                                              hook_repo: tuple[Path, Path]) -> None:
    repo = project_repo(tmp_path / "repo")
    base = head(repo)
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    second_head(repo)
    pushed = commit_all(repo, "two heads")

    done = try_repo(repo, hook_repo, "ahq-history-check", "--hook-stage", "pre-push",
                    "--from-ref", base, "--to-ref", pushed)

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"would hold ({pushed[:10]}) have 2 Alembic heads" in done.stdout
    assert "to push anyway: git push --no-verify" in done.stdout


def test_lint_reports_the_revision_file_it_is_given(tmp_path: Path, hook_repo: tuple[Path, Path]) -> None:
    repo = project_repo(tmp_path / "repo")
    path = add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    text = path.read_text()
    upgrade = text.index("def upgrade()")
    body = text.index("pass", upgrade)  # an upgrade that creates a table, a downgrade that does nothing
    path.write_text(text[:body] + "op.create_table('audit_log', sa.Column('id', sa.Integer()))"
                    + text[body + len("pass"):])
    (repo / "notes.py").write_text("x = 1\n")  # not a revision file: the hook's `files` leaves it out
    git(repo, "add", "-A")

    done = try_repo(repo, hook_repo, "ahq-history-lint", "--all-files")

    assert done.returncode == 1, done.stdout + done.stderr
    assert f"{path.relative_to(repo).as_posix()}:" in done.stdout
    assert "AHQ001 [error]" in done.stdout
    assert "lint: 1 error, 0 warnings in 2 revisions" in done.stdout  # --all-files: both revision files


LOCAL_CONFIG = """repos:
  - repo: local
    hooks:
      - {id: says-hello, name: says hello, entry: echo hello, language: system, pass_filenames: false}
"""


def test_our_gate_beside_pre_commit_s_own_hook_still_refuses(tmp_path: Path) -> None:
    """`pre-commit install`, then `hooks install --pre-commit`: ours goes beside pre-commit's hook as the
    file it runs first, and a refusal there stops the commit."""
    repo = project_repo(tmp_path / "repo")
    (repo / ".pre-commit-config.yaml").write_text(LOCAL_CONFIG)
    commit_all(repo, "pre-commit config")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo, check=True, capture_output=True,
                   env={**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home")})
    installed = cli(repo, "hooks", "install", "--pre-commit")
    assert installed.returncode == 0, installed.stderr
    add_revision(repo, "add audit log", "a1a1a1a1a1a1")
    second_head(repo)
    git(repo, "add", "-A")
    before = head(repo)

    committed = run_git(repo, "commit", "-m", "two heads", env={"PRE_COMMIT_HOME": str(tmp_path / "home")})

    assert committed.returncode == 1
    assert "ahq-history (pre-commit gate): refused" in committed.stdout + committed.stderr
    assert head(repo) == before
