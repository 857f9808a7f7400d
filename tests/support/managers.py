"""Other hook managers, the real tools, for the coexistence tests: husky 9 (npm, installed once per session),
lefthook and pre-commit (PyPI, from the test extra). A tool that cannot be had skips the test with the
reason, except under CI, where it fails. And the twin comparison: a repository's files and hooks folder,
contents and executable bits, without timestamps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IN_CI
from tests.support.gitcli import git, run_git

BIN = Path(sys.executable).parent  # the test environment's scripts: ahq-history, lefthook, pre-commit
MARKERS = "../markers"  # other managers' hooks append here: beside the repository, the same in each twin


def unavailable(tool: str, reason: str) -> None:
    if IN_CI:
        pytest.fail(f"{tool} is required under CI but unavailable: {reason}")
    pytest.skip(f"{tool} unavailable: {reason}")


def with_path(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a user's shell would give git: the test environment's scripts on PATH."""
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", **(env or {})}


def tool(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """A manager's command run as its user would (`lefthook install`, `pre-commit install`); must succeed."""
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=with_path())
    assert done.returncode == 0, f"{' '.join(command)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def npm_husky(folder: Path) -> Path:
    """`npm install husky@9` once into `folder`; its node_modules."""
    if shutil.which("npm") is None:
        unavailable("husky", "npm is not installed")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text('{"name": "husky-cache", "private": true}\n')
    done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "husky@9"], cwd=folder,
                          capture_output=True, text=True)
    if done.returncode != 0:
        unavailable("husky", f"npm install husky@9 failed: {done.stderr.strip()[-300:]}")
    return folder / "node_modules"


def husky_init(repo: Path, node_modules: Path) -> None:
    """A JavaScript side for `repo` (package.json, husky linked from the session's install) and
    `npx husky init`, which sets core.hooksPath to .husky/_ and writes .husky/pre-commit."""
    (repo / "package.json").write_text('{"name": "shop", "private": true, "scripts": {}}\n')
    (repo / "node_modules").symlink_to(node_modules, target_is_directory=True)
    with (repo / ".gitignore").open("a") as ignore:
        ignore.write("node_modules\n")
    tool(repo, "npx", "--no-install", "husky", "init")


def lefthook() -> str:
    found = shutil.which("lefthook", path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        unavailable("lefthook", "no lefthook on PATH (pip install lefthook; it is in the test extra)")
    return str(found)


def pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        unavailable("pre-commit", "not importable (pip install pre-commit; it is in the test extra)")
    return [sys.executable, "-m", "pre_commit"]


def merge_a_branch(repo: Path, label: str) -> subprocess.CompletedProcess[str]:
    """A side branch with one commit, merged back with `git merge --no-ff` (post-merge runs);
    the ahq-history hooks say what they did (AHQ_HISTORY_HOOK_DEBUG)."""
    env = with_path({"AHQ_HISTORY_HOOK_DEBUG": "1"})
    git(repo, "checkout", "-q", "-b", label, env=env)
    (repo / f"{label}.txt").write_text(f"{label}\n")
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", label, env=env)
    git(repo, "checkout", "-q", "main", env=env)
    done = run_git(repo, "merge", "--no-ff", "-m", f"merge {label}", label, env=env)
    assert done.returncode == 0, done.stderr
    return done


def markers(repo: Path) -> list[str]:
    path = repo / MARKERS
    return path.read_text().split() if path.exists() else []


def snapshot(repo: Path, hooks: Path) -> dict[str, object]:
    """The repository's files (outside .git, node_modules and caches), its hooks folder and local git
    config: names, contents and executable bits; lefthook's checksum file without its timestamp."""
    files: dict[str, object] = {}
    for place, prefix in ((repo, "tree"), (hooks, "hooks"), (repo / ".git" / "info", "info")):
        for path in sorted(place.rglob("*")):
            parts = path.relative_to(place).parts
            if (path.is_dir() or (".git" in parts and place == repo) or "node_modules" in parts
                    or "__pycache__" in parts):
                continue
            data = path.read_bytes()
            if path.name == "lefthook.checksum":
                data = data.split()[0]
            files[f"{prefix}/{'/'.join(parts)}"] = (data, os.access(path, os.X_OK))
    files["config"] = git(repo, "config", "--local", "--list")
    return files
