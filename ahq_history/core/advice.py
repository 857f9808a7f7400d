"""The one advisor: what to do about a divergence, from the facts every face has (pure, standard library).

`check`, `status`, the git hooks, the TUI banner and `merge-heads --dry-run` print what `advise` returns;
none of them decides on its own. The rules, in words:

- A conflict between the sides' operations (both add `users.phone`) is named first: a merge revision does
  not make the sides compatible, so the command is `merge-heads --allow-conflicts` (the command refuses
  across a conflict without it), the words say to change one side first, and no upgrade is advised after
  it (it would fail where the sides clash).
- `merge-heads --rebase` is advised only when exactly one side is published, every other side is entirely
  local, and a database that was read has applied none of the local revisions. Applied, or unknown (the
  face did not read a database, or could not name one), is a merge revision: it never moves what ran.
- Otherwise a merge revision; the words say why (both published, none published, publication unknown).
- The upgrade that follows names every head when several remain (`upgrade heads`): Alembic refuses
  `upgrade head` with more than one head, even intentionally labelled ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ahq_history.core.applied import AppliedState
from ahq_history.core.shell import command_line

Action = Literal["merge", "rebase"]
PROGRAM = "ahq-history"


@dataclass(frozen=True)
class SideFacts:
    """One side of a divergence: its head, its own revisions, and whether any of them is published."""

    head: str
    revisions: tuple[str, ...]
    published: bool | None  # True: something on it is published; False: entirely local; None: unknown


@dataclass(frozen=True)
class DivergenceFacts:
    """A divergence as the advisor sees it; `conflicts` are the messages of its operation conflicts."""

    heads: tuple[str, ...]
    sides: tuple[SideFacts, ...]
    labels: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Advice:
    """The command to run (`argv`), why (`reason`, a sentence), and the upgrade to run after it (`then`)."""

    action: Action
    argv: tuple[str, ...]
    reason: str
    then: tuple[str, ...] = ()

    @property
    def command(self) -> str:
        return command_line(self.argv)

    @property
    def steps(self) -> tuple[tuple[str, ...], ...]:
        return (self.argv, self.then) if self.then else (self.argv,)

    def as_json(self, heads: Sequence[str]) -> dict[str, object]:
        """The advice for the divergence of `heads` as docs/json.md describes it."""
        return {"heads": list(heads), "action": self.action, "command": self.command,
                "command_argv": list(self.argv), "reason": self.reason,
                "then": command_line(self.then) if self.then else None, "then_argv": list(self.then) or None}


def advise(divergence: DivergenceFacts, applied: AppliedState, *, several: bool = False,
           program: str = PROGRAM, upgrade: Sequence[str] = ("alembic", "upgrade", "head"),
           heads_after: int = 1) -> Advice:
    """What to do about `divergence`. `several`: the graph has more than one divergence (the command then
    names this one's heads); `upgrade`: the team's upgrade command; `heads_after`: how many heads remain
    once this divergence is joined (more than one: the upgrade names them all)."""
    then = upgrade_argv(upgrade, heads_after)
    named = several or bool(divergence.labels)
    heads = divergence.heads if named else ()
    if divergence.conflicts:  # no upgrade after it: it would fail where the sides clash
        return Advice("merge", (program, "merge-heads", "--allow-conflicts", *heads),
                      _conflict_reason(divergence.conflicts))
    moving = _movable(divergence)
    if moving is None:
        return Advice("merge", (program, "merge-heads", *heads), _why_merge(divergence), then)
    onto, local = moving
    revisions = tuple(r for side in local for r in side.revisions)
    states = [applied.applied(r) for r in revisions]
    local_heads = ", ".join(side.head for side in local)
    if all(state is False for state in states) and applied.repeatable:
        moved = tuple(side.head for side in local) if named else ()
        where = f" ({applied.where})" if applied.where else ""
        return Advice("rebase", (program, "merge-heads", "--rebase", *applied.options, *moved),
                      f"{local_heads} {_is(local)} only on this machine and applied to no database"
                      f"{where}: it can move on top of the published {onto.head}, and the history stays "
                      "straight", then)
    done = [r for r, state in zip(revisions, states, strict=True) if state is True]
    if done:
        reason = (f"{', '.join(done)} {'is' if len(done) == 1 else 'are'} applied to the database "
                  f"({applied.where}): a merge revision keeps the history that database ran (re-parenting "
                  "would need a downgrade first)")
    else:
        reason = (f"{local_heads} {_is(local)} only on this machine, but whether a database has applied it "
                  f"is unknown ({applied.where}): a merge revision is safe either way; `{program} status` "
                  "reads the database and says whether it can move on top of the published side instead")
    return Advice("merge", (program, "merge-heads", *heads), reason, then)


def upgrade_argv(upgrade: Sequence[str], heads: int) -> tuple[str, ...]:
    """The team's upgrade command for a history with `heads` heads: `upgrade head` (or Flask-Migrate's bare
    `db upgrade`) becomes `upgrade heads` when there is more than one, which Alembic requires. A command
    of the team's own (`make migrate`) is kept as written: it names its own target."""
    words = tuple(upgrade)
    if heads <= 1 or not words:
        return words
    if words[-1] == "head":
        return (*words[:-1], "heads")
    if words[-1] == "upgrade":
        return (*words, "heads")
    return words


