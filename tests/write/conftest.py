"""The fixture the write tests share: a real Alembic project with two heads (Alice's and Bob's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.mergeproject import forked


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return forked(tmp_path / "proj")
