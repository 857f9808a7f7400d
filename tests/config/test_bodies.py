"""Every body parsed: a syntax error anywhere is found, the same whether the files are parsed here or
shared among forked processes (large projects)."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

import pytest

from ahq_history.config import bodies
from ahq_history.config.project import find_project
from ahq_history.config.scan import scan_project
from tests.support.projects import add_revision, alembic_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = alembic_project(tmp_path / "p")
    previous = "head"
    for number in range(1, 7):
        add_revision(root, f"step {number}", f"beef0000000{number}", head=previous)
        previous = f"beef0000000{number}"
    for number in (2, 5):  # two broken bodies, neither a head
        path = next((root / "migrations/versions").glob(f"beef0000000{number}_*.py"))
        path.write_text(path.read_text().replace("def downgrade() -> None:", "def downgrade() -> None\n"))
    return root


def _syntax(root: Path) -> list[tuple[str, int | None, tuple[str, ...]]]:
    problems = scan_project(find_project(root)).problems
    return sorted((p.path or "", p.line, p.revisions) for p in problems if p.kind == "syntax")


def test_every_broken_body_is_found_serial_or_forked(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    serial = _syntax(project)
    assert [(path.rsplit("/", 1)[1][:12], revisions) for path, _line, revisions in serial] == [
        ("beef00000002", ("beef00000002",)), ("beef00000005", ("beef00000005",))]
    monkeypatch.setattr(bodies, "PARALLEL_FROM", 2)
    monkeypatch.setattr(bodies, "_CHUNK", 2)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    calls: list[int] = []
    real_pool = multiprocessing.get_context("fork").Pool

    class CountingContext:
        def Pool(self, workers: int) -> object:
            calls.append(workers)
            return real_pool(workers)

    monkeypatch.setattr(multiprocessing, "get_context", lambda _method: CountingContext())
    assert _syntax(project) == serial
    assert calls == [2]