def _movable(divergence: DivergenceFacts) -> tuple[SideFacts, list[SideFacts]] | None:
    """(the one published side, the local sides) when the sides could move on top of it, else None."""
    published = [s for s in divergence.sides if s.published is True]
    local = [s for s in divergence.sides if s.published is False]
    if len(published) == 1 and local and len(local) == len(divergence.sides) - 1:
        return published[0], local
    return None


def _why_merge(divergence: DivergenceFacts) -> str:
    sides = divergence.sides
    published = [s.head for s in sides if s.published is True]
    unknown = [s.head for s in sides if s.published is None]
    if len(published) > 1:
        return (f"{' and '.join(published)} are published: others may have applied them, so only a merge "
                "revision can join them")
    if unknown:
        return (f"whether {', '.join(unknown)} {'was' if len(unknown) == 1 else 'were'} pushed is unknown "
                "(no remote-tracking branch, or no git repository): a merge revision is safe either way")
    return "no side is published yet: a merge revision joins them without changing either"


def _conflict_reason(conflicts: Sequence[str]) -> str:
    more = f" (and {len(conflicts) - 1} more)" if len(conflicts) > 1 else ""
    return (f"the sides conflict: {conflicts[0]}{more}; a merge revision does not make them compatible: "
            "change one side first (then merge), or merge them as they are with --allow-conflicts (an "
            "upgrade then fails where they clash)")


def _is(sides: Sequence[SideFacts]) -> str:
    return "is" if len(sides) == 1 else "are"


@dataclass(frozen=True)
class NextSteps:
    """What a write changed, in words, and the commands to run next, in order."""

    words: tuple[str, ...]
    steps: tuple[tuple[str, ...], ...]


def after_merge(paths: Sequence[str], upgrade: Sequence[str], heads: int) -> NextSteps:
    """After writing merge revisions (`paths`, as the user's shell reaches them): git does not track the new
    files yet, and the database still has to run them. `heads`: the heads the history has now."""
    noun = "file" if len(paths) == 1 else "files"
    return NextSteps(
        (f"The new merge revision {noun} {_are(paths)} not committed yet: add {_them(paths)} to git, then "
         "upgrade the database.",),
        (("git", "add", *paths), upgrade_argv(upgrade, heads)))


def after_rebase(paths: Sequence[str], onto: Sequence[str], upgrade: Sequence[str], heads: int) -> NextSteps:
    """After re-parenting: which files changed, that only this work tree changed (nothing was pushed, no
    commit was rewritten: the migration branch was rewritten locally), and how to commit and upgrade."""
    noun = "file" if len(paths) == 1 else "files"
    return NextSteps(
        (f"The migration branch was rewritten only in this work tree: {len(paths)} {noun} changed "
         f"({', '.join(paths)}), nothing was committed or pushed; commit {_them(paths)}, then upgrade the "
         "database.",),
        (("git", "add", *paths), ("git", "commit", "-m", f"Re-parent migrations onto {', '.join(onto)}"),
         upgrade_argv(upgrade, heads)))


def _are(items: Sequence[str]) -> str:
    return "is" if len(items) == 1 else "are"


def _them(items: Sequence[str]) -> str:
    return "it" if len(items) == 1 else "them"
