"""Wordings shared by every face (check, the hooks, the TUI), so that each says a thing the same way.
Standard library only: the pure core and the warm `check` path both use it."""

from __future__ import annotations

from collections.abc import Sequence

from ahq_history.core.display import clean

SHORT = 12  # Alembic's own ids are 12 characters


def heads_since(count: int, forks: Sequence[str], noun: str = "heads") -> str:
    """`2 heads since 1a2b3c4d5e6f`, or `2 heads with no shared revision`."""
    if not forks:
        return f"{count} {noun} with no shared revision"
    return f"{count} {noun} since {', '.join(clean(f[:SHORT]) for f in forks)}"
