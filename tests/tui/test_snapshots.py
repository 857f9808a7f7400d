"""What the TUI's screens look like (pytest-textual-snapshot; the SVGs live in tests/__snapshots__).

Everything that could differ between runs is fixed: git authors and dates (tests/conftest.py), Alembic's
`Create Date` and the merge revision's id (below), and the input cursor does not blink.
The main screen, the merge builder and the help are kept at 80x24 (the default terminal: the detail pane
moves below the graph, the footer still shows `q` and `?`) and at 200x50.
Update after a deliberate change with `pytest tests/tui/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import datetime
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from ahq_history.tui.app import HistoryApp
from tests.support.dbstory import alembic_cli
from tests.support.gitcli import commit_all, git
from tests.support.hookgit import bob_after_pull
from tests.support.pilot import settle
from tests.support.projects import add_revision, shared_project
from tests.support.switchstory import alice_story

SIZE = (150, 40)
SIZES = pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])


@pytest.fixture(autouse=True)
def fixed_ids_and_dates(monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic.script.base import ScriptDirectory

    moment = datetime.datetime(2026, 1, 2, 9, 30, 0)
    monkeypatch.setattr(ScriptDirectory, "_generate_create_date", lambda self: moment)
    monkeypatch.setattr("ahq_history.tui.actions.new_rev_id", lambda: "f00df00df00d")


@pytest.fixture
def bob(tmp_path: Path) -> Path:
    """Alice pushed "add audit log"; Bob committed "add users phone" on the same parent and pulled."""
    return bob_after_pull(tmp_path)


def project(root: Path) -> Path:
    """`alembic init` in a fresh git repository; the ini names its folder as `%(here)s` (Alembic writes an
    absolute path, which would put the temporary folder into every commit id on screen)."""
    shared_project(root)
    git(root, "init", "-q")
    return root


def app_for(root: Path) -> HistoryApp:
    return HistoryApp(str(root / "alembic.ini"), watch=False, database=False, cursor_blink=False)


def pressing(*keys: str) -> Callable[[Pilot[int]], Awaitable[None]]:
    """Wait for the first load, then press `keys`, letting the app settle after each."""
    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before


@SIZES
def test_main_screen_with_a_divergence(bob: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(bob), terminal_size=size, run_before=settle)


@SIZES
def test_merge_builder(bob: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(bob), terminal_size=size, run_before=pressing("m"))


@SIZES
def test_help(bob: Path, snap_compare: Any, size: tuple[int, int]) -> None:
    assert snap_compare(app_for(bob), terminal_size=size, run_before=pressing("question_mark"))


def test_detail_pane_with_operations_and_source(tmp_path: Path, snap_compare: Any) -> None:
    root = project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")
    path = add_revision(root, "add users phone", "aaaa00000002")
    path.write_text(path.read_text()
                    .replace('"""Upgrade schema."""\n    pass',
                             "op.add_column('users', sa.Column('phone', sa.String(32), nullable=True))\n"
                             "    op.create_index('ix_users_phone', 'users', ['phone'])")
                    .replace('"""Downgrade schema."""\n    pass',
                             "op.drop_index('ix_users_phone', table_name='users')\n"
                             "    op.drop_column('users', 'phone')"))
    commit_all(root, "phone")
    assert snap_compare(app_for(root), terminal_size=SIZE, run_before=settle)


def test_broken_graph_dialog(tmp_path: Path, snap_compare: Any) -> None:
    root = project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")
    path = add_revision(root, "add users phone", "aaaa00000002")
    path.write_text(path.read_text().replace("'aaaa00000001'", "'ffff99999999'"))
    commit_all(root, "dangling")
    assert snap_compare(app_for(root), terminal_size=SIZE, run_before=settle)


def test_refused_re_parent_without_write_in_the_footer(bob: Path, snap_compare: Any) -> None:
    async def open_refused(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("j", "r")  # Alice's published head: refused, so Enter is not offered
        await settle(pilot)

    assert snap_compare(app_for(bob), terminal_size=SIZE, run_before=open_refused)


@pytest.fixture
def fixed_root(tmp_path: Path) -> Iterator[Path]:
    """A project folder whose path is the same on every run: the plan names the ini and the SQLite file by
    their full paths, as `switch --dry-run` does."""
    root = Path(tempfile.gettempdir()) / "ahq-plan-snapshot"
    shutil.rmtree(root, ignore_errors=True)
    yield root
    shutil.rmtree(root, ignore_errors=True)


def test_switch_plan_screen(fixed_root: Path, snap_compare: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`s`, then main: the plan `switch main --dry-run` prints, waiting for `y` (80x24)."""
    root = alice_story(fixed_root)
    git(root, "switch", "-q", "feature/nickname")
    alembic_cli(root, "upgrade", "head")
    monkeypatch.setattr(sys, "executable", "python")  # the plan's downgrade commands start with it
    app = HistoryApp(str(root / "alembic.ini"), watch=False, cursor_blink=False)
    assert snap_compare(app, terminal_size=(80, 24), run_before=pressing("s", "enter"))
