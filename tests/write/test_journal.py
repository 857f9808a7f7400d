"""The journaled write: what it keeps (permission bits, line endings, symlinks), where it stages (never
under a version location), how a failed rollback is said, and what an interrupted write does to the other
commands: the read-only ones refuse (exit 3) and name `merge-heads --recover`; the writers recover first."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from ahq_history.config.loading import load
from ahq_history.config.pending import journal_folder, unfinished
from ahq_history.core.errors import RefusedError, UnreachableError
from ahq_history.core.plan import make_plan
from ahq_history.hooks.run import run_hook
from ahq_history.write import staging
from ahq_history.write.journal import locked
from ahq_history.write.transaction import apply_plan, render_plan
from tests.support.clirun import run_main
from tests.support.gitcli import git
from tests.support.journalcheck import (
    REBASE_THREE,
    died_after_replacing,
    rebase_plan,
    staging_leftovers,
    version_files,
)
from tests.support.mergeproject import snapshot

RECOVER_HINT = "run `ahq-history merge-heads --recover` to finish or undo it"


def rebase_three(root: Path) -> None:
    loaded, plan = rebase_plan(root)
    apply_plan(loaded.project, loaded.graph, plan)


def killed_after_one_file(root: Path) -> dict[str, bytes]:
    """A three-file rebase killed once its first file is in place; returns the tree before it."""
    before = snapshot(root)
    died_after_replacing(1, lambda: rebase_three(root))
    assert snapshot(root) != before and unfinished(root) is not None
    return before


# -- what a write keeps ---------------------------------------------------------------------------


def test_a_rebase_keeps_each_files_permission_bits_and_windows_line_endings(three: Path) -> None:
    loaded, _plan = rebase_plan(three)
    bob = three / loaded.graph.revisions["b00000000bob"].path
    bob.write_bytes(bob.read_bytes().replace(b"\n", b"\r\n"))
    bob.chmod(0o751)
    rebase_three(three)
    text = bob.read_bytes()
    assert b"Revises: a000000alice\r\n" in text and text.count(b"\n") == text.count(b"\r\n")
    assert stat.S_IMODE(bob.stat().st_mode) == 0o751


def test_a_symlinked_revision_file_is_written_through_to_its_target_in_the_repository(three: Path) -> None:
    loaded, _plan = rebase_plan(three)
    bob = three / loaded.graph.revisions["b00000000bob"].path
    kept = three / "shared" / "bob.py"
    kept.parent.mkdir()
    bob.rename(kept)
    bob.symlink_to(os.path.relpath(kept, bob.parent))
    rebase_three(three)
    assert bob.is_symlink() and bob.resolve() == kept.resolve()
    assert "Revises: a000000alice\n" in kept.read_text()


def test_a_symlink_to_a_file_outside_the_repository_is_refused_and_nothing_is_written(
        three: Path, tmp_path: Path) -> None:
    loaded, _plan = rebase_plan(three)
    bob = three / loaded.graph.revisions["b00000000bob"].path
    elsewhere = tmp_path / "elsewhere.py"
    bob.rename(elsewhere)
    bob.symlink_to(elsewhere)
    before, outside = snapshot(three), elsewhere.read_bytes()
    with pytest.raises(RefusedError) as refused:
        rebase_three(three)
    assert refused.value.message == (f"{loaded.graph.revisions['b00000000bob'].path} is a symbolic link to "
                                     f"{elsewhere.resolve()}, outside the repository; not rewritten; nothing "
                                     "was written")
    assert snapshot(three) == before and elsewhere.read_bytes() == outside


# -- where new bytes wait ---------------------------------------------------------------------------


def replaced_sources(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record where each `os.replace` takes its file from."""
    sources: list[Path] = []
    real = os.replace

    def replace(src: str | Path, dst: str | Path) -> None:
        sources.append(Path(src))
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return sources


