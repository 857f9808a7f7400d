"""Every command the tool prints is an argument list, rendered here and nowhere else.

Revision ids, paths and branch names come from other people: Alembic accepts `x$(touch pwned)` as a revision
id. A command is therefore built as a list (`["flask", "db", "upgrade", rev]`) and only this module turns it
into a shell line, quoting each word with `shlex.quote`, so that pasting the advice runs what it says and
nothing more. Standard library only: the warm `check` path prints commands too.
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

# How a command configured in the repository (a tracked pyproject.toml) is marked: it is advice from a file
# that someone else may have written, never something the tool runs.
FROM_REPOSITORY = "(from the repository's config)"


def command_line(argv: Sequence[str]) -> str:
    """`argv` as one shell line, each word quoted: `git checkout 'x$(touch pwned)'`."""
    return shlex.join(str(word) for word in argv)


def command_chain(*argvs: Sequence[str]) -> str:
    """Several commands run one after the other, each only if the one before succeeded (`a && b`)."""
    return " && ".join(command_line(argv) for argv in argvs)


def split_configured(command: str) -> list[str]:
    """A command written in a configuration file (`upgrade-command`) as its words, as a shell would split it.

    Raises `ValueError` (unbalanced quotes) or returns `[]` (blank) like `shlex.split`; the caller says which
    key and file it came from."""
    return shlex.split(command)
