"""Nothing from the repository runs: revision files that leave a sentinel file when imported are never
imported by `check`, `history`, `merge-heads` (writing, `--dry-run`, `--rebase`), the post-merge hook after a
real `git pull`, or the TUI's merge. Alembic's own `heads`, run as the control, does create the sentinel.

The story is the two-developer one of `tests/support/mergestory.py`: Alice pushed a revision, Bob committed
his own on the same parent and pulled; both revision files carry the sentinel."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.gitcli import commit_all, git, run_git
from tests.support.hookgit import ALICE, BOB, cli
from tests.support.mergeproject import new_revision, snapshot
from tests.support.mergestory import ALICE_REV, BOB_REV, alice_pushes, team


def plant_sentinel(revision_file: Path, sentinel: Path) -> None:
    """A top-level statement that writes `sentinel` when the file is imported."""
    text = revision_file.read_text()
    marker = "\n# revision identifiers"
    assert marker in text
    revision_file.write_text(text.replace(marker, f"\nfrom pathlib import Path\n\nPath({str(sentinel)!r})"
                                                  f".write_text(__name__)\n{marker}", 1))


def bob_pulls(tmp_path: Path, *, hooks: bool = False) -> tuple[Path, str]:
    """Bob's clone after pulling Alice's revision onto his own, both with the sentinel; with `hooks`, the
    ahq-history hooks are installed before the pull (so the post-merge hook runs on it). Returns the clone
    and what the pull printed on stderr (where hooks speak)."""
    alice, bob = team(tmp_path)
    alice_pushes(alice)
    (alice_file,) = (alice / "migrations" / "versions").glob(f"{ALICE_REV}_*.py")
    plant_sentinel(alice_file, tmp_path / "sentinel")
    commit_all(alice, "log the import", ALICE)
    git(alice, "push", "-q", "origin", "main")
    plant_sentinel(new_revision(bob, "add audit log", BOB_REV, table="audit_log"), tmp_path / "sentinel")
    commit_all(bob, "add audit log", BOB)
    if hooks:
        installed = cli(bob, "hooks", "install")
        assert installed.returncode == 0, installed.stderr
    pulled = run_git(bob, "pull", "--no-edit", "origin", "main", env=BOB)
    assert pulled.returncode == 0, pulled.stderr
    return bob, pulled.stderr


@pytest.fixture
def bob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clone, _said = bob_pulls(tmp_path)
    monkeypatch.chdir(clone)
    return clone


def sentinel(clone: Path) -> Path:
    return clone.parent / "sentinel"


def ahq(capsys: pytest.CaptureFixture[str], clone: Path, *args: str) -> int:
    code, _out, _err = run_main(capsys, "-c", str(clone / "alembic.ini"), *args)
    return code


def test_the_sentinel_is_live_alembic_heads_imports_the_revision_files(bob: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "alembic", "heads"], cwd=bob, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert sentinel(bob).exists()


def test_check_imports_no_revision_file(bob: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ahq(capsys, bob, "check", "--no-cache") == 1  # the divergence
    assert not sentinel(bob).exists()


def test_history_imports_no_revision_file(bob: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ahq(capsys, bob, "history") == 0
    assert not sentinel(bob).exists()


def test_merge_heads_writes_the_merge_without_importing_a_revision_file(
        bob: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(bob)
    assert ahq(capsys, bob, "merge-heads", "--yes") == 0
    assert len(set(snapshot(bob)) - set(before)) == 1
    assert not sentinel(bob).exists()


def test_merge_heads_dry_run_imports_no_revision_file(bob: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(bob)
    assert ahq(capsys, bob, "merge-heads", "--dry-run") == 0
    assert snapshot(bob) == before
    assert not sentinel(bob).exists()


def test_merge_heads_rebase_imports_no_revision_file(bob: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ahq(capsys, bob, "merge-heads", "--rebase", "--yes", "--no-db-check") == 0
    assert f"down_revision: Union[str, Sequence[str], None] = '{ALICE_REV}'" in next(
        (bob / "migrations" / "versions").glob(f"{BOB_REV}_*.py")).read_text()
    assert not sentinel(bob).exists()


def test_the_post_merge_hook_after_a_real_pull_imports_no_revision_file(tmp_path: Path) -> None:
    clone, said = bob_pulls(tmp_path, hooks=True)
    assert "ahq-history: 2 migration heads since " in said  # the hook ran on the pull
    assert not sentinel(clone).exists()


def test_the_tuis_merge_imports_no_revision_file(bob: Path) -> None:
    from textual.pilot import Pilot

    from ahq_history.tui.app import HistoryApp
    from ahq_history.tui.screens.main import MainScreen
    from ahq_history.tui.screens.merge import MergeScreen
    from tests.support.pilot import settle

    async def go() -> None:
        app = HistoryApp(str(bob / "alembic.ini"), watch=False, cursor_blink=False)
        async with app.run_test(size=(150, 40)) as pilot:
            await merge_with_m_and_enter(app, pilot)

    async def merge_with_m_and_enter(app: HistoryApp, pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen) and app.screen.proposal is not None
        rev_id = app.screen.proposal.rev_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert len(list((bob / "migrations" / "versions").glob(f"{rev_id}_*.py"))) == 1

    asyncio.run(go())
    assert not sentinel(bob).exists()
