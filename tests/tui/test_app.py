"""The TUI driven by Textual's pilot on real projects (made by `alembic init`/`alembic revision`, in git)."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, SelectionList, Static

from ahq_history.tui.app import HistoryApp
from ahq_history.tui.screens.dialogs import HelpScreen, MessageDialog, PickRevision
from ahq_history.tui.screens.main import MainScreen
from ahq_history.tui.screens.merge import MergeScreen
from ahq_history.tui.screens.reparent import ReparentScreen
from ahq_history.tui.widgets.detail import DetailPane
from ahq_history.tui.widgets.graph_view import GraphView
from tests.support.gitcli import commit_all, git
from tests.support.hookgit import bob_after_pull
from tests.support.pilot import settle
from tests.support.projects import add_revision, alembic_project, forked_revisions, linear_revisions
from tests.support.sqlitedb import database

SIZE = (150, 40)


@pytest.fixture
def forked(tmp_path: Path) -> Path:
    """Two heads on aaaa00000002 in a git repository without a remote."""
    root = alembic_project(tmp_path / "proj")
    git(root, "init", "-q")
    forked_revisions(linear_revisions(root))
    commit_all(root, "history")
    return root


@pytest.fixture
def bob(tmp_path: Path) -> Path:
    """The two-developer story: Alice pushed a revision; Bob committed his own and pulled."""
    return bob_after_pull(tmp_path)


def make_app(root: Path, **options: bool) -> HistoryApp:
    return HistoryApp(str(root / "alembic.ini"), watch=options.pop("watch", False), cursor_blink=False,
                      **options)


Scenario = Callable[[HistoryApp, Pilot[int]], Awaitable[None]]


def drive(app: HistoryApp, scenario: Scenario) -> None:
    """Run the app headless, wait for its first load, then play `scenario` against it."""
    async def go() -> None:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await scenario(app, pilot)

    asyncio.run(go())


def view(app: HistoryApp) -> GraphView:
    return app.screen.query_one(GraphView)


def detail_text(app: HistoryApp) -> str:
    return "\n".join(str(s.render()) for s in app.screen.query_one(DetailPane).query(Static))


# -- the first screen ---------------------------------------------------------------------------


def test_first_screen_lists_every_revision_newest_first(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert [r.revision for r in view(app).rows] == [
            "cccc00000002", "cccc00000001", "bbbb00000001", "aaaa00000002", "aaaa00000001"]
        assert view(app).selected == "cccc00000002"

    drive(make_app(forked), scenario)


def test_divergence_banner_names_both_heads_and_the_fork(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        banner = app.screen.query_one("#banner", Static)
        assert banner.display
        assert str(banner.render()).splitlines() == [
            "Diverged (m merge, r re-parent): 2 heads since aaaa00000002: "
            "bbbb00000001 add audit log (Test User) and cccc00000002 add workflow runs (Test User)",
            "  run: ahq-history merge-heads  (whether bbbb00000001, cccc00000002 were pushed is unknown (no "
            "remote-tracking branch, or no git repository): a merge revision is safe either way)"]

    drive(make_app(forked), scenario)


def test_banner_is_hidden_with_one_head(tmp_path: Path) -> None:
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert not app.screen.query_one("#banner").display

    drive(make_app(root), scenario)


def test_two_developer_story_shows_alice_and_bob_on_the_first_screen(bob: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        lines = [view(app).render_line(y).text for y in range(3)]
        assert [line.rstrip() for line in lines] == [
            "●   b2b2b2b2b2b2 (head) add users phone · Bob Builder · 2026-01-01 · local",
            "│ ● a1a1a1a1a1a1 (head) add audit log · Alice Archer · 2026-01-01 · published",
            "●─╯ 0a0a0a0a0001 (branchpoint) create users · Test User · 2026-01-01 · published",
        ]
        banner = str(app.screen.query_one("#banner", Static).render())
        assert "a1a1a1a1a1a1 add audit log (Alice Archer, published)" in banner
        assert "b2b2b2b2b2b2 add users phone (Bob Builder, local)" in banner

    drive(make_app(bob), scenario)


# -- navigation ------------------------------------------------------------------------------------


def test_j_and_down_move_down_k_and_up_move_up(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("j")
        assert view(app).cursor == 1
        await pilot.press("down", "down")
        assert view(app).cursor == 3
        await pilot.press("k")
        assert view(app).cursor == 2
        await pilot.press("up", "up", "up")
        assert view(app).cursor == 0

    drive(make_app(forked), scenario)


def test_end_home_and_pages_reach_both_ends(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("G")
        assert view(app).selected == "aaaa00000001"
        await pilot.press("g")
        assert view(app).cursor == 0
        await pilot.press("end")
        assert view(app).cursor == 4
        await pilot.press("home", "pagedown")
        assert view(app).cursor == 4
        await pilot.press("pageup")
        assert view(app).cursor == 0

    drive(make_app(forked), scenario)


def test_detail_pane_follows_the_cursor(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("j", "j")
        await settle(pilot)
        text = detail_text(app)
        assert "add audit log\nbbbb00000001  head" in text
        # a value too long for the pane wraps under itself, not under the names
        assert "file       migrations/versions/bbbb00000001_add_audit_log\n           .py:15" in text
        assert "parents    aaaa00000002  add users phone" in text
        assert "upgrade() line 21: empty" in text

    drive(make_app(forked), scenario)


def test_p_jumps_to_the_parent_and_c_to_the_only_child(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("p")
        assert view(app).selected == "cccc00000001"
        await pilot.press("c")
        assert view(app).selected == "cccc00000002"

    drive(make_app(forked), scenario)


def test_c_on_a_branch_point_asks_which_child(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("G", "k")
        assert view(app).selected == "aaaa00000002"
        await pilot.press("c")
        assert isinstance(app.screen, PickRevision)
        options = app.screen.query_one(OptionList)
        assert [options.get_option_at_index(i).id for i in range(options.option_count)] == [
            "bbbb00000001", "cccc00000001"]
        await pilot.press("down", "enter")
        assert isinstance(app.screen, MainScreen)
        assert view(app).selected == "cccc00000001"

    drive(make_app(forked), scenario)


def test_capital_h_cycles_through_the_heads(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("G", "H")
        assert view(app).selected == "bbbb00000001"
        await pilot.press("H")
        assert view(app).selected == "cccc00000002"
        await pilot.press("H")
        assert view(app).selected == "bbbb00000001"

    drive(make_app(forked), scenario)


def test_jump_action_of_a_detail_link_selects_that_revision(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await screen.run_action("jump('aaaa00000002')")
        assert view(app).selected == "aaaa00000002"


    drive(make_app(forked), scenario)


# -- search and filters ----------------------------------------------------------------------------


def test_slash_searches_messages_and_n_finds_the_next(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("slash")
        search = app.screen.query_one("#search", Input)
        assert search.display and search.has_focus
        await pilot.press(*"workflow", "enter")
        assert not search.display
        assert view(app).selected == "cccc00000002"
        await pilot.press("n")
        assert view(app).selected == "cccc00000001"
        await pilot.press("n")
        assert view(app).selected == "cccc00000002"
        await pilot.press("N")
        assert view(app).selected == "cccc00000001"

    drive(make_app(forked), scenario)


def test_search_finds_a_revision_by_id(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("slash", *"aaaa00000001", "enter")
        assert view(app).selected == "aaaa00000001"

    drive(make_app(forked), scenario)


def test_search_finds_a_revision_by_author(bob: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("slash", *"alice", "enter")
        assert view(app).selected == "a1a1a1a1a1a1"

    drive(make_app(bob), scenario)


def test_escape_closes_the_search_field(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("slash", "escape")
        assert not app.screen.query_one("#search").display
        assert view(app).has_focus

    drive(make_app(forked), scenario)


def test_f_filters_to_heads_then_escape_shows_all(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("f")
        assert [r.revision for r in view(app).rows] == ["cccc00000002", "bbbb00000001"]
        assert "filter: heads" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("escape")
        assert len(view(app).rows) == 5

    drive(make_app(forked), scenario)


def test_local_filter_keeps_only_unpublished_revisions(bob: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("f", "f")
        assert [r.revision for r in view(app).rows] == ["b2b2b2b2b2b2"]

    drive(make_app(bob), scenario)


def _database_at(root: Path, revision: str) -> None:
    """A SQLite database whose alembic_version holds `revision`, named in the project's alembic.ini."""
    url = database(root / "app.db", revision)
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("driver://user:pass@localhost/dbname", url))


