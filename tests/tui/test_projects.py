"""The TUI in a repository with several Alembic projects (made by `alembic init` and `alembic revision` in a
real git repository): it opens on the first, `P` lists them all and opens the chosen one."""

from __future__ import annotations

import asyncio
import datetime
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from ahq_history.config.covered import every_project
from ahq_history.tui.app import HistoryApp
from ahq_history.tui.keys import help_keys
from ahq_history.tui.screens.main import MainScreen
from ahq_history.tui.screens.projects import ProjectsScreen
from tests.cli.test_check_projects import two_projects
from tests.support.pilot import settle

Scenario = Callable[[HistoryApp, Pilot[int]], Awaitable[None]]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """billing: two revisions in a line; worker: two heads on one base (diverged). Alembic's `Create Date`
    is fixed, as the snapshot shows it."""
    from alembic.script.base import ScriptDirectory

    moment = datetime.datetime(2026, 1, 2, 9, 30, 0)
    monkeypatch.setattr(ScriptDirectory, "_generate_create_date", lambda self: moment)
    return two_projects(tmp_path)


def several(repo: Path) -> HistoryApp:
    """The app as `ahq-history tui` opens it at the top of `repo`: on the first project, offering all."""
    projects = [(shown, project.config_path) for shown, project in every_project(repo).projects]
    return HistoryApp(str(projects[0][1]), projects=projects, watch=False, git=False, database=False,
                      cursor_blink=False)


def drive(app: HistoryApp, scenario: Scenario) -> None:
    async def go() -> None:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(go())


def status(app: HistoryApp) -> str:
    return str(app.screen.query_one("#status", Static).render())


def test_opens_on_the_first_project_and_names_it(repo: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert status(app).startswith("project: billing/alembic.ini  ·  2 revisions  ·  1 head")
        assert ("P", "Projects") in help_keys(app.screen)

    drive(several(repo), scenario)


def test_p_lists_each_project_with_its_count_and_divergence(repo: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, ProjectsScreen)
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)] == [
            "billing/alembic.ini    2 revisions  1 head  (open)",
            "worker/alembic.ini     3 revisions  2 heads, diverged",
        ]
        assert ("P", "Projects") not in help_keys(app.screen)  # not from the list itself

    drive(several(repo), scenario)


def test_choosing_the_second_project_shows_its_heads(repo: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen) and screen.history is not None
        assert screen.history.loaded.project.config_path == repo / "worker" / "alembic.ini"
        assert sorted(screen.history.graph.heads) == ["aaaa00000002", "bbbb00000001"]
        assert status(app).startswith("project: worker/alembic.ini  ·  3 revisions  ·  2 heads")
        assert str(screen.query_one("#banner", Static).render()).startswith("Diverged (m merge, r re-parent)")

    drive(several(repo), scenario)


def test_escape_keeps_the_project_on_screen(repo: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("P")
        await settle(pilot)
        await pilot.press("down", "escape")
        await settle(pilot)
        assert status(app).startswith("project: billing/alembic.ini")

    drive(several(repo), scenario)


def test_one_project_has_no_project_key_nor_name(repo: Path) -> None:
    app = HistoryApp(str(repo / "worker" / "alembic.ini"), watch=False, git=False, database=False,
                     cursor_blink=False)

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert "P" not in [keys for keys, _words in help_keys(app.screen)]
        await pilot.press("P")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert status(app).startswith("3 revisions  ·  2 heads")

    drive(app, scenario)


def test_project_list_snapshot(repo: Path, snap_compare: Any) -> None:
    async def run_before(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("P")
        await settle(pilot)

    assert snap_compare(several(repo), terminal_size=(80, 24), run_before=run_before)
