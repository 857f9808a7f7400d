"""Terminal escapes in what other people wrote (a revision's message, a commit's author, a file name, a
branch name, a database row) reach no text output raw: each is shown as a visible escape (`\\x1b`), and
`--json` keeps the raw value. Revisions are made by `alembic revision`, commits and branches by git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.dbstory import alembic_cli, bob_story
from tests.support.gitcli import commit_all, git
from tests.support.hostile import ANSI_RED, BIDI, C1_CSI, OSC8_LINK, OSC_TITLE, raw_controls
from tests.support.projects import add_revision, alembic_project
from tests.support.sqlitedb import database

REV = "bbbb00000001"
MESSAGE = f"add {ANSI_RED} {C1_CSI} table"
AUTHOR = f"Eve {OSC_TITLE} Adams"  # git strips control characters at the ends only
BRANCH = f"feature{BIDI}exe.txt"
FILE = f"{REV}_{OSC8_LINK}.py"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository whose head revision has an escape-laden message, file name, author and branch; its
    upgrade() creates a table and its downgrade() is empty, so `lint` names the file."""
    root = alembic_project(tmp_path / "repo")
    git(root, "init", "-q", "-b", "main")
    add_revision(root, "base", "aaaa00000001")
    commit_all(root, "base")
    made = add_revision(root, MESSAGE, REV)
    text = made.read_text().replace("    pass", "    op.create_table('t', sa.Column('id', sa.Integer))", 1)
    made.unlink()
    (made.parent / FILE).write_text(text)
    commit_all(root, "hostile", env={"GIT_AUTHOR_NAME": AUTHOR})
    git(root, "branch", BRANCH)
    return root


def output(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> str:
    capsys.readouterr()
    _code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), *args)
    return out + err


@pytest.mark.parametrize("command", [["check"], ["heads"], ["history"], ["show", REV]],
                         ids=["check", "heads", "history", "show"])
def test_ansi_colour_and_c1_csi_in_a_message_reach_no_cli_output_raw(
        repo: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    out = output(capsys, repo, *command)
    assert raw_controls(out) == []
    assert "add \\x1b[31mred\\x1b[0m \\x9b31m table" in out


@pytest.mark.parametrize("command", [["check"], ["history"], ["show", REV]], ids=["check", "history", "show"])
def test_osc_title_in_an_author_name_reaches_no_cli_output_raw(
        repo: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    out = output(capsys, repo, *command)
    assert raw_controls(out) == []
    assert "Eve \\x1b]0;pwned-title\\x07 Adams" in out


@pytest.mark.parametrize("command", [["show", REV], ["lint"]], ids=["show", "lint"])
def test_osc8_hyperlink_in_a_file_name_reaches_no_cli_output_raw(
        repo: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    out = output(capsys, repo, *command)
    assert raw_controls(out) == []
    assert f"{REV}_\\x1b]8;;evil.example\\x07click\\x1b]8;;\\x07.py" in out


def test_bidi_override_in_a_branch_name_reaches_no_show_output_raw(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = output(capsys, repo, "show", REV)
    assert raw_controls(out) == []
    assert "feature\\u202eexe.txt" in out


def test_bidi_override_in_a_branch_name_reaches_no_status_output_raw(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = bob_story(tmp_path / "repo", branch=BRANCH)
    git(root, "checkout", "-q", BRANCH)
    alembic_cli(root, "upgrade", "head")
    git(root, "checkout", "-q", "main")
    out = output(capsys, root, "status")
    assert raw_controls(out) == []
    assert "lives on branch feature\\u202eexe.txt" in out
    assert "    git checkout 'feature\\u202eexe.txt'" in out


def test_osc_title_in_a_database_row_reaches_no_status_output_raw(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alembic_project(tmp_path / "p")
    add_revision(root, "base", "aaaa00000001")
    url = database(tmp_path / "app.db", f"x{OSC_TITLE}")
    out = output(capsys, root, "status", "--database-url", url, "--no-search")
    assert raw_controls(out) == []
    assert "revision x\\x1b]0;pwned-title\\x07 is not defined by any file of this checkout." in out


def test_ansi_colour_in_an_unknown_revision_name_reaches_no_error_raw(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code, out, err = run_main(capsys, "-c", str(repo / "alembic.ini"), "show", f"zz{ANSI_RED}")
    assert code == 2
    assert raw_controls(out + err) == []
    assert "zz\\x1b[31mred\\x1b[0m" in err


def test_json_keeps_the_raw_message_author_and_file_name(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(output(capsys, repo, "check", "--json"))
    (head,) = report["heads"]
    assert head["message"] == MESSAGE
    assert head["git"]["author"] == AUTHOR
    assert head["path"] == f"migrations/versions/{FILE}"
