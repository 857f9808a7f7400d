"""What the write-safety tests look at after a failed, killed or recovered write: the tree, the files
under the version locations, leftovers of staging, and the journal."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ahq_history.config.loading import Loaded, load
from ahq_history.config.pending import journal_folder, unfinished
from ahq_history.core.plan import Plan, make_plan
from tests.support.mergeproject import THREE_SIDES, snapshot

REBASE_THREE = ("merge-heads", "--rebase", "--yes", "--no-db-check", *THREE_SIDES)


def rebase_plan(root: Path) -> tuple[Loaded, Plan]:
    """The loaded project and its plan to move THREE_SIDES onto Alice's head."""
    loaded = load(root / "alembic.ini")
    return loaded, make_plan(loaded.graph, mode="rebase", named=THREE_SIDES)


def restore(root: Path, tree: dict[str, bytes]) -> None:
    """Put the work tree back to `tree` (a `snapshot`), removing what it does not hold."""
    for key in sorted(set(snapshot(root)) - set(tree), reverse=True):
        path = root / key
        path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    for key, data in tree.items():
        path = root / key
        if data == b"<dir>":
            path.mkdir(exist_ok=True)
        elif not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def staging_leftovers(root: Path) -> list[str]:
    """Anything of ours in the work tree that is not a revision file: staging folders or files."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*")
                  if ".git" not in p.relative_to(root).parts[:1] and p.name.startswith(".ahq-history"))


def version_files(root: Path) -> set[str]:
    """Every file below the version folder, dot folders included (Alembic's recursive scan loads them)."""
    versions = root / "migrations" / "versions"
    return {str(p.relative_to(root)) for p in versions.rglob("*") if p.is_file()}


def journal_is_clear(root: Path) -> bool:
    """No journal, or only a finished one that the next write clears."""
    return not journal_folder(root).exists() or unfinished(root) is None



def died_at(step: int, write: Callable[[], Any]) -> None:
    """Run `write` in a forked process that dies (no clean-up, no rollback) at its `step`-th pause
    between two steps of the write."""
    from ahq_history.write import journal

    def pause(count: list[int] = [0]) -> None:  # noqa: B006 (one child, one counter)
        count[0] += 1
        if count[0] == step:
            os._exit(9)

    _in_child(lambda: setattr(journal, "pause", pause), write)


def died_after_replacing(files: int, write: Callable[[], Any]) -> None:
    """Run `write` in a forked process that dies right after `files` revision files were put in place."""
    real = os.replace
    done = [0]

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        real(src, dst, **kwargs)
        if not str(dst).endswith(".json"):  # the journal's own intent is replaced too
            done[0] += 1
            if done[0] == files:
                os._exit(9)

    _in_child(lambda: setattr(os, "replace", replace), write)


def _in_child(arrange: Callable[[], None], write: Callable[[], Any]) -> None:
    pid = os.fork()
    if pid == 0:  # the child never returns into pytest
        try:
            arrange()
            write()
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 9:
        pytest.fail("the forked writer was not killed where the test meant it to be")
