"""A write killed anywhere: between any two of its steps (a forked writer that dies there), and by SIGKILL
at random moments of the real command line. After each, the read-only commands refuse (exit 3) and name
the command that recovers; that command, or the next write, leaves the tree byte for byte the old one or
the new one, and nothing of ours under a version location."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ahq_history.config.pending import unfinished
from ahq_history.core.shell import command_line
from ahq_history.write import journal
from ahq_history.write.staging import PAUSE_VARIABLE
from ahq_history.write.transaction import apply_plan, render_plan
from tests.support.clirun import run_main
from tests.support.journalcheck import (
    REBASE_THREE,
    died_at,
    journal_is_clear,
    rebase_plan,
    restore,
    staging_leftovers,
    version_files,
)
from tests.support.mergeproject import snapshot

RECOVER = command_line(("ahq-history", "merge-heads", "--recover"))


def assert_files_whole(root: Path, before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """Right after a kill: no file of ours under the version folder, and each file old or new, whole."""
    assert version_files(root) <= set(before) | set(after)
    now = snapshot(root)
    for key, data in now.items():
        assert data in (before.get(key), after.get(key)), key


def recover_through_check(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check` refuses with exit 3 while the journal is unfinished and names the command; run that one."""
    ini = str(root / "alembic.ini")
    if unfinished(root) is not None:
        code, _out, err = run_main(capsys, "-c", ini, "check")
        assert code == 3 and f"run `{RECOVER}` to finish or undo it" in err
    code, _out, err = run_main(capsys, "-c", ini, "merge-heads", "--recover")
    assert code == 0, err


def recover_through_the_next_write(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The same `--rebase` again: it first finishes or undoes the killed one, saying which, then moves the
    sides (exit 0), or finds them moved already (exit 1: they are no longer heads)."""
    interrupted = unfinished(root) is not None
    code, _out, err = run_main(capsys, "-c", str(root / "alembic.ini"), *REBASE_THREE)
    assert code in (0, 1), err
    assert ("ahq-history: an interrupted write (re-parent of " in err) == interrupted, err


def assert_old_or_new(root: Path, before: dict[str, bytes], after: dict[str, bytes]) -> str:
    now = snapshot(root)
    assert now in (before, after)
    assert staging_leftovers(root) == [] and journal_is_clear(root)
    return "old" if now == before else "new"


def test_a_kill_between_any_two_steps_is_finished_or_undone(three: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    loaded, plan = rebase_plan(three)
    preview = render_plan(loaded.project, loaded.graph, plan)
    before = snapshot(three)
    steps = [0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(journal, "pause", lambda: steps.__setitem__(0, steps[0] + 1))
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    after = snapshot(three)
    outcomes = set()
    for step in range(1, steps[0] + 1):
        restore(three, before)
        died_at(step, lambda: apply_plan(loaded.project, loaded.graph, plan, rendered=preview))
        assert_files_whole(three, before, after)
        recover_through_check(three, capsys)
        outcomes.add(assert_old_or_new(three, before, after))
    assert outcomes == {"old", "new"}


# -- SIGKILL of the real command line --------------------------------------------------------------


def start_rebase(root: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, PAUSE_VARIABLE: "20000"}  # up to 20 ms between two steps of the write
    return subprocess.Popen([sys.executable, "-m", "ahq_history", "-c", str(root / "alembic.ini"),
                             *REBASE_THREE], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_sigkill_at_random_moments_of_a_three_file_rebase(three: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(three)
    durations = []
    for _ in range(2):  # the typical duration of a whole run, and the tree it leaves
        started = time.monotonic()
        assert start_rebase(three).wait() == 0
        durations.append(time.monotonic() - started)
        after = snapshot(three)
        restore(three, before)
    typical = max(durations)
    draw = random.Random(13)
    interrupted = 0
    for run in range(100):
        writer = start_rebase(three)
        time.sleep(draw.uniform(0, typical))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        assert_files_whole(three, before, after)
        interrupted += unfinished(three) is not None
        if run % 2:
            recover_through_check(three, capsys)
            assert_old_or_new(three, before, after)
        else:
            recover_through_the_next_write(three, capsys)
            assert assert_old_or_new(three, before, after) == "new"
        restore(three, before)
    assert interrupted > 0  # some kills landed inside the write itself
