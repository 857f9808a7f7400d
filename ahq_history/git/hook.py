"""What a git hook says after a pull, a rebase, a merge or a branch switch (`hook_warning`), and the
whole history read once beforehand (`warm_cache`, at `hooks install`) so that a hook reads only the commits
a pull brought. Outside a repository, or without git, both stay quiet.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ahq_history.core.model import Problem, Revision
from ahq_history.core.reconcile import GitFacts
from ahq_history.git import repo as gitrepo
from ahq_history.git.index import History
from ahq_history.git.place import (
    Place,
    State,
    blob_revisions,
    commit_facts,
    finish,
    joining_commit,
    open_place,
    read_history,
    work_tree_read,
    work_tree_text,
)
from ahq_history.git.publication import (
    Publication,
    TreeFacts,
    publication,
    state_and_publication,
    work_tree_facts,
)
from ahq_history.git.repo import NotARepository

if TYPE_CHECKING:
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph

def hook_warning(project: Project, old: str, new: str = "HEAD", *, upstream: str | None = None,
                 program: str = "ahq-history") -> str | None:
    """What a git hook prints after `old..new` arrived (a pull, a rebase, a merge, a branch switch).

    Reads only the commits that are new since the cache (after `warm_cache`, a pull's worth), and stays
    quiet (None) when those commits touched no revision file, or when nothing is wrong afterwards. Names
    each divergent head with its message, who brought it and from which branch, and the exact
    `merge-heads` command (`--rebase` when exactly one side is published and the rest is local); then
    revision files the pull changed or deleted that were already here. Outside git: None.
    Raises AhqError only for a broken repository; a hook should print nothing then and exit 0.
    """
    try:
        place = open_place(project)
    except NotARepository:
        return None
    try:
        new_commit = gitrepo.resolve_commit(place.repo, new)
        if new_commit is None:
            return None
        old_commit = gitrepo.resolve_commit(place.repo, old)
        state, pub = state_and_publication(place, upstream, [new_commit])
        touched = _brought_changes(place, state.history, old_commit, new_commit)
        if not touched:
            finish(place, state)
            return None
        text = _hook_text(place, state, pub, project, touched, old_commit, upstream, program)
        finish(place, state)
        return text
    finally:
        place.repo.close()


def _brought_changes(place: Place, history: History, old: str | None, new: str) -> list[tuple[int, Any]]:
    """(commit, change) of the revision files that commits in `old..new` changed, oldest first."""
    arrived = sorted(history.only_in(new, old))
    changes = [(n, c) for n in arrived for c in history.changes.get(n, ())]
    wanted = set(place.revision_paths({c.path for _n, c in changes} | {c.old_path for _n, c in changes
                                                                       if c.old_path}))
    return [(n, c) for n, c in changes if c.path in wanted or c.old_path in wanted]


def _hook_text(place: Place, state: State, pub: Publication, project: Project, touched: list[tuple[int, Any]],
               old: str | None, upstream: str | None, program: str) -> str | None:
    from ahq_history.core import reconcile
    from ahq_history.core.graph import RevisionGraph

    tree = work_tree_facts(place, state, pub, only=())
    revisions, file_errors = _work_tree_revisions(place, state, tree, project)
    graph = RevisionGraph(revisions)
    sides = {graph.revisions[r].path for d in graph.divergences for s in d.sides for r in s.revisions}
    files = work_tree_facts(place, state, pub, only=sides, snapshot=tree.snapshot, status=tree.status).files
    facts = GitFacts(files=files, remote=pub.known, upstream=upstream,
                     join=lambda groups: joining_commit(state.history, groups, tree.snapshot.reach))
    found = reconcile.provenance(graph, facts)
    reports = reconcile.divergence_reports(graph, found, facts, program=program,
                                           conflicts=_conflicts(graph, project), upgrade=project.upgrade_argv)
    edits = _pulled_edits(place, state, touched, old)
    return reconcile.hook_text(graph, reports, found, [*file_errors, *edits])


def _conflicts(graph: RevisionGraph, project: Project) -> dict[tuple[str, ...], list[str]]:
    """Each divergence's operation conflicts (messages), read from the work tree's files: the advisor
    names them and never advises a command that would refuse over them."""
    from ahq_history.core.conflicts import conflicts_for_divergence, divergence_sides

    def text(revision: Revision) -> str | None:
        return work_tree_text(project.root / revision.path)

    found = {}
    for divergence in graph.divergences:
        sides = divergence_sides([s.revisions for s in divergence.sides], graph.revisions, text)
        found[tuple(divergence.heads)] = [c.message for c in conflicts_for_divergence(sides)]
    return found


def _work_tree_revisions(place: Place, state: State, tree: TreeFacts, project: Project
                         ) -> tuple[list[Revision], list[Problem]]:
    """The work tree's revisions: committed files from the blob cache, changed ones read from disk; and
    the errors of files that hold no readable revision (conflict markers committed, a FIFO, a syntax
    error), which the hook names instead of advising a merge over them."""
    from ahq_history.core.source import scan_texts

    committed = {}
    for path in place.revision_paths(tree.snapshot.files):
        if tree.status.get(path, "  ") == "  ":
            committed[tree.snapshot.files[path].blob] = path
    found = blob_revisions(place, state.history, committed)
    revisions = [r for r in found.values() if r is not None]
    unread = [committed[blob] for blob, revision in found.items() if revision is None]  # rare: say why
    changed = [p for p in place.revision_paths(tree.status) if "D" not in tree.status[p]]
    texts, problems = [], []
    for path in [*changed, *unread]:
        text, problem = work_tree_read(place.repo.root / path, place.project_path(path))
        if text is not None:
            texts.append((place.project_path(path), text))
        problems.extend([problem] if problem is not None else [])
    scanned = scan_texts(texts)
    revisions.extend(scanned.revisions)
    return revisions, [*problems, *(p for p in scanned.problems if p.is_error)]


def _pulled_edits(place: Place, state: State, touched: list[tuple[int, Any]], old: str | None
                  ) -> list[Problem]:
    """Revision files that were here before and that the arriving commits changed or deleted."""
    if old is None:
        return []
    problems: dict[str, Problem] = {}
    for number, change in touched:
        before = change.old_path or change.path
        if change.status == "A" or before in problems:
            continue
        if change.status == "R" and change.blob == change.old_blob:
            continue  # a move, not an edit
        old_blob = gitrepo.object_id(place.repo, f"{old}:{before}")
        if old_blob is None:
            continue  # the file arrived with this pull too
        by = commit_facts(state.history, number)
        who = f" in commit {by.sha[:12]} by {by.who}" if by else ""
        verb = "deleted" if change.status == "D" else "changed"
        problems[before] = Problem(
            kind="pulled-edit", severity="warning",
            message=f"{place.project_path(before)}, which you already had, was {verb}{who}; a database that "
            "applied the old text will not run the new one",
            path=place.project_path(before))
    return list(problems.values())


def warm_cache(project: Project) -> bool:
    """Read the whole history (and the revision files of HEAD) into the cache, so that hooks read only
    what a pull brings. False outside a git repository."""
    try:
        place = open_place(project)
    except NotARepository:
        return False
    try:
        state = read_history(place)
        pub = publication(state)
        tree = work_tree_facts(place, state, pub)
        _work_tree_revisions(place, state, tree, project)
        finish(place, state)
        return True
    finally:
        place.repo.close()
