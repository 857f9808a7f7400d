"""`check --against REF`: the tree that merging REF into the work tree would leave, combined three-way
against the merge base as `git merge` would combine each revision file, and git's view of that tree. Reads
git objects only: the work tree, the index and HEAD are untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ahq_history.core.errors import UnreachableError
from ahq_history.core.model import Problem
from ahq_history.git import repo as gitrepo
from ahq_history.git.facts import GitView, view_of
from ahq_history.git.place import Place, State, finish, open_place, work_tree_text
from ahq_history.git.publication import (
    Publication,
    file_facts,
    state_and_publication,
    unknown_ref,
    work_tree_facts,
)
from ahq_history.git.repo import NotARepository

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded

@dataclass(frozen=True)
class Prediction:
    """The tree that merging `ref` into the work tree would leave, and git's view of it."""

    loaded: Loaded
    view: GitView
    against: dict[str, Any]  # ref, commit, merge_base, taken (paths from ref), removed, conflicts


def predict_merge(loaded: Loaded, ref: str, upstream: str | None = None, program: str = "ahq-history"
                  ) -> Prediction:
    """Three-way view against the merge base, as `git merge` would combine each revision file: changed
    only on `ref` -> ref's text; deleted on `ref` and unchanged here -> gone; changed on both differently
    -> a `merge-conflict` problem (our text kept). Our side is the work tree, uncommitted files included.
    Reads git objects only: the work tree, the index and HEAD are untouched."""
    try:
        place = open_place(loaded.project)
    except NotARepository as error:
        raise UnreachableError(f"check --against needs a git repository: {error.message}") from None
    try:
        theirs = gitrepo.resolve_commit(place.repo, ref)
        if theirs is None:
            raise unknown_ref(ref, gitrepo.remotes(place.repo))
        state, pub = state_and_publication(place, upstream, [theirs])
        base = gitrepo.merge_base(place.repo, state.head, theirs) if state.head else None
        merged = _three_way(place, loaded, ref, base, theirs)
        prediction = _predicted(place, state, pub, loaded, merged, theirs, upstream, program)
        finish(place, state)
        return replace(prediction, against={"ref": ref, "commit": theirs, "merge_base": base, **merged.paths})
    finally:
        place.repo.close()


@dataclass(frozen=True)
class _Merged:
    taken: dict[str, str]  # project path -> text from the ref
    removed: set[str]  # project paths the ref deleted
    conflicts: list[Problem]

    @property
    def paths(self) -> dict[str, list[str]]:
        return {"taken": sorted(self.taken), "removed": sorted(self.removed),
                "conflicts": sorted(p.path or "" for p in self.conflicts)}


def _three_way(place: Place, loaded: Loaded, ref: str, base: str | None, theirs: str) -> _Merged:
    from ahq_history.core import reconcile

    base_blobs = gitrepo.tree_blobs(place.repo, base, place.pathspecs)
    their_blobs = gitrepo.tree_blobs(place.repo, theirs, place.pathspecs)
    changed = [p for p in place.revision_paths(set(base_blobs) | set(their_blobs))
               if base_blobs.get(p) != their_blobs.get(p)]
    texts = _texts(place, [b for p in changed for b in (base_blobs.get(p), their_blobs.get(p)) if b])
    ours_by_path = {r.path: r.id for r in loaded.scan.revisions}
    merged = _Merged(taken={}, removed=set(), conflicts=[])
    for path in changed:
        ours = work_tree_text(place.repo.root / path)
        base_text = texts.get(base_blobs.get(path, ""))
        their_text = texts.get(their_blobs.get(path, ""))
        project_path = place.project_path(path)
        if ours == base_text:
            if their_text is None:
                merged.removed.add(project_path)
            else:
                merged.taken[project_path] = their_text
        elif ours != their_text:
            conflict = reconcile.merge_conflict(project_path, ref, ours_by_path.get(project_path))
            merged.conflicts.append(conflict)
    return merged


def _texts(place: Place, blobs: Iterable[str]) -> dict[str, str]:
    return {blob: data.decode("utf-8", errors="replace")
            for blob, data in gitrepo.blob_bytes(place.repo, blobs).items()}



def _predicted(place: Place, state: State, pub: Publication, loaded: Loaded, merged: _Merged, theirs: str,
               upstream: str | None, program: str) -> Prediction:
    from ahq_history.config.loading import Loaded
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.source import ScanResult, scan_texts

    replaced = set(merged.taken) | merged.removed
    read = scan_texts(sorted(merged.taken.items()))
    revisions = (*(r for r in loaded.scan.revisions if r.path not in replaced), *read.revisions)
    kept = (p for p in loaded.scan.problems if p.path not in replaced)
    problems = (*kept, *read.problems, *merged.conflicts)
    predicted = Loaded(project=loaded.project, scan=ScanResult(revisions, problems),
                       graph=RevisionGraph(revisions), texts=merged.taken)
    tree = work_tree_facts(place, state, pub)
    their_files = state.history.replay(theirs).files
    files = {p: f for p, f in tree.files.items() if p not in replaced}
    for project_path in merged.taken:
        file = their_files.get(place.repo_path(project_path))
        if file is not None:
            files[project_path] = file_facts(state.history, pub, file, "committed")
    reach = state.history.reach([t for t in (state.head, theirs) if t])
    view = view_of(place, state, pub, replace(tree, files=files), predicted.graph, upstream, program, reach)
    return Prediction(loaded=predicted, view=view, against={})
