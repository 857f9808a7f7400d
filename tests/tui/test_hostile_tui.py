"""The TUI on hostile input, driven headless (`run_test`): an id with `[/]` and messages with markup show
literally and crash nothing; terminal escapes in a message, an author, a file name and a branch name reach
no screen raw (the screen is exported and read); the re-parent screen's advice runs nothing when pasted."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from ahq_history.tui.app import HistoryApp
from ahq_history.tui.screens.dialogs import MessageDialog, PickRevision
from ahq_history.tui.screens.merge import MergeScreen
from ahq_history.tui.screens.reparent import ReparentScreen
from ahq_history.tui.widgets.detail import DetailPane
from ahq_history.tui.widgets.graph_view import GraphView
from tests.support.gitcli import commit_all, git
from tests.support.hostile import (
    ANSI_RED,
    BIDI,
    HOSTILE_IDS,
    OSC8_LINK,
    OSC_TITLE,
    Paste,
    raw_controls,
)
from tests.support.pilot import settle
from tests.support.projects import add_revision, alembic_project

SIZE = (150, 40)
BASE = "aaaa00000001"
MARKUP_ID = "x[/]y"
MARKUP_MESSAGE = "[bold]loud[/bold] [/] [$accent] [@click=app.quit()]q"
OTHER = "bbbb00000001"


def repo_with_heads(root: Path, head: str, message: str, *, author: str = "Test User") -> Path:
    """A git repository: base (label `app`), then `head` (with `message`, committed by `author`) and
    bbbb00000001 on it. Alembic writes `head` as a placeholder id, then the file is given the real one
    (an id may hold `/`, which Alembic would read as a folder in the file name)."""
    alembic_project(root)
    git(root, "init", "-q", "-b", "main")
    add_revision(root, "base", BASE, branch_label="app")
    made = add_revision(root, message, "cafecafe0001", head=BASE)
    made.write_text(made.read_text().replace("cafecafe0001", head))
    add_revision(root, "other side", OTHER, head=BASE, splice=True)
    commit_all(root, "history", env={"GIT_AUTHOR_NAME": author})
    return root


def run(root: Path, scenario) -> None:  # type: ignore[no-untyped-def]
    async def go() -> None:
        app = HistoryApp(str(root / "alembic.ini"), watch=False, database=False, cursor_blink=False)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(go())


async def select(app: HistoryApp, pilot: Pilot[int], revision: str) -> None:
    assert app.screen.query_one(GraphView).select(revision)
    await settle(pilot)


def screen_text(app: HistoryApp) -> str:
    return app.export_screenshot()


def no_error_dialog(app: HistoryApp) -> None:
    assert not any(isinstance(screen, MessageDialog) for screen in app.screen_stack)


def test_an_id_with_a_markup_closing_tag_shows_literally_and_crashes_nothing(tmp_path: Path) -> None:
    root = repo_with_heads(tmp_path / "p", MARKUP_ID, MARKUP_MESSAGE)

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await select(app, pilot, MARKUP_ID)
        no_error_dialog(app)
        title = str(app.screen.query_one("#detail-title", Static).render())
        assert title.splitlines() == [MARKUP_MESSAGE, f"{MARKUP_ID}  head"]
        await pilot.press("r")  # the re-parent screen names the selected head in its title
        await settle(pilot)
        assert isinstance(app.screen, ReparentScreen)
        assert f"Re-parent {MARKUP_ID}" in str(app.screen.query_one(".change-title", Static).render())
        await pilot.press("escape", "m")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen)
        no_error_dialog(app)

    run(root, scenario)


def test_a_message_with_markup_in_the_jump_picker_shows_literally(tmp_path: Path) -> None:
    root = repo_with_heads(tmp_path / "p", MARKUP_ID, MARKUP_MESSAGE)

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await select(app, pilot, BASE)
        await pilot.press("c")  # two children: a picker
        await settle(pilot)
        assert isinstance(app.screen, PickRevision)
        assert f"{MARKUP_ID}  {MARKUP_MESSAGE}" in screen_text(app).replace("&#160;", " ")

    run(root, scenario)


def test_a_detail_link_to_an_id_with_markup_jumps_to_it(tmp_path: Path) -> None:
    root = repo_with_heads(tmp_path / "p", MARKUP_ID, MARKUP_MESSAGE)

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await select(app, pilot, BASE)
        facts = app.screen.query_one("#detail-facts", Static).render()
        links = [span.style for span in facts.spans if "@click" in str(span.style)]  # type: ignore[attr-defined]
        hostile = next(str(style) for style in links if "hex:" in str(style))
        await app.screen.run_action(hostile.removeprefix("@click=screen."))
        await settle(pilot)
        assert app.screen.query_one(GraphView).selected == MARKUP_ID

    run(root, scenario)


def test_escape_sequences_in_message_author_file_and_branch_reach_no_tui_screen_raw(tmp_path: Path) -> None:
    root = repo_with_heads(tmp_path / "p", "cccc00000001", f"add {ANSI_RED} {BIDI}txt.exe",
                           author=f"Eve {OSC_TITLE} Adams")
    (made,) = (root / "migrations" / "versions").glob("cafecafe0001_*.py")
    git(root, "mv", str(made.relative_to(root)), f"migrations/versions/cccc00000001_{OSC8_LINK}.py")
    commit_all(root, "rename")
    git(root, "branch", f"feature{BIDI}exe.txt")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await select(app, pilot, "cccc00000001")
        shown = screen_text(app)
        assert raw_controls(shown) == []
        assert "\\x1b[31mred" in shown and "\\u202etxt.exe" in shown  # the message, in the graph and detail
        assert "\\x1b]0;pwned-title\\x07" in shown  # the author
        detail = "\n".join(str(s.render()) for s in app.screen.query_one(DetailPane).query(Static))
        assert raw_controls(detail) == []
        assert "cccc00000001_\\x1b]8;;evi" in detail  # the file name (cut to the pane's width)
        assert "feature\\u202eexe.txt" in detail  # the branch
        await pilot.press("m")
        await settle(pilot)
        assert raw_controls(screen_text(app)) == []

    run(root, scenario)


@pytest.mark.parametrize("rev_id", list(HOSTILE_IDS.values()), ids=list(HOSTILE_IDS))
def test_reparent_refusal_advice_with_a_hostile_id_runs_nothing_when_pasted(
        tmp_path: Path, rev_id: str) -> None:
    root = repo_with_heads(tmp_path / "p", rev_id, "one side")  # no remote: publication unknown, refused
    paste = Paste(tmp_path)

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReparentScreen) and screen.proposal is not None
        commands = [reason[reason.index("ahq-history merge-heads"):] for reason in screen.proposal.refusals
                    if "ahq-history merge-heads" in reason]
        assert commands
        for command in commands:
            pasted = paste.run(command)
            assert not pasted.pwned, command

    run(root, scenario)
