"""Errors that carry data; `cli.main` turns them into words and an exit code once."""

from __future__ import annotations

# Exit codes shared by every command (docs/json.md documents them).
EXIT_OK = 0
EXIT_NEGATIVE = 1  # the command's negative answer: divergence, refusal, database behind, lint findings
EXIT_USAGE = 2  # usage or configuration error, or a resource that cannot be reached
EXIT_BROKEN = 3  # broken graph: duplicate ids, dangling parents, cycles, unreadable files


class AhqError(Exception):
    """An error the user can act on: what is wrong (`message`) and what to do (`hint`)."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ConfigError(AhqError):
    """No Alembic project, or one whose configuration cannot be read."""


class UsageError(AhqError):
    """The arguments do not make sense (unknown revision, bad option combination)."""


class UnreachableError(AhqError):
    """A resource (database, git ref, git binary) that cannot be reached."""


class BrokenGraphError(AhqError):
    """The revision graph cannot be trusted (duplicate ids, dangling parents, cycles)."""

    exit_code = EXIT_BROKEN


class RefusedError(AhqError):
    """The command understood the request and refuses it as unsafe."""

    exit_code = EXIT_NEGATIVE
