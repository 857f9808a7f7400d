"""A warning hook's time budget: past it the hook says it gave up and exits 0, even when stuck in a read."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from ahq_history.hooks import run as hookrun
from ahq_history.hooks.budget import DEFAULT_BUDGET, hook_budget
from ahq_history.hooks.run import RepoState, run_hook
from tests.support.gitcli import git
from tests.support.hookgit import project_repo, write_hook

GAVE_UP = ("ahq-history (post-merge hook): gave up after {} s; run `ahq-history check` for the full answer "
           "(budget: AHQ_HOOK_BUDGET or git config ahq-history.hook-budget)\n")


@pytest.fixture
def stuck_work(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The hook's first read of the repository blocks until the test ends (or 60 seconds pass)."""
    release = threading.Event()

    def blocked(_start: Path) -> RepoState | None:
        release.wait(60)
        return None

    monkeypatch.setattr(hookrun, "read_state", blocked)
    yield release
    release.set()


def test_a_stuck_hook_gives_up_after_the_budget_from_the_environment(stuck_work: threading.Event,
                                                                      tmp_path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=out, err=err, start=tmp_path,
                    environ={"AHQ_HOOK_BUDGET": "0.5"}) == 0
    assert not stuck_work.is_set()  # it returned while the work was still blocked
    assert (out.getvalue(), err.getvalue()) == ("", GAVE_UP.format("0.5"))


def test_a_stuck_hook_gives_up_after_the_budget_from_git_config(stuck_work: threading.Event,
                                                                tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "ahq-history.hook-budget", "0.25")
    err = io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=io.StringIO(), err=err, start=tmp_path,
                    environ={}) == 0
    assert not stuck_work.is_set()
    assert err.getvalue() == GAVE_UP.format("0.25")


def test_the_environment_wins_over_git_config(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "ahq-history.hook-budget", "7")
    said: list[str] = []
    assert hook_budget({}, tmp_path, said.append) == 7.0
    assert hook_budget({"AHQ_HOOK_BUDGET": "2.5"}, tmp_path, said.append) == 2.5
    assert said == []


def test_without_a_setting_the_budget_is_five_seconds(tmp_path: Path) -> None:
    said: list[str] = []
    assert hook_budget({}, tmp_path, said.append) == DEFAULT_BUDGET == 5.0
    assert said == []


@pytest.mark.parametrize(("value", "problem"), [
    ("soon", "'soon' is not a number of seconds"),
    ("0", "'0' is not between 0 and 600 seconds"),
    ("601", "'601' is not between 0 and 600 seconds"),
    ("nan", "'nan' is not between 0 and 600 seconds"),
])
def test_a_bad_budget_in_the_environment_warns_and_falls_back(tmp_path: Path, value: str,
                                                             problem: str) -> None:
    said: list[str] = []
    assert hook_budget({"AHQ_HOOK_BUDGET": value}, tmp_path, said.append) == DEFAULT_BUDGET
    assert said == [f"ahq-history: AHQ_HOOK_BUDGET must be a number of seconds: {problem}; using 5 seconds"]


def test_a_bad_budget_in_git_config_warns_and_the_hook_still_warns(monkeypatch: pytest.MonkeyPatch,
                                                                    tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    git(tmp_path, "config", "ahq-history.hook-budget", "\x1b[31mlong")
    state = RepoState(top=tmp_path, head="2" * 40, head_parents=("1" * 40,), orig_head="1" * 40,
                      rebase_in_progress=False)
    monkeypatch.setattr(hookrun, "read_state", lambda _start: state)
    monkeypatch.setattr(hookrun, "warning_for", lambda *_args: "ahq-history: 2 migration heads")
    out, err = io.StringIO(), io.StringIO()
    assert run_hook("post-merge", ["0"], stdin=io.StringIO(), out=out, err=err, start=tmp_path,
                    environ={}) == 0
    assert out.getvalue() == "ahq-history: 2 migration heads\n"
    assert err.getvalue() == ("ahq-history: git config ahq-history.hook-budget must be a number of seconds: "
                              "'\\x1b[31mlong' is not a number of seconds; using 5 seconds\n")


def test_a_hook_stuck_in_a_git_read_exits_0_within_seconds(tmp_path: Path) -> None:
    """`check --hook` as git's hook script runs it, with every git call but `git config` blocked on a
    FIFO that nobody writes: the process gives up after its budget and really ends."""
    repo = project_repo(tmp_path / "repo")
    fifo = tmp_path / "never-written"
    os.mkfifo(fifo)
    real_git = shutil.which("git")
    assert real_git is not None
    write_hook(tmp_path / "bin" / "git", f'[ "$1" = config ] || read -r _ < "{fifo}"\n'
                                         f'exec "{real_git}" "$@"\n')
    env = {**os.environ, "PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
           "AHQ_HOOK_BUDGET": "0.5"}
    try:
        done = subprocess.run([sys.executable, "-m", "ahq_history", "check", "--hook", "post-merge", "0"],
                              cwd=repo, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
                              timeout=30)
    finally:  # let the blocked fake git go
        with contextlib.suppress(OSError):  # nobody is waiting any more
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", GAVE_UP.format("0.5"))
