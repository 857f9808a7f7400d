"""What git says about a loaded project for `check`, `history` and `show`: per revision who added it, when,
and whether it is published (`provenance_for`), and with that each divergence's sides, advice and joining
merge, and the history warnings (`git_view`). The facts go to the pure `reconcile`, which decides. Outside a
repository, or without git, both still answer: the facts are empty and `note` says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ahq_history.core.model import Problem
from ahq_history.core.reconcile import DivergenceReport, GitFacts, Provenance
from ahq_history.git.place import Place, State, finish, joining_commit, open_place
from ahq_history.git.publication import (
    Publication,
    TreeFacts,
    branch_revisions,
    deletions,
    published_versions,
    state_and_publication,
    work_tree_facts,
)
from ahq_history.git.repo import NotARepository

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph


@dataclass(frozen=True)
class GitView:
    """Git's side of a report. Outside git: empty, with `note` saying why."""

    provenance: dict[str, Provenance] = field(default_factory=dict)
    reports: list[DivergenceReport] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    summary: dict[str, Any] | None = None
    note: str | None = None


@dataclass(frozen=True)
class GitProvenance:
    """What `history` and `show` print per revision; `note` says why there is none (or why
    publication is unknown)."""

    provenance: dict[str, Provenance]
    note: str | None


def provenance_for(loaded: Loaded, upstream: str | None = None) -> GitProvenance:
    """Author, date and published/local of each revision of the work tree, or a note saying why not.

    Raises UnreachableError (exit 2) for an `upstream` that names nothing, or when git fails."""
    from ahq_history.core import reconcile

    try:
        place = open_place(loaded.project)
    except NotARepository as error:
        return GitProvenance({}, _note(error))
    try:
        state, pub = state_and_publication(place, upstream)
        tree = work_tree_facts(place, state, pub)
        finish(place, state)
        facts = GitFacts(files=tree.files, remote=pub.known, upstream=upstream)
        return GitProvenance(reconcile.provenance(loaded.graph, facts), _publication_note(pub, upstream))
    finally:
        place.repo.close()


def git_view(loaded: Loaded, upstream: str | None = None, program: str = "ahq-history") -> GitView:
    """Provenance, divergences with sides/advice/command/joining merge, and history warnings."""
    try:
        place = open_place(loaded.project)
    except NotARepository as error:
        return _without_git(loaded, program, _note(error))
    try:
        state, pub = state_and_publication(place, upstream)
        tree = work_tree_facts(place, state, pub)
        view = view_of(place, state, pub, tree, loaded.graph, upstream, program, tree.snapshot.reach)
        finish(place, state)
        return view
    finally:
        place.repo.close()


def view_of(place: Place, state: State, pub: Publication, tree: TreeFacts, graph: RevisionGraph,
            upstream: str | None, program: str, reach: bytearray) -> GitView:
    """Git's view of `graph` from the facts of `tree`; `reach` is the history in which a merge commit
    counts as joining heads (HEAD's, or HEAD's and the ref a merge is predicted with)."""
    from ahq_history.core import reconcile

    history = state.history
    dangling = any(p.kind in ("dangling-parent", "dangling-depends-on") for p in graph.problems)
    facts = GitFacts(
        files=tree.files, remote=pub.known, upstream=upstream,
        published_versions=published_versions(place, history, pub, tree),
        deletions=deletions(place, history, pub, tree, everything=dangling),
        branch_revisions=branch_revisions(place, state, pub, reach),
        join=lambda groups: joining_commit(history, groups, reach),
    )
    found = reconcile.provenance(graph, facts)
    return GitView(
        provenance=found,
        reports=reconcile.divergence_reports(graph, found, facts, program=program),
        warnings=reconcile.history_warnings(graph, facts, found),
        summary=_summary(place, state, pub, upstream),
        note=_publication_note(pub, upstream),
    )


def _without_git(loaded: Loaded, program: str, note: str) -> GitView:
    from ahq_history.core import reconcile

    return GitView(reports=reconcile.divergence_reports(loaded.graph, {}, None, program=program), note=note)


def _summary(place: Place, state: State, pub: Publication, upstream: str | None) -> dict[str, Any]:
    return {
        "root": str(place.repo.root),
        "head": state.head,
        "branch": state.branch,
        "upstream": upstream,
        "remote": any(r.remote for r in state.refs),
        "shallow": bool(state.history.shallow),
    }


@dataclass(frozen=True)
class Underway:
    """A git merge or rebase that has not finished, and the version files it still holds in conflict."""

    operation: str  # "merge" or "rebase"
    unresolved: tuple[str, ...]  # project paths of version files with unmerged index entries


def operation_under_way(project: Project) -> Underway | None:
    """The merge or rebase in progress in the project's repository; None when there is none (or no git)."""
    from ahq_history.git import repo as gitrepo

    try:
        place = open_place(project)
    except NotARepository:
        return None
    try:
        operation = gitrepo.operation_in_progress(place.repo)
        if operation is None:
            return None
        unmerged = gitrepo.unmerged_paths(place.repo, place.pathspecs)
        return Underway(operation, tuple(place.project_path(path) for path in unmerged))
    finally:
        place.repo.close()


def _note(error: NotARepository) -> str:
    return f"{error.message}: no git facts"


def _publication_note(pub: Publication, upstream: str | None) -> str | None:
    if upstream is None and not pub.known:
        return "no remote-tracking branch: whether a revision is published is unknown"
    return None
