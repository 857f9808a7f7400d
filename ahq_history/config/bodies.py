"""Every revision file's body parsed, as Alembic compiles it on `upgrade`: a syntax error anywhere breaks
the graph (exit 3). Parsing costs about 0.15 ms a file, most of a cold `check` on a large project, so
past `PARALLEL_FROM` files the work is shared among forked processes, one per core. Standard library
and core only."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from dataclasses import replace

from ahq_history.core.header import syntax_problem
from ahq_history.core.model import Problem, Revision
from ahq_history.core.source import body_syntax_error

PARALLEL_FROM = 1500  # below this, starting processes costs more than it saves
_CHUNK = 250


def body_problems(texts: Sequence[tuple[str, str]], revisions: Sequence[Revision],
                  known: Sequence[Problem]) -> list[Problem]:
    """A `syntax` error for each (path, text) whose whole text does not parse, except files that already
    have a syntax or conflict-marker problem from the header read."""
    skip = {p.path for p in known if p.kind in ("syntax", "conflict-markers")}
    todo = [(path, text) for path, text in texts if path not in skip]
    by_path = {r.path: r for r in revisions}
    problems = []
    for path, line, message in _errors(todo):
        revision = by_path.get(path)
        problem = syntax_problem(path, SyntaxError(message, (path, line, 0, None)), revision)
        problems.append(replace(problem, revisions=(revision.id,)) if revision else problem)
    return problems


def _errors(todo: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
    workers = min(os.cpu_count() or 1, 4)
    # fork copies the texts for free; it is safe only while no other thread holds a lock (a hook's
    # budget thread, a TUI worker), so those cases parse here, one file after another.
    if len(todo) < PARALLEL_FROM or workers < 2 or threading.active_count() > 1:
        return _chunk_errors(todo)
    import multiprocessing  # only past the threshold: most commands never pay for the import

    if "fork" not in multiprocessing.get_all_start_methods():
        return _chunk_errors(todo)
    chunks = [todo[i:i + _CHUNK] for i in range(0, len(todo), _CHUNK)]
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return [error for found in pool.map(_chunk_errors, chunks) for error in found]
    except OSError:  # no processes to be had (limits, memory): the same answer, slower
        return _chunk_errors(todo)


def _chunk_errors(chunk: list[tuple[str, str]]) -> list[tuple[str, int, str]]:
    found = []
    for path, text in chunk:
        error = body_syntax_error(text)
        if error is not None:
            found.append((path, error.lineno or 1, error.msg or "invalid syntax"))
    return found
