"""What every hook test shares: the hooks that git starts import ahq_history from this checkout."""

from __future__ import annotations

import pytest

from tests.support.hookgit import ROOT


@pytest.fixture(autouse=True)
def _package_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hooks run `python -m ahq_history` from the repository under test."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
