"""The one top-level handler: anything unexpected is one message and exit 2 (`--debug` shows the traceback),
an interrupt is 130, a reader that stops early is a quiet exit; and `tui` without a terminal exits 2."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

import ahq_history.cli.commands.check as check_command
from ahq_history.cli.main import main
from tests.support.gitcli import commit_all, git
from tests.support.hookgit import ROOT
from tests.support.projects import alembic_project, linear_revisions

HINT = "  hint: run again with --debug to see the traceback, and report it"
NO_TERMINAL = ("ahq-history: the TUI needs a terminal (standard input and output are not both one); "
               "use `ahq-history check` or `ahq-history history` instead\n")


@pytest.fixture
def linear(tmp_path: Path) -> Path:
    """A git repository holding an `alembic init` project with two committed revisions."""
    root = alembic_project(tmp_path / "proj")
    git(root, "init", "-q")
    linear_revisions(root)
    commit_all(root, "two revisions")
    return root


def _check_fails_with(monkeypatch: pytest.MonkeyPatch, fail: object) -> None:
    def failing(*_args: object, **_kwargs: object) -> None:
        fail()  # type: ignore[operator]

    monkeypatch.setattr(check_command, "check_report", failing)


def _tui(cwd: Path, stdin: int) -> subprocess.CompletedProcess[str]:
    """`ahq-history tui` with this standard input and a pipe for output: it must not wait for anything."""
    return subprocess.run([sys.executable, "-m", "ahq_history", "tui"], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdin=stdin, timeout=10)


def test_a_recursion_error_is_one_message_and_exit_2(linear: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    def deeper() -> None:
        deeper()

    _check_fails_with(monkeypatch, deeper)
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "ahq-history: internal error: RecursionError: maximum recursion depth exceeded", HINT]


def test_a_memory_error_is_one_message_and_exit_2(linear: Path, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    _check_fails_with(monkeypatch, lambda: bytearray(1 << 62))  # refused at once: nothing is allocated
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 2
    assert capsys.readouterr().err.splitlines() == ["ahq-history: internal error: MemoryError", HINT]


def test_an_unexpected_error_in_json_mode_is_a_json_error(linear: Path, capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def broken() -> None:
        raise LookupError("no such thing")

    _check_fails_with(monkeypatch, broken)
    assert main(["-c", str(linear / "alembic.ini"), "check", "--json"]) == 2
    out = capsys.readouterr().out
    assert '"message": "internal error: LookupError: no such thing"' in out
    assert '"exit_code": 2' in out


def test_a_keyboard_interrupt_is_one_line_and_exit_130(linear: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted() -> None:
        raise KeyboardInterrupt

    _check_fails_with(monkeypatch, interrupted)
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 130
    assert capsys.readouterr() == ("", "ahq-history: interrupted\n")


@pytest.mark.parametrize("words", [["--debug", "check"], ["check", "--debug"]])
def test_debug_shows_the_traceback(linear: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch, words: list[str]) -> None:
    def broken() -> None:
        raise ValueError("something we did not foresee")

    _check_fails_with(monkeypatch, broken)
    assert main(["-c", str(linear / "alembic.ini"), *words]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "Traceback (most recent call last):"
    assert "ValueError: something we did not foresee" in err
    assert err[-2:] == ["ahq-history: internal error: ValueError: something we did not foresee", HINT]


def test_ahq_debug_still_shows_the_traceback(linear: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _check_fails_with(monkeypatch, lambda: 1 / 0)
    monkeypatch.setenv("AHQ_DEBUG", "1")
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):") and "ZeroDivisionError" in err


def test_without_debug_there_is_no_traceback(linear: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    _check_fails_with(monkeypatch, lambda: 1 / 0)
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "ahq-history: internal error: ZeroDivisionError: division by zero", HINT]


def test_a_broken_pipe_that_is_not_stdout_is_an_internal_error(
        linear: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def pipe_gone() -> None:
        raise BrokenPipeError(32, "Broken pipe")

    _check_fails_with(monkeypatch, pipe_gone)
    assert main(["-c", str(linear / "alembic.ini"), "check"]) == 2
    assert capfd.readouterr().err.splitlines() == [
        "ahq-history: internal error: BrokenPipeError: [Errno 32] Broken pipe", HINT]


@pytest.mark.parametrize("unbuffered", ["", "1"])
def test_a_reader_that_stops_early_is_a_quiet_exit(linear: Path, unbuffered: str) -> None:
    """`ahq-history history | head -1`, with the reader gone before anything is written: buffered, the
    write fails only when the output is flushed, after the command returned."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": unbuffered}
    proc = subprocess.Popen([sys.executable, "-m", "ahq_history", "history"], cwd=linear,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=30) == 0
    assert "BrokenPipe" not in err and "Traceback" not in err and "internal error" not in err


def test_tui_without_a_terminal_exits_2_at_once(linear: Path) -> None:
    done = _tui(linear, subprocess.DEVNULL)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", NO_TERMINAL)


def test_tui_with_a_terminal_for_input_only_exits_2(linear: Path) -> None:
    leader, follower = pty.openpty()
    try:
        done = _tui(linear, follower)
    finally:
        os.close(follower)
        os.close(leader)
    assert (done.returncode, done.stderr) == (2, NO_TERMINAL)
