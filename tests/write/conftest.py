"""The fixtures the write tests share: a real Alembic project with two heads (Alice's and Bob's), and one
in a git repository whose `--rebase` of three sides rewrites three files (`three_sides`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.gitcli import commit_all, git
from tests.support.mergeproject import forked, three_sides


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return forked(tmp_path / "proj")


@pytest.fixture
def three(tmp_path: Path) -> Path:
    """`three_sides`, committed in a git repository (the journal lives under `.git/`)."""
    root = three_sides(tmp_path / "three")
    git(root, "init", "-q")
    commit_all(root, "four sides")
    return root
