"""The hooks in a repository that holds two Alembic projects: after a real `git pull` that brings a
divergence into one of them, the hook warns about that one, naming its configuration, and its command
takes `-c`. Projects are made by `alembic init` and `alembic revision`; Alice and Bob clone a bare origin."""

from __future__ import annotations

from pathlib import Path

from tests.support.gitcli import bare_origin_and_clones, commit_all, git, run_git
from tests.support.hookgit import ALICE, BOB, cli
from tests.support.projects import add_revision, shared_project

BASE_ONE, BASE_TWO = "1111aaaa0001", "2222aaaa0001"
ALICE_REV, BOB_REV = "a11ce0000002", "b0b000000002"


def two_projects_team(tmp: Path, listed: str | None = None) -> tuple[Path, Path]:
    """A seed repository with projects `one/` and `two/` (one revision each; `listed`, when given, is the
    root pyproject.toml's `[tool.ahq-history] projects`), published; Alice's and Bob's clones."""
    seed = tmp / "seed"
    for name, base in (("one", BASE_ONE), ("two", BASE_TWO)):
        shared_project(seed / name)
        add_revision(seed / name, "create users", base)
    (seed / ".gitignore").write_text("__pycache__/\n")
    if listed is not None:
        (seed / "pyproject.toml").write_text(f"[tool.ahq-history]\nprojects = {listed}\n")
    git(seed, "init", "-q", "-b", "main")
    commit_all(seed, "two projects")
    alice, bob = bare_origin_and_clones(tmp, seed)
    installed = cli(bob, "hooks", "install")
    assert installed.returncode == 0, installed.stderr
    return alice, bob


def diverge_in_two(alice: Path, bob: Path) -> str:
    """Alice pushes a revision on two's base; Bob commits his own on it and pulls: what the hooks said."""
    add_revision(alice / "two", "add audit log", ALICE_REV, head=BASE_TWO)
    commit_all(alice, "audit log", env=ALICE)
    git(alice, "push", "-q", "origin", "main")
    add_revision(bob / "two", "add users phone", BOB_REV, head=BASE_TWO)
    commit_all(bob, "users phone", env=BOB)
    pulled = run_git(bob, "pull", "-q", "--no-rebase", "--no-edit", "origin", "main", env=BOB)
    assert pulled.returncode == 0, pulled.stderr
    return pulled.stdout + pulled.stderr


def _said(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("ahq-history", "  "))]


def test_a_pull_bringing_a_divergence_into_the_second_project_warns_naming_it(tmp_path: Path) -> None:
    alice, bob = two_projects_team(tmp_path)
    said = _said(diverge_in_two(alice, bob))
    assert said[0] == f"ahq-history: two/alembic.ini: 2 migration heads since {BASE_TWO}:"
    assert said[1].startswith(f"  {ALICE_REV}  add audit log  by Alice Archer <alice@example.com> from "
                              "origin/main")
    assert said[2].startswith(f"  {BOB_REV}  add users phone  by Bob Builder <bob@example.com>")
    assert "  run: ahq-history -c two/alembic.ini merge-heads" in said
    assert not [line for line in said if "one/alembic.ini" in line]


def test_only_the_listed_projects_are_covered(tmp_path: Path) -> None:
    alice, bob = two_projects_team(tmp_path, listed='["one"]')
    said = _said(diverge_in_two(alice, bob))
    assert said == []  # `two` diverged, but the repository lists only `one`
    checked = cli(bob, "check", "--all")
    assert checked.returncode == 1
    assert checked.stdout.splitlines()[-1] == ("2 projects: one/alembic.ini fine (exit 0), two/alembic.ini "
                                               "diverged (exit 1)")
