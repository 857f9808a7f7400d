"""What a database has applied, as the tool knows it: read from a database it could name, unknown (and why),
or not checked because the user took responsibility (`--no-db-check`). Pure values.

"Nothing applied" is a fact only when a database was read and held nothing; a database the tool cannot
name (env.py takes its connection from the application, or from an environment variable that is unset here)
is unknown, and unknown counts as unsafe: nothing that is possibly applied is ever moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AppliedKind = Literal["read", "unknown", "unchecked"]

# What a face that does not read the database (check, the hooks) says about it.
NOT_READ_REASON = "this command does not read the database"


@dataclass(frozen=True)
class AppliedState:
    """The applied revisions (`revisions`: the version table's rows and all their ancestors) of the database
    described by `where` when `kind` is "read"; otherwise `where` says why they are not known.

    `options` are the words a `merge-heads` command needs to read the same database again (empty when it
    finds it by itself, as configured); `repeatable` is False when no printed command can name it again
    (a `--database-url` holding a password, which is never printed)."""

    kind: AppliedKind
    revisions: frozenset[str] = frozenset()
    where: str = ""
    options: tuple[str, ...] = ()
    repeatable: bool = True

    @classmethod
    def read(cls, revisions: frozenset[str], where: str, options: tuple[str, ...] = (), *,
             repeatable: bool = True) -> AppliedState:
        return cls("read", frozenset(revisions), where, options, repeatable)

    @classmethod
    def unknown(cls, why: str) -> AppliedState:
        return cls("unknown", frozenset(), why)

    @classmethod
    def unchecked(cls) -> AppliedState:
        return cls("unchecked", frozenset(), "database not checked (--no-db-check)", ("--no-db-check",))

    @property
    def known(self) -> bool:
        return self.kind == "read"

    def applied(self, revision: str) -> bool | None:
        """True or False when a database was read; False when the user said not to check; else None."""
        if self.kind == "read":
            return revision in self.revisions
        return False if self.kind == "unchecked" else None

    def note(self) -> str:
        """One line for a face: which database said what, or why nobody knows."""
        if self.kind == "read":
            return self.where
        if self.kind == "unchecked":
            return self.where
        return f"applied revisions unknown: {self.where}"


NOT_READ = AppliedState.unknown(NOT_READ_REASON)