def test_staged_files_wait_in_the_journal_under_the_git_folder(
        three: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = replaced_sources(monkeypatch)
    rebase_three(three)
    assert sources and all(p.is_relative_to(three / ".git" / "ahq-history" / "journal") for p in sources)
    assert not journal_folder(three).exists() and staging_leftovers(three) == []


def test_a_journal_on_another_filesystem_stages_beside_the_version_folder_never_in_it(
        three: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = staging._device
    journal = journal_folder(three)
    monkeypatch.setattr(staging, "_device", lambda p: -1 if p.is_relative_to(journal.parent) else real(p))
    sources = replaced_sources(monkeypatch)
    versions = three / "migrations" / "versions"
    rebase_three(three)
    revision_files = [p for p in sources if not p.name.startswith("intent")]
    assert len(revision_files) == 3
    assert all(p.parent.parent == three / "migrations" and not p.is_relative_to(versions)
               for p in revision_files)
    assert staging_leftovers(three) == []


def test_a_new_merge_file_is_staged_outside_the_version_folder(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sources = replaced_sources(monkeypatch)
    loaded = load(project / "alembic.ini")
    (written,) = apply_plan(loaded.project, loaded.graph, make_plan(loaded.graph))
    assert written.path.is_file()
    assert all(not p.is_relative_to(project / "migrations") for p in sources)


# -- a failure, and a failed undo -----------------------------------------------------------------


def test_the_rollback_keeps_going_and_names_what_it_could_not_restore_with_the_backup(
        three: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    loaded, plan = rebase_plan(three)
    preview = render_plan(loaded.project, loaded.graph, plan)
    bob, carol, dave = (item.path for item in preview)
    before = snapshot(three)
    real, calls = os.replace, []

    def replace(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(dst))
        if Path(dst) == dave.resolve():
            raise OSError(28, "No space left on device")
        if Path(dst) == bob.resolve() and calls.count(Path(dst)) == 2:  # its restore
            raise OSError(13, "Permission denied")
        real(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(UnreachableError) as failed:
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    backup = journal_folder(three) / "backup-0"
    assert failed.value.exit_code == 2
    assert failed.value.message == (
        f"writing {preview[2].relpath} failed (No space left on device), and undoing it could not put back "
        f"every file: {preview[0].relpath}: Permission denied; its old content is in {backup}")
    assert carol.read_bytes() == before[preview[1].relpath]  # the undo went on past bob
    assert backup.read_bytes() == before[preview[0].relpath]
    monkeypatch.setattr(os, "replace", real)
    code, _out, err = run_main(capsys, "-c", str(three / "alembic.ini"), "check")
    assert code == 3 and RECOVER_HINT in err
    code, out, _err = run_main(capsys, "-c", str(three / "alembic.ini"), "merge-heads", "--recover")
    assert code == 0
    assert out == (f"an interrupted write (re-parent of b00000000bob, c00000carol, d000000dave) was rolled "
                   f"back: restored {preview[0].relpath}\n")
    assert snapshot(three) == before


def test_a_second_writer_is_refused_while_one_holds_the_lock(three: Path) -> None:
    before = snapshot(three)
    with locked(journal_folder(three)), pytest.raises(UnreachableError) as refused:
        rebase_three(three)
    assert refused.value.message == ("another ahq-history write is running in this repository; nothing was "
                                     "written")
    assert snapshot(three) == before


# -- after a kill ---------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["check"], ["heads"], ["history"], ["show", "a0000000base"], ["status"], ["lint"],
    ["merge-heads", "--dry-run"],
])
def test_a_read_only_command_refuses_an_interrupted_write_with_exit_3_and_names_recover(
        three: Path, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    killed_after_one_file(three)
    code, _out, err = run_main(capsys, "-c", str(three / "alembic.ini"), *command)
    assert code == 3
    assert err.startswith("ahq-history: an ahq-history write was interrupted (re-parent of b00000000bob, "
                          "c00000carol, d000000dave): the revision files may be half written\n")
    assert RECOVER_HINT in err


def test_check_json_names_the_interrupted_write_as_a_broken_graph(
        three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    killed_after_one_file(three)
    code, out, _err = run_main(capsys, "-c", str(three / "alembic.ini"), "check", "--json")
    error = json.loads(out)["error"]
    assert code == 3 and error["kind"] == "BrokenGraphError" and error["exit_code"] == 3
    assert RECOVER_HINT in error["hint"]


def test_a_hook_warns_about_an_interrupted_write_and_exits_0(three: Path) -> None:
    killed_after_one_file(three)
    err = io.StringIO()
    assert run_hook("post-merge", ["0"], out=io.StringIO(), err=err, environ={}, start=three,
                    stdin=io.StringIO()) == 0
    assert "ahq-history (post-merge hook): an ahq-history write was interrupted" in err.getvalue()
    assert RECOVER_HINT in err.getvalue()


def test_recover_undoes_an_interrupted_rebase_and_says_so_in_json(
        three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = killed_after_one_file(three)
    code, out, _err = run_main(capsys, "-c", str(three / "alembic.ini"), "merge-heads", "--recover", "--json")
    recovered = json.loads(out)["recovered"]
    assert code == 0 and snapshot(three) == before and not journal_folder(three).exists()
    assert recovered["outcome"] == "rolled-back" and len(recovered["restored"]) == 1


def test_recover_without_an_interrupted_write_says_there_is_nothing_to_recover(
        three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run_main(capsys, "-c", str(three / "alembic.ini"), "merge-heads", "--recover")
    assert (code, out) == (0, "no interrupted write: nothing to recover\n")


def test_the_next_rebase_rolls_back_the_interrupted_one_says_so_then_writes(
        three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    killed_after_one_file(three)
    code, _out, err = run_main(capsys, "-c", str(three / "alembic.ini"), *REBASE_THREE)
    assert code == 0
    assert err.startswith("ahq-history: an interrupted write (re-parent of b00000000bob, c00000carol, "
                          "d000000dave) was rolled back: restored ")
    assert not journal_folder(three).exists()


def test_an_interrupted_merge_file_is_removed_by_recover(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(project, "init", "-q")
    before = snapshot(project)
    loaded = load(project / "alembic.ini")
    plan = make_plan(loaded.graph)
    (preview,) = render_plan(loaded.project, loaded.graph, plan)
    died_after_replacing(1, lambda: apply_plan(loaded.project, loaded.graph, plan, rendered=[preview]))
    assert preview.path.exists()
    code, out, _err = run_main(capsys, "-c", str(project / "alembic.ini"), "merge-heads", "--recover")
    assert code == 0 and out == (f"an interrupted write (merge revision {preview.revision}) was rolled back: "
                                 f"removed {preview.relpath}\n")
    assert snapshot(project) == before


def test_recover_leaves_a_file_edited_after_the_kill_as_is_and_names_it(
        three: Path, capsys: pytest.CaptureFixture[str]) -> None:
    killed_after_one_file(three)
    (moved,) = [p for p in version_files(three) if "bob" in p]
    edited = (three / moved).read_bytes() + b"# my own edit\n"
    (three / moved).write_bytes(edited)
    code, _out, err = run_main(capsys, "-c", str(three / "alembic.ini"), "merge-heads", "--recover")
    assert code == 2
    assert f"{moved}: not restored: it was edited after the write began; its old content is in " in err
    assert (three / moved).read_bytes() == edited


def test_the_tuis_write_finishes_an_interrupted_one_first_and_writes_nothing_new(three: Path) -> None:
    from ahq_history.tui.actions import propose_reparent, write

    loaded, _plan = rebase_plan(three)
    proposal = propose_reparent(loaded, ["b00000000bob", "c00000carol", "d000000dave"])
    before = killed_after_one_file(three)
    with pytest.raises(RefusedError) as refused:
        write(loaded, proposal)
    assert refused.value.message.startswith("an interrupted write (re-parent of b00000000bob, c00000carol, "
                                            "d000000dave) was rolled back: restored ")
    assert refused.value.message.endswith("; nothing new was written")
    assert snapshot(three) == before


def test_the_tui_finishes_or_undoes_an_interrupted_write_before_its_screen_opens(
        three: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from ahq_history.tui.app import HistoryApp

    monkeypatch.setattr(HistoryApp, "run", lambda self: None)
    monkeypatch.setattr("ahq_history.cli.commands.tui._on_a_terminal", lambda: True)
    before = killed_after_one_file(three)
    code, _out, err = run_main(capsys, "-c", str(three / "alembic.ini"), "tui")
    assert code == 0 and snapshot(three) == before
    assert err.startswith("ahq-history: an interrupted write (re-parent of b00000000bob, c00000carol, "
                          "d000000dave) was rolled back: restored ")
