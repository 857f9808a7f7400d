"""The database in the TUI: where it is on the graph (`[db]`), and `switch`/`sync` run from the plan screen,
on Alice's story (tests/support/switchstory.py): real git, revisions made by Alembic, a SQLite database that
Alembic upgraded, and every step run by Alembic itself."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ahq_history.tui.app import HistoryApp
from ahq_history.tui.screens.dbplan import PickBranch, PlanScreen
from ahq_history.tui.screens.dialogs import MessageDialog
from ahq_history.tui.screens.main import MainScreen
from ahq_history.tui.widgets.detail import DetailPane
from ahq_history.tui.widgets.graph_view import GraphView
from tests.support.clirun import run_main
from tests.support.dbstory import alembic_cli
from tests.support.gitcli import commit_all, git
from tests.support.pilot import settle
from tests.support.switchstory import (
    BIO,
    NICK,
    USERS,
    add_nickname,
    alice_story,
    applied_story,
    columns,
    version,
)

SIZE = (150, 40)
Scenario = Callable[[HistoryApp, Pilot[int]], Awaitable[None]]


@pytest.fixture
def applied(tmp_path: Path) -> Path:
    return applied_story(tmp_path / "repo")


def drive(root: Path, scenario: Scenario) -> None:
    app = HistoryApp(str(root / "alembic.ini"), watch=False, cursor_blink=False)

    async def go() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(go())


def line_of(app: HistoryApp, revision: str) -> str:
    view = app.screen.query_one(GraphView)
    index = next(i for i, row in enumerate(view.rows) if row.revision == revision)
    return view._line(index, 120).text


def plan_text(app: HistoryApp) -> str:
    return str(app.screen.query_one("#plan-text", Static).render())


def branch(root: Path) -> str:
    return git(root, "branch", "--show-current").strip()


def test_the_database_row_is_marked_db_in_the_graph_and_the_detail(applied: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert line_of(app, BIO).startswith(f"✓ ● {BIO} [db] (head) add users bio")
        assert "[db]" not in line_of(app, NICK) and line_of(app, NICK).startswith("✓ ")
        title = str(app.screen.query_one(DetailPane).query_one("#detail-title", Static).render())
        assert title.splitlines()[-1] == "[db] the database is at this revision"
        await pilot.press("down")
        await settle(pilot)
        title = str(app.screen.query_one(DetailPane).query_one("#detail-title", Static).render())
        assert "[db]" not in title
        status = str(app.screen.query_one("#status", Static).render())
        assert status.endswith("database: 1 row(s), ✓ = applied, [db] = at")

    drive(applied, scenario)


def test_switch_shows_the_dry_run_plan_and_runs_it_only_after_y(
        applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, dry_run, _err = run_main(capsys, "-c", str(applied / "alembic.ini"), "switch", "main", "--dry-run")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("s")
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, PickBranch)
        assert [str(o.prompt) for o in picker.query_one(OptionList).options] == ["main"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        assert plan_text(app) == dry_run.rstrip("\n")
        assert branch(applied) == "feature/nickname" and version(applied / "app.db") == [BIO]
        await pilot.press("y")
        await settle(pilot)
        text = plan_text(app)
        assert "step 4/4: " in text and f"done: the database is at {USERS}" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert line_of(app, USERS).startswith(f"✓ ● {USERS} [db] (head) create users")

    drive(applied, scenario)
    assert branch(applied) == "main"
    assert version(applied / "app.db") == [USERS] and columns(applied / "app.db") == ["id"]


def test_escape_on_the_plan_changes_nothing(applied: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("s", "enter")
        await settle(pilot)
        assert "  3. git switch main" in plan_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    drive(applied, scenario)
    assert branch(applied) == "feature/nickname" and version(applied / "app.db") == [BIO]
    assert not (applied / ".git" / "ahq-history" / "backups").exists()


def test_sync_brings_the_database_back_to_this_checkout(applied: Path) -> None:
    git(applied, "switch", "-q", "main")  # the database stays at BIO, which main lacks

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("S")
        await settle(pilot)
        assert f"at        {BIO}" in plan_text(app)
        await pilot.press("y")
        await settle(pilot)
        assert f"done: the database is at {USERS}" in plan_text(app)
        await pilot.press("escape")
        await settle(pilot)

    drive(applied, scenario)
    assert version(applied / "app.db") == [USERS] and columns(applied / "app.db") == ["id"]


def test_a_refused_switch_is_a_dialog_and_changes_nothing(tmp_path: Path) -> None:
    root = alice_story(tmp_path / "repo")
    git(root, "switch", "-q", "feature/nickname")
    add_nickname(root, "cccc00000001", "email", downgrade="pass")
    commit_all(root, "add email, no way back")
    alembic_cli(root, "upgrade", "head")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("s", "enter")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, MessageDialog)
        assert dialog.title_text == "No plan: nothing was changed"
        assert "revision cccc00000001 (migrations/versions/cccc00000001_add_users_email.py) has an empty " \
               "downgrade()" in dialog.message
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PlanScreen)
        await pilot.press("y", "escape")  # there is no plan: `y` does nothing
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)

    drive(root, scenario)
    assert branch(root) == "feature/nickname" and version(root / "app.db") == ["cccc00000001"]
