"""Graph + git facts -> who brought each revision, what is published, what to do about a divergence.

Pure: it takes `RevisionGraph` values and the plain facts `gitfacts` collected from git (`GitFacts`), and
imports neither git nor alembic (an import-linter contract keeps it so), so every rule here is tested with
values written inline.

The rules, in words:
- A revision is **published** when the commit that added its file is in the history of something that is
  not ours: a remote-tracking branch (or the one `--upstream` branch), or what an interrupted pull or rebase
  brings (MERGE_HEAD, FETCH_HEAD, the rebase's `onto`). Without any of them publication is unknown (None).
  A file that is not committed is local (False), unless the incoming side of a merge in progress has it.
- A divergence's **advice** is the advisor's (`core/advice.py`): this module hands it the facts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ahq_history.core.advice import Action, Advice, DivergenceFacts, SideFacts, advise
from ahq_history.core.applied import NOT_READ, AppliedState
from ahq_history.core.display import clean
from ahq_history.core.header import located
from ahq_history.core.model import Problem, Revision
from ahq_history.core.shell import command_line
from ahq_history.core.text import SHORT, heads_since

if TYPE_CHECKING:
    from ahq_history.core.graph import Divergence, RevisionGraph

FileState = Literal["committed", "modified", "uncommitted"]


@dataclass(frozen=True)
class CommitFacts:
    """A commit and its author."""

    sha: str
    author: str
    email: str
    date: str  # ISO 8601 author date

    def as_json(self) -> dict[str, Any]:
        return {"commit": self.sha, "author": self.author, "email": self.email, "date": self.date}

    @property
    def who(self) -> str:
        return f"{self.author} <{self.email}>"


@dataclass(frozen=True)
class FileFacts:
    """What git knows about one revision file of the tree being checked.

    `added` is None for a file that is not committed, and for one older than a shallow clone's boundary.
    `refs` are the short names of the branches whose history holds the file (local first, then
    remote-tracking); `source` is the one a person would name: the remote-tracking branch it was
    published on, else the checked-out branch, else the first local branch.
    """

    state: FileState
    added: CommitFacts | None = None
    changed: CommitFacts | None = None
    refs: tuple[str, ...] = ()
    published: bool | None = None
    source: str | None = None


@dataclass(frozen=True)
class PublishedVersion:
    """A revision file whose text here differs from the version last published."""

    revision: Revision  # the file as published
    commit: CommitFacts | None  # the commit of that version (None beyond a shallow boundary)
    edit: CommitFacts | None  # the first local commit that changed it; None for an uncommitted change


@dataclass(frozen=True)
class DeletedFile:
    """A revision file that a commit (or the work tree) deleted."""

    revision: str
    path: str
    deleted_by: CommitFacts | None  # None: deleted in the work tree, not committed
    was_published: bool | None
    deletion_published: bool | None


@dataclass(frozen=True)
class BranchRevision:
    """A revision file added on a branch whose commit is not in the tree being checked."""

    revision: str
    path: str
    ref: str
    added: CommitFacts | None


@dataclass(frozen=True)
class GitFacts:
    """Everything reconcile needs from git, keyed by `Revision.path`."""

    files: Mapping[str, FileFacts]
    remote: bool  # remote-tracking branches exist (else publication is unknown)
    upstream: str | None = None
    published_versions: Mapping[str, PublishedVersion] = field(default_factory=dict)
    deletions: Sequence[DeletedFile] = ()
    branch_revisions: Sequence[BranchRevision] = ()
    # The oldest merge commit that joined the commits of each group (the sides' adding commits), if any.
    join: Callable[[Sequence[Sequence[str]]], CommitFacts | None] | None = None


@dataclass(frozen=True)
class Provenance:
    """Who brought a revision, when, and whether others may have it."""

    revision: str
    path: str
    state: FileState
    added: CommitFacts | None
    changed: CommitFacts | None
    refs: tuple[str, ...]
    published: bool | None
    source: str | None

    def as_json(self) -> dict[str, Any]:
        added = self.added.as_json() if self.added else {"commit": None, "author": None, "email": None,
                                                         "date": None}
        return {
            **added,
            "published": self.published,
            "refs": list(self.refs),
            "state": self.state,
            "source": self.source,
            "last_commit": self.changed.sha if self.changed else None,
            "last_author": self.changed.author if self.changed else None,
            "last_date": self.changed.date if self.changed else None,
        }


@dataclass(frozen=True)
class DivergenceReport:
    divergence: Divergence
    sides: tuple[SideFacts, ...]
    advised: Advice  # the advisor's answer: the command, why, and the upgrade after it
    joined_by: CommitFacts | None

    @property
    def advice(self) -> Action:
        return self.advised.action

    @property
    def command(self) -> str:
        """`command_argv` rendered as one shell line, each word quoted."""
        return self.advised.command

    @property
    def command_argv(self) -> tuple[str, ...]:
        return self.advised.argv


# -- provenance -----------------------------------------------------------------------------------


def provenance(graph: RevisionGraph, facts: GitFacts) -> dict[str, Provenance]:
    """Provenance of every revision whose file git knows about (none outside a repository)."""
    found = {}
    for rid, rev in graph.revisions.items():
        file = facts.files.get(rev.path)
        if file is not None:
            found[rid] = Provenance(revision=rid, path=rev.path, state=file.state, added=file.added,
                                    changed=file.changed, refs=file.refs, published=file.published,
                                    source=file.source)
    return found


def publication(revisions: Iterable[str], found: Mapping[str, Provenance]) -> bool | None:
    """True when any of the revisions is published, False when all are local, else None (unknown)."""
    flags = [found[r].published if r in found else None for r in revisions]
    if any(flag is True for flag in flags):
        return True
    if flags and all(flag is False for flag in flags):
        return False
    return None


def divergence_reports(graph: RevisionGraph, found: Mapping[str, Provenance], facts: GitFacts | None,
                       *, program: str = "ahq-history", applied: AppliedState = NOT_READ,
                       conflicts: Mapping[tuple[str, ...], Sequence[str]] | None = None,
                       upgrade: Sequence[str] = ("alembic", "upgrade", "head")) -> list[DivergenceReport]:
    """Each divergence with its sides' publication, the advisor's answer (`core/advice.py`: from the
    publication, `applied` and the operation `conflicts` keyed by the divergence's heads), and the joining
    merge."""
    reports = []
    several = len(graph.divergences) > 1
    heads_after = heads_once_joined(graph)
    for divergence in graph.divergences:
        sides = tuple(SideFacts(s.head, s.revisions, publication(s.revisions, found))
                      for s in divergence.sides)
        facts_for_advice = DivergenceFacts(
            heads=tuple(divergence.heads), labels=tuple(divergence.labels),
            sides=sides,
            conflicts=tuple((conflicts or {}).get(tuple(divergence.heads), ())))
        advised = advise(facts_for_advice, applied, several=several, program=program, upgrade=upgrade,
                         heads_after=heads_after)
        reports.append(DivergenceReport(divergence=divergence, sides=sides, advised=advised,
                                        joined_by=_joined_by(sides, found, facts)))
    return reports


def heads_once_joined(graph: RevisionGraph) -> int:
    """How many heads remain once every divergence is joined (labelled branches stay apart)."""
    return len(graph.heads) - sum(len(d.heads) - 1 for d in graph.divergences)


def _joined_by(sides: Sequence[SideFacts], found: Mapping[str, Provenance],
               facts: GitFacts | None) -> CommitFacts | None:
    if facts is None or facts.join is None:
        return None
    groups = []
    for side in sides:
        commits = [added.sha for r in side.revisions if r in found and (added := found[r].added) is not None]
        if not commits:
            return None  # an uncommitted side has not been joined by anything
        groups.append(commits)
    return facts.join(groups)


# -- warnings only git can give --------------------------------------------------------------------


def history_warnings(graph: RevisionGraph, facts: GitFacts, found: Mapping[str, Provenance]) -> list[Problem]:
    """Published files edited or re-parented afterwards, deleted revision files that still matter, and
    the same revision id added on two branches. All are warnings: they never change an exit code."""
    return [*_published_edits(graph, facts), *_deletions(graph, facts), *_same_id(graph, facts, found)]


def _published_edits(graph: RevisionGraph, facts: GitFacts) -> list[Problem]:
    by_path = {rev.path: rev for rev in graph.revisions.values()}
    problems = []
    for path, version in sorted(facts.published_versions.items()):
        current = by_path.get(path)
        if current is None:
            continue
        before = version.revision
        where = (f"in commit {version.commit.sha[:SHORT]} by {version.commit.author}" if version.commit
                 else "before this shallow clone's oldest commit")
        edit = (f"commit {version.edit.sha[:SHORT]} by {version.edit.who}" if version.edit
                else "an uncommitted change")
        if before.parents != current.parents or before.id != current.id:
            problems.append(Problem(
                kind="reparented-after-publish", severity="warning",
                message=f"revision {current.id} was published {where} with down_revision "
                f"{_ids(before.parents)} and {edit} changes it to {_ids(current.parents)}: databases that "
                "applied it record a different history; re-parent only what nobody else has",
                path=path, line=current.parents_line or current.line, revisions=(current.id,),
            ))
        else:
            problems.append(Problem(
                kind="edited-after-publish", severity="warning",
                message=f"revision {current.id} was edited after it was published ({where}); "
                f"{edit} changes it, and databases that already applied it will not run it again",
                path=path, line=current.line, revisions=(current.id,),
            ))
    return problems


def _ids(ids: Sequence[str]) -> str:
    return ", ".join(ids) if ids else "None"


def _dangling_names(graph: RevisionGraph) -> dict[str, str]:
    """Missing id -> the revision that still names it."""
    named: dict[str, str] = {}
    for problem in graph.problems:
        if problem.kind in ("dangling-parent", "dangling-depends-on") and len(problem.revisions) == 2:
            named.setdefault(problem.revisions[1], problem.revisions[0])
    return named


def _deletions(graph: RevisionGraph, facts: GitFacts) -> list[Problem]:
    named = _dangling_names(graph)
    problems = []
    for gone in facts.deletions:
        if gone.revision in graph.revisions:
            continue  # deleted at one path, present at another: a rename git did not pair
        local_deletion = gone.was_published is True and gone.deletion_published is not True
        if gone.revision not in named and not local_deletion:
            continue
        deleter = gone.deleted_by
        by = (f"in commit {deleter.sha[:SHORT]} by {deleter.who} on {deleter.date[:10]}" if deleter
              else "in the work tree (not committed)")
        why = (f"; revision {named[gone.revision]} still names it" if gone.revision in named
               else "; it was published, so databases may have it applied")
        problems.append(Problem(
            kind="deleted-revision", severity="warning",
            message=f"revision {gone.revision} was deleted {by}{why}",
            path=gone.path, line=None, revisions=(gone.revision,),
        ))
    return problems


def _same_id(graph: RevisionGraph, facts: GitFacts, found: Mapping[str, Provenance]) -> list[Problem]:
    places: dict[str, list[tuple[str, str, CommitFacts | None]]] = {}
    for rid, rev in graph.revisions.items():
        here = found.get(rid)
        places.setdefault(rid, []).append((rev.path, "here", here.added if here else None))
    for other in facts.branch_revisions:
        places.setdefault(other.revision, []).append((other.path, other.ref, other.added))
    problems = []
    for rid, where in sorted(places.items()):
        distinct = _distinct_places(where)
        if len(distinct) < 2:
            continue
        listed = "; ".join(f"{path} on {ref}" + (f" (commit {c.sha[:SHORT]} by {c.author})" if c else "")
                           for path, ref, c in distinct)
        problems.append(Problem(
            kind="same-id-on-branches", severity="warning",
            message=f"revision id {rid} is added on two branches: {listed}; give one of them a new id "
            "before they meet",
            path=distinct[0][0], line=None, revisions=(rid,),
        ))
    return problems


def _distinct_places(where: Sequence[tuple[str, str, CommitFacts | None]]
                     ) -> list[tuple[str, str, CommitFacts | None]]:
    """One entry per different file: a same path, or a same adding commit (a rename), is one file."""
    kept: list[tuple[str, str, CommitFacts | None]] = []
    for path, ref, commit in where:
        same = any(path == p or (commit is not None and c is not None and commit.sha == c.sha)
                   for p, _r, c in kept)
        if not same:
            kept.append((path, ref, commit))
    return kept


def merge_conflict(path: str, ref: str, revision: str | None) -> Problem:
    """A revision file that both sides changed differently: merging `ref` stops on it."""
    named = f"revision {revision} ({path})" if revision else path
    return Problem(kind="merge-conflict", severity="error",
                   message=f"{named} is changed differently here and on {ref}: merging {ref} will stop "
                   "on a conflict in it", path=path, line=None, revisions=(revision,) if revision else ())


# -- the hook's words ------------------------------------------------------------------------------


_FIX_FIRST = "  fix the revision files named below first (finish the git merge), then run `ahq-history check`"


def hook_text(graph: RevisionGraph, reports: Sequence[DivergenceReport], found: Mapping[str, Provenance],
              warnings: Sequence[Problem] = ()) -> str | None:
    """What a git hook prints after a pull: each divergent head with who brought it and from where, and
    the command that resolves it; then the history warnings. None when there is nothing to say.

    Errors among `warnings` (a file with conflict markers, one that cannot be read or compiled) replace
    the command: a merge over them would be written on a history that is not what git holds."""
    errors = [p for p in warnings if p.is_error]
    lines = []
    for report in reports:
        forks = report.divergence.forks
        lines.append(f"ahq-history: {heads_since(len(report.sides), forks, 'migration heads')}:")
        for side in report.sides:
            message = clean(graph.revisions[side.head].message or "(no message)")
            lines.append(f"  {clean(side.head[:SHORT])}  {message}  {_brought_by(found.get(side.head))}")
        if report.joined_by:
            lines.append(f"  joined by merge commit {report.joined_by.sha[:SHORT]} "
                         f"({clean(report.joined_by.author)}); the migration heads are still apart")
        lines.extend([_FIX_FIRST] if errors else advice_lines(report.advised))
    lines.extend(f"ahq-history: {p.severity}: {clean(_located(p))}" for p in warnings)
    return "\n".join(lines) if lines else None


def _located(problem: Problem) -> str:
    return located(problem) if problem.is_error else problem.message


def advice_lines(advised: Advice, indent: str = "  ") -> list[str]:
    """The advisor's answer as a hook prints it: why, the command, and the upgrade after it."""
    lines = [f"{indent}{clean(advised.reason)}", f"{indent}run: {advised.command}"]
    if advised.then:
        lines.append(f"{indent}then: {command_line(advised.then)}")
    return lines


def _brought_by(found: Provenance | None) -> str:
    if found is None:
        return "(git cannot tell who brought it)"
    mark = {True: "published", False: "local", None: "publication unknown"}[found.published]
    if found.added is None:
        origin = "not committed" if found.state == "uncommitted" else "older than this shallow clone"
        return f"({origin}, {mark})"
    source = f" from {clean(found.source)}" if found.source else ""
    return f"by {clean(found.added.who)}{source}, commit {found.added.sha[:SHORT]} ({mark})"