def test_unapplied_filter_hides_what_the_database_has(forked: Path) -> None:
    _database_at(forked, "aaaa00000002")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert view(app).render_line(4).text.startswith("✓ ●")
        await pilot.press("f", "f", "f")
        assert [r.revision for r in view(app).rows] == ["cccc00000002", "cccc00000001", "bbbb00000001"]

    drive(make_app(forked), scenario)


def test_status_line_says_what_the_check_mark_means(forked: Path) -> None:
    _database_at(forked, "aaaa00000002")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert view(app).render_line(4).text.startswith("✓ ●")
        status = str(app.screen.query_one("#status", Static).render())
        assert status.endswith("database: 1 row(s), ✓ = applied, [db] = at")

    drive(make_app(forked), scenario)


def test_a_filter_without_its_facts_falls_back_to_all(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("f", "f", "f")  # heads, local (nothing is local without a remote: empty), unapplied
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.filter == "all"
        assert len(view(app).rows) == 5

    drive(make_app(forked, database=False), scenario)


# -- merge and re-parent ---------------------------------------------------------------------------


def test_m_opens_the_merge_builder_with_the_heads_and_a_default_message(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen)
        assert set(screen.query_one(SelectionList).selected) == {"bbbb00000001", "cccc00000002"}
        message = screen.query_one("#merge-message", Input)
        assert message.value == ""  # empty writes the default, shown as the placeholder
        assert message.placeholder == "merge add audit log (Test User) and add workflow runs (Test User)"
        preview = str(screen.query_one("#merge-preview", Static).render())
        assert preview  # rendered by Alembic's template (checked exactly in the snapshot)
        assert screen.proposal is not None
        assert "down_revision" in screen.proposal.preview[0].text
        assert "('bbbb00000001', 'cccc00000002')" in screen.proposal.preview[0].text

    drive(make_app(forked), scenario)


def test_enter_writes_the_merge_and_the_graph_shows_one_head(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen) and screen.proposal is not None
        rev_id = screen.proposal.rev_id
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        main = app.screen
        assert main.history is not None and main.history.graph.heads == [rev_id]
        assert view(app).selected == rev_id
        assert not main.query_one("#banner").display
        written = list((forked / "migrations/versions").glob(f"{rev_id}_*.py"))
        assert len(written) == 1

    drive(make_app(forked), scenario)


def test_the_written_notice_says_to_add_the_new_file_then_upgrade(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen) and screen.proposal is not None
        (preview,) = screen.proposal.preview
        await pilot.press("enter")
        await settle(pilot)
        (notice,) = [n for n in app._notifications if n.title == "Written"]
        assert notice.message.splitlines() == [
            f"merge {preview.revision}: {preview.relpath}",
            "The new merge revision file is not committed yet: add it to git, then upgrade the database.",
            f"Next: git add {preview.relpath} && alembic upgrade head",
            "Verify: ahq-history verify"]

    drive(make_app(forked), scenario)


def test_the_merge_file_written_is_the_one_previewed(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen) and screen.proposal is not None
        (preview,) = screen.proposal.preview
        await pilot.pause(0.05)  # Alembic's Create Date counts microseconds: a new rendering would differ
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert preview.path.read_text() == preview.text  # the text the preview pane highlights

    drive(make_app(forked), scenario)


def test_an_edited_message_is_the_one_written(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        message = app.screen.query_one("#merge-message", Input)
        message.value = "join audit and workflows"
        await pilot.pause(0.5)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.history is not None
        (head,) = main.history.graph.heads
        assert main.history.graph.revisions[head].message == "join audit and workflows"

    drive(make_app(forked), scenario)


def test_escape_leaves_the_merge_builder_without_writing(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert len(list((forked / "migrations/versions").glob("*.py"))) == 5

    drive(make_app(forked), scenario)


def _both_add_users_phone(root: Path) -> None:
    for name in ("bbbb00000001_add_audit_log.py", "cccc00000002_add_workflow_runs.py"):
        path = root / "migrations/versions" / name
        path.write_text(path.read_text().replace(
            '"""Upgrade schema."""\n    pass', "op.add_column('users', sa.Column('phone', sa.String()))"))


def test_the_merge_builder_refuses_conflicting_sides_with_the_reason(forked: Path) -> None:
    _both_add_users_phone(forked)
    before = sorted(p.name for p in (forked / "migrations/versions").glob("*.py"))

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        screen = app.screen
        conflicts = str(screen.query_one("#merge-conflicts", Static).render())
        assert conflicts.startswith(
            "1 conflict(s) between the sides:\n• both sides add column users.phone")
        assert isinstance(screen, MergeScreen) and screen.proposal is not None
        (reason,) = screen.proposal.refusals
        assert reason.startswith("the sides conflict: both sides add column users.phone")
        assert "needs --allow-conflicts" in reason
        for _ in range(2):  # neither Enter nor a second one writes
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, MergeScreen)
        assert "refused" in str(app.screen.query_one(".change-status", Static).render())
        assert sorted(p.name for p in (forked / "migrations/versions").glob("*.py")) == before

    drive(make_app(forked), scenario)


def test_the_banner_names_the_conflict_and_what_to_do(forked: Path) -> None:
    _both_add_users_phone(forked)

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        text = str(app.screen.query_one("#banner", Static).render())
        assert ("  run: ahq-history merge-heads --allow-conflicts  (the sides conflict: both sides add "
                "column users.phone: bbbb00000001 (migrations/versions/bbbb00000001_add_audit_log.py:22)"
                ) in text

    drive(make_app(forked), scenario)


def test_m_with_one_head_says_there_is_nothing_to_merge(tmp_path: Path) -> None:
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert _key_state(app.screen, "merge") == _key_state(app.screen, "reparent") == "disabled"
        assert "1 head (nothing to merge)" in str(app.screen.query_one("#status", Static).render())
        await pilot.press("m")
        await pilot.press("r")
        assert isinstance(app.screen, MainScreen)
        await pilot.press("question_mark")
        assert help_rows(app)["m"] == "Merge heads (not now: one head: nothing to merge)"

    drive(make_app(root), scenario)


def test_m_and_r_are_enabled_on_a_divergence(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert _key_state(app.screen, "merge") == _key_state(app.screen, "reparent") == "enabled"

    drive(make_app(forked), scenario)


def _key_state(screen: Screen[None], action: str) -> str:
    """How the footer shows the key of `action`: enabled, disabled (dimmed) or hidden."""
    found = [b for b in screen.active_bindings.values() if b.binding.action == action]
    return "hidden" if not found else "enabled" if found[0].enabled else "disabled"


def test_r_refuses_when_publication_is_unknown(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("G", "r")  # not on a head: every divergence, decided by publication
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReparentScreen)
        assert screen.proposal is not None and screen.proposal.refusals
        assert "pushed is unknown" in screen.proposal.refusals[0]
        before = sorted(p.read_text() for p in (forked / "migrations/versions").glob("*.py"))
        await pilot.press("enter")
        assert isinstance(app.screen, ReparentScreen)
        assert "refused" in str(screen.query_one(".change-status", Static).render())
        assert sorted(p.read_text() for p in (forked / "migrations/versions").glob("*.py")) == before

    drive(make_app(forked), scenario)


def test_r_on_bobs_local_head_moves_it_onto_alices(bob: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database(bob / "bob.db", "0a0a0a0a0001"))  # Bob's is not applied

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        assert view(app).selected == "b2b2b2b2b2b2"
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReparentScreen) and screen.proposal is not None
        assert screen.proposal.refusals == []
        (diff,) = [w.diff for w in screen.proposal.preview]
        assert diff is not None
        assert "-down_revision: Union[str, Sequence[str], None] = '0a0a0a0a0001'" in diff
        assert "+down_revision: Union[str, Sequence[str], None] = 'a1a1a1a1a1a1'" in diff
        await pilot.press("enter")
        await settle(pilot)
        main = app.screen
        assert isinstance(main, MainScreen) and main.history is not None
        assert main.history.graph.heads == ["b2b2b2b2b2b2"]
        assert main.history.graph.parents("b2b2b2b2b2b2") == ["a1a1a1a1a1a1"]

    drive(make_app(bob, database=False), scenario)


def test_r_refuses_when_no_database_can_be_named(bob: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReparentScreen) and screen.proposal is not None
        (reason,) = screen.proposal.refusals
        assert reason.startswith("whether b2b2b2b2b2b2 is applied to a database is unknown (no database URL "
                                 "is configured: alembic.ini has no sqlalchemy.url)")

    drive(make_app(bob, database=False), scenario)


def test_re_parenting_notice_names_the_configured_upgrade_command(bob: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", database(bob / "bob.db", "0a0a0a0a0001"))
    (bob / "pyproject.toml").write_text(
        '[tool.ahq-history]\nupgrade-command = "flask --app backend.run db upgrade"\n')

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("r")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        (notice,) = [n for n in app._notifications if n.title == "Written"]
        path = "migrations/versions/b2b2b2b2b2b2_add_users_phone.py"
        assert notice.message.splitlines()[-2:] == [
            f"The migration branch was rewritten only in this work tree: 1 file changed ({path}), nothing "
            "was committed or pushed; commit it, then upgrade the database.",
            f"Next: git add {path} && git commit -m 'Re-parent migrations onto a1a1a1a1a1a1' && "
            "flask --app backend.run db upgrade  (from the repository's config)"]

    drive(make_app(bob, database=False), scenario)


def test_r_on_alices_published_head_is_refused(bob: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("j", "r")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReparentScreen) and screen.proposal is not None
        assert any("is published" in reason for reason in screen.proposal.refusals)

    drive(make_app(bob, database=False), scenario)


# -- reload, help, errors, quit --------------------------------------------------------------------


def test_capital_r_reloads_a_new_revision_file(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        add_revision(forked, "add settings", "eeee00000001", head="bbbb00000001")
        await pilot.press("R")
        await settle(pilot)
        assert "eeee00000001" in [r.revision for r in view(app).rows]

    drive(make_app(forked), scenario)


def test_a_changed_revision_file_reloads_by_itself(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        add_revision(forked, "add settings", "eeee00000001", head="bbbb00000001")
        for _ in range(60):  # the watcher polls every second
            await pilot.pause(0.1)
            if "eeee00000001" in [r.revision for r in view(app).rows]:
                break
        assert "eeee00000001" in [r.revision for r in view(app).rows]

    drive(make_app(forked, watch=True), scenario)


def test_question_mark_lists_every_key(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        for key, words in (("q ^q", "Quit"), ("?", "Help"), ("↑ k", "Up"), ("↓ j", "Down"),
                           ("m", "Merge heads"), ("r", "Re-parent"), ("/", "Search"), ("n", "Next match"),
                           ("f", "Filter"), ("H", "Next head"), ("p", "Parent"), ("c", "Child"),
                           ("R", "Reload"), ("d", "Detail"), ("Esc", "Clear search and filter")):
            assert rows[key] == words, key
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)

    drive(make_app(forked), scenario)


def help_rows(app: HistoryApp) -> dict[str, str]:
    """The help's keys as {keys: what they do}."""
    lines = str(app.screen.query_one("#help-keys", Static).render()).splitlines()
    return dict(re.split(r"\s{2,}", line.strip(), maxsplit=1) for line in lines)  # type: ignore[misc]


def test_question_mark_in_the_merge_builder_lists_its_keys(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        rows = help_rows(app)
        for key, words in (("q ^q", "Quit"), ("?", "Help"), ("Enter", "Write it"), ("Esc", "Cancel"),
                           ("Space", "Toggle option"), ("Tab", "Focus Next")):
            assert rows[key] == words, key
        assert not app.screen.query("#help-legend")  # the marks are the main screen's
        await pilot.press("escape")
        assert isinstance(app.screen, MergeScreen)

    drive(make_app(forked), scenario)


def test_question_mark_explains_every_mark_a_line_can_show(forked: Path) -> None:
    from typing import get_args

    from ahq_history.report.lanes import Mark

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        lines = str(app.screen.query_one("#help-legend", Static).render()).splitlines()
        meaning = {line.split("  ")[0].strip(): line.split("  ")[-1].strip() for line in lines}
        assert meaning["✓"] == "applied: the database is at this revision or above it"
        assert meaning["red id"] == "a head of a divergence: m merges, r re-parents"
        for name in ("published", "local", "uncommitted", "label: NAME", "[depends on ID]"):
            assert name in meaning
        for mark in get_args(Mark):  # every mark render.py can put in parentheses
            assert f"({mark})" in meaning, mark

    drive(make_app(forked), scenario)


def test_d_hides_and_shows_the_detail_pane(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("d")
        assert not app.screen.query_one(DetailPane).display
        await pilot.press("d")
        assert app.screen.query_one(DetailPane).display

    drive(make_app(forked), scenario)


def test_a_broken_graph_opens_a_dialog_and_still_draws(forked: Path) -> None:
    path = forked / "migrations/versions/bbbb00000001_add_audit_log.py"
    path.write_text(path.read_text().replace("'aaaa00000002'", "'ffff99999999'"))

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        dialog = app.screen
        assert isinstance(dialog, MessageDialog)
        assert dialog.title_text == "The revision graph is broken"
        assert dialog.details == [
            "migrations/versions/bbbb00000001_add_audit_log.py:16: revision bbbb00000001 names down_revision "
            "ffff99999999, which no file defines"]
        await pilot.press("enter")
        assert isinstance(app.screen, MainScreen)
        assert len(view(app).rows) == 5

    drive(make_app(forked), scenario)


def test_a_broken_graph_says_to_fix_it_first_and_m_and_r_wait(forked: Path) -> None:
    path = forked / "migrations/versions/bbbb00000001_add_audit_log.py"
    path.write_text(path.read_text().replace("'aaaa00000002'", "'ffff99999999'"))
    notice = ("The revision graph is broken (1 problem): fix it first, then press R to reload; merging and "
              "re-parenting wait until then")

    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("enter")  # closes the broken-graph dialog
        banner = app.screen.query_one("#banner", Static)
        assert banner.display
        text = str(banner.render())
        assert text.splitlines()[0] == notice
        assert "m merge" not in text and "re-parent)" not in text
        assert _key_state(app.screen, "merge") == _key_state(app.screen, "reparent") == "disabled"
        await pilot.press("m")
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        await pilot.press("question_mark")
        assert help_rows(app)["m"] == f"Merge heads (not now: {notice})"

    drive(make_app(forked), scenario)


def test_a_missing_project_is_shown_in_a_dialog(tmp_path: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        dialog = app.screen
        assert isinstance(dialog, MessageDialog)
        assert dialog.title_text == "Cannot load the history"
        assert "nowhere" in dialog.message

    drive(HistoryApp(str(tmp_path / "nowhere" / "alembic.ini"), watch=False, cursor_blink=False), scenario)


def test_q_quits(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("q")
        assert not app.is_running

    drive(make_app(forked), scenario)


def test_tui_command_refuses_a_missing_project_in_the_terminal(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str],
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from ahq_history.cli.main import main

    monkeypatch.setattr("ahq_history.cli.commands.tui._on_a_terminal", lambda: True)
    os.chdir(tmp_path)
    assert main(["tui"]) == 2
    assert capsys.readouterr().err.startswith("ahq-history: no Alembic project found")


def test_tui_command_refuses_json(forked: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from ahq_history.cli.main import main

    assert main(["-c", str(forked / "alembic.ini"), "tui", "--json"]) == 2
    assert '"message": "--json does not apply to the TUI"' in capsys.readouterr().out


def test_clicking_a_row_selects_it(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.click(GraphView, offset=(6, 3))
        assert view(app).selected == "aaaa00000002"

    drive(make_app(forked), scenario)


def test_clicking_a_parent_id_in_the_detail_pane_goes_there(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        facts = app.screen.query_one("#detail-facts", Static)
        lines = str(facts.render()).splitlines()
        line = next(i for i, text in enumerate(lines) if text.startswith("parents"))
        await pilot.click("#detail-facts", offset=(12, line))
        assert view(app).selected == "cccc00000001"

    drive(make_app(forked), scenario)


def test_merge_builder_needs_two_heads(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        heads = app.screen.query_one(SelectionList)
        heads.deselect("bbbb00000001")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MergeScreen) and screen.proposal is None
        status = screen.query_one(".change-status", Static)
        assert str(status.render()) == "select at least two heads to merge"
        assert _offers_write(screen) is False
        assert str(screen.query_one("#merge-preview", Static).render()) == "nothing to merge"
        await pilot.press("enter")
        assert isinstance(app.screen, MergeScreen)
        assert str(status.render()) == "select at least two heads to merge"
        assert len(list((forked / "migrations/versions").glob("*.py"))) == 5

    drive(make_app(forked), scenario)


def _offers_write(screen: Screen[None]) -> bool:
    """Whether the footer shows `⏎ Write it` (the bindings it draws are the screen's active ones)."""
    return any(b.binding.action == "write" for b in screen.active_bindings.values())


def test_refused_re_parent_does_not_offer_to_write(bob: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("j", "r")  # Alice's published head
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReparentScreen) and screen.proposal is not None
        assert screen.proposal.refusals
        assert _offers_write(screen) is False
        await pilot.press("enter")
        assert isinstance(app.screen, ReparentScreen)

    drive(make_app(bob, database=False), scenario)


def test_a_merge_ready_to_write_offers_enter(forked: Path) -> None:
    async def scenario(app: HistoryApp, pilot: Pilot[int]) -> None:
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MergeScreen) and app.screen.proposal is not None
        assert _offers_write(app.screen) is True

    drive(make_app(forked), scenario)


def test_space_in_the_merge_builder_at_80x24_toggles_a_head_and_types_nothing(forked: Path) -> None:
    async def go() -> None:
        async with make_app(forked).run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("m")
            await settle(pilot)
            screen = pilot.app.screen
            assert isinstance(screen, MergeScreen)
            heads = screen.query_one(SelectionList)
            assert heads.has_focus
            before = set(heads.selected)
            await pilot.press("space")
            await settle(pilot)
            assert set(heads.selected) != before and len(heads.selected) == len(before) - 1
            assert screen.query_one("#merge-message", Input).value == ""
            await pilot.press("space")  # and back
            await settle(pilot)
            assert set(heads.selected) == before
            assert screen.query_one("#merge-message", Input).value == ""

    asyncio.run(go())


def test_the_detail_pane_moves_below_the_graph_on_a_narrow_terminal(forked: Path) -> None:
    async def go() -> None:
        async with make_app(forked).run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            graph, detail = view(pilot.app).region, pilot.app.screen.query_one(DetailPane).region
            assert detail.y >= graph.bottom and detail.width == graph.width == 80
            await pilot.resize_terminal(150, 40)
            await settle(pilot)
            graph, detail = view(pilot.app).region, pilot.app.screen.query_one(DetailPane).region
            assert detail.x >= graph.right and detail.y == graph.y

    asyncio.run(go())
