"""Fault injection: every filesystem call of a three-file `--rebase` fails in turn, and the tree is left
byte for byte as it was (or, when the failure hit only the clean-up after the write, as the write left it),
with no stray file under a version location and no staging file left anywhere."""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ahq_history.core.errors import AhqError
from ahq_history.write.transaction import apply_plan, render_plan
from tests.support.journalcheck import journal_is_clear, rebase_plan, restore, staging_leftovers
from tests.support.mergeproject import snapshot

# (owner, attribute) of every call that touches the filesystem on the write path.
CALLS: tuple[tuple[Any, str], ...] = (
    (os, "open"), (os, "write"), (os, "fsync"), (os, "close"), (os, "replace"), (os, "rename"),
    (os, "unlink"), (os, "remove"), (os, "rmdir"), (os, "mkdir"), (os, "makedirs"), (os, "chmod"),
    (builtins, "open"), (io, "open"), (Path, "read_bytes"), (Path, "write_bytes"), (Path, "mkdir"),
    (shutil, "copy2"), (shutil, "copyfile"), (shutil, "rmtree"),
)


class Faults:
    """Counts the calls in CALLS; with `fail_at`, the call with that number raises OSError(EIO)."""

    def __init__(self, fail_at: int | None = None) -> None:
        self.count, self.fail_at, self.failed = 0, fail_at, ""

    def wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            if self.count == self.fail_at:
                self.failed = name
                raise OSError(errno.EIO, f"injected fault in {name}")
            return real(*args, **kwargs)
        return call


@contextmanager
def injected(faults: Faults) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        for owner, attribute in CALLS:
            name = f"{getattr(owner, '__name__', owner)}.{attribute}"
            patch.setattr(owner, attribute, faults.wrap(name, getattr(owner, attribute)))
        yield


def test_each_filesystem_call_of_a_three_file_rebase_failing_leaves_the_tree_whole(three: Path) -> None:
    loaded, plan = rebase_plan(three)
    preview = render_plan(loaded.project, loaded.graph, plan)
    before = snapshot(three)
    clean = Faults()
    with injected(clean):
        apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
    after = snapshot(three)
    assert after != before and journal_is_clear(three)
    failed_runs = 0
    for k in range(1, clean.count + 1):
        restore(three, before)
        faults = Faults(fail_at=k)
        try:
            with injected(faults):
                apply_plan(loaded.project, loaded.graph, plan, rendered=preview)
        except AhqError as error:  # every failure is said in words, never a traceback
            failed_runs += 1
            assert snapshot(three) == before, f"call {k} ({faults.failed}) failed: {error.message}"
        else:  # the fault hit what may fail quietly (a folder's fsync, the clean-up after the write)
            assert snapshot(three) == after, f"call {k} ({faults.failed})"
        assert staging_leftovers(three) == [], f"call {k} ({faults.failed})"
        assert journal_is_clear(three), f"call {k} ({faults.failed})"
    assert clean.count > 50 and failed_runs > clean.count // 2
