"""`ahq-history tui` in a repository with several Alembic projects (real `alembic init` projects in git): it
opens on the first covered one and hands the app every one for `P`, where `check` would exit 2 and ask for
`-c`. The app itself is driven in tests/tui/test_projects.py; here its `run` only records what it was given
(the terminal test is answered yes, as a person at a terminal would have it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.core.errors import EXIT_OK, EXIT_USAGE
from ahq_history.tui.app import HistoryApp
from tests.cli.test_check_projects import two_projects
from tests.support.clirun import run_main


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[str]]]:
    """What each app was opened with: its configuration, and the projects `P` offers (as shown)."""
    seen: list[tuple[str, list[str]]] = []

    def run(app: HistoryApp) -> None:
        seen.append((str(app.config), [shown for shown, _config in app.projects]))

    monkeypatch.setattr("ahq_history.cli.commands.tui._on_a_terminal", lambda: True)
    monkeypatch.setattr(HistoryApp, "run", run)
    return seen


def test_opens_on_the_first_project_by_configuration_and_offers_all(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        opened: list[tuple[str, list[str]]]) -> None:
    repo = two_projects(tmp_path)
    monkeypatch.chdir(repo)
    code, _out, err = run_main(capsys, "tui")
    assert (code, err) == (EXIT_OK, "")
    assert opened == [(str(repo / "billing" / "alembic.ini"), ["billing/alembic.ini", "worker/alembic.ini"])]


def test_follows_the_order_of_the_listed_projects(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        opened: list[tuple[str, list[str]]]) -> None:
    repo = two_projects(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.ahq-history]\nprojects = ["worker/alembic.ini", "billing"]\n')
    monkeypatch.chdir(repo)
    assert run_main(capsys, "tui")[0] == EXIT_OK
    assert opened == [(str(repo / "worker" / "alembic.ini"), ["worker/alembic.ini", "billing"])]


def test_a_named_project_offers_no_other(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        opened: list[tuple[str, list[str]]]) -> None:
    monkeypatch.chdir(two_projects(tmp_path))
    assert run_main(capsys, "-c", "worker/alembic.ini", "tui")[0] == EXIT_OK
    assert opened == [("worker/alembic.ini", [])]


def test_a_project_that_cannot_be_read_is_named_and_left_out(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        opened: list[tuple[str, list[str]]]) -> None:
    repo = two_projects(tmp_path)
    (repo / "api").mkdir()
    (repo / "api" / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite://\n")  # no script_location
    monkeypatch.chdir(repo)
    code, _out, err = run_main(capsys, "tui")
    assert code == EXIT_OK
    assert err.startswith("ahq-history: api left out: ")
    assert opened[0][1] == ["billing/alembic.ini", "worker/alembic.ini"]


def test_without_a_terminal_it_still_exits_2_before_looking(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(two_projects(tmp_path))
    code, _out, err = run_main(capsys, "tui")
    assert code == EXIT_USAGE
    assert "the TUI needs a terminal" in err
