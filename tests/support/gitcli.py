"""git run as a command in the tests' repositories: a call that raises with git's own words, one that keeps
the exit code and both streams, and committing the whole work tree."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """Run git in `cwd` and return its stdout; a failure raises with git's own words."""
    merged = {**os.environ, **(env or {})}
    done = subprocess.run(["git", *args], cwd=cwd, env=merged, capture_output=True, text=True)
    if done.returncode != 0:
        command = " ".join(args)
        raise AssertionError(f"git {command} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


def run_git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """git, keeping its exit code and both streams (hook output goes to stderr)."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()


def commit_all(repo: Path, message: str, env: dict[str, str] | None = None) -> str:
    """`git add -A` and `git commit -q -m MESSAGE` (as the author in `env`); the new commit's sha."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message, env=env)
    return head(repo)


def bare_origin_and_clones(tmp: Path, seed: Path,
                           names: tuple[str, ...] = ("alice", "bob")) -> tuple[Path, ...]:
    """Publish the committed `seed` as a bare `origin.git` in `tmp` and clone it once per name."""
    git(tmp, "clone", "-q", "--bare", str(seed), str(tmp / "origin.git"))
    for name in names:
        git(tmp, "clone", "-q", str(tmp / "origin.git"), str(tmp / name))
    return tuple(tmp / name for name in names)
