"""What git says about a loaded project: the one entry point for `check`, `history`/`show` and the hooks.

    provenance_for(loaded, upstream=None) -> GitProvenance   author, date, published per revision (+ a note)
    git_view(loaded, upstream=None)       -> GitView          the above, divergences with advice, warnings
    predict_merge(loaded, ref)            -> Prediction       `check --against REF`: the tree after a merge
    hook_warning(project, old, new)       -> str | None       what a hook prints after a pull (or None)
    warm_cache(project)                                        read the whole history once (`hooks install`)

It reads history through `gitrepo` into the cache of `gitcache`, turns it into the plain facts of
`reconcile` (`GitFacts`) and lets that pure module decide. Outside a repository, or without git, every
function still answers: the facts are empty and `note` says why.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.core.errors import UnreachableError
from ahq_history.core.model import Problem, Revision
from ahq_history.core.reconcile import (
    BranchRevision,
    CommitFacts,
    DeletedFile,
    DivergenceReport,
    FileFacts,
    GitFacts,
    Provenance,
    PublishedVersion,
)
from ahq_history.git import index as gitcache
from ahq_history.git import repo as gitrepo
from ahq_history.git.index import FileState, History, Snapshot
from ahq_history.git.repo import GitRepo, NotARepository, Ref

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph

_REVISION_FIELDS = [f.name for f in fields(Revision) if f.name != "path"]


# -- where the project sits in the repository -----------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A project inside a repository: the project root and version folders as repository paths."""

    repo: GitRepo
    prefix: str  # project root relative to the repository root ("" when they are the same)
    pathspecs: tuple[str, ...]  # version folders relative to the repository root
    recursive: bool

    def project_path(self, repo_path: str) -> str:
        """A repository path as `Revision.path` has it (relative to the project root)."""
        return posixpath.relpath(repo_path, self.prefix) if self.prefix else repo_path

    def repo_path(self, project_path: str) -> str:
        return posixpath.normpath(posixpath.join(self.prefix, project_path)) if self.prefix else project_path

    def revision_paths(self, paths: Iterable[str]) -> list[str]:
        """Of repository paths, those Alembic would load as revision files."""
        from ahq_history.config.scan import revision_paths_in

        return revision_paths_in(paths, self.pathspecs, recursive=self.recursive)


def open_place(project: Project) -> Place:
    """Open the repository holding `project`. Raises NotARepository when there is none (or no git)."""
    repo = gitrepo.open_repo(project.root)
    prefix = gitrepo.repo_path(repo, project.root)
    specs = [gitrepo.repo_path(repo, location) for location in project.version_locations]
    pathspecs = tuple(dict.fromkeys(s for s in specs if s is not None))
    if prefix is None or not pathspecs:
        repo.close()
        raise NotARepository(f"the version folders of {project.config_path} are outside the git work tree")
    return Place(repo=repo, prefix=prefix, pathspecs=pathspecs, recursive=project.recursive)


# -- the history cache ----------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """History brought up to date, with the refs and HEAD it was read for."""

    history: History
    refs: tuple[Ref, ...]
    head: str | None
    branch: str | None
    changed: bool  # the history grew or was pruned: `finish` writes it
    blobs_known: int  # how many blobs were cached when it was read


def cache_file(place: Place) -> Path:
    key = hashlib.sha1("\0".join(place.pathspecs).encode(), usedforsecurity=False).hexdigest()[:16]
    return place.repo.cache_dir / f"history-{key}.json"


def read_history(place: Place, extra_tips: Sequence[str] = ()) -> State:
    """The cached history, extended by the commits that are new since it was written (one `git log`)."""
    repo = place.repo
    shallow = gitrepo.shallow_boundary(repo)
    path = cache_file(place)
    history = gitcache.load(path, place.pathspecs, shallow) or History(place.pathspecs, shallow)
    refs = tuple(gitrepo.branch_refs(repo))
    head = gitrepo.head_commit(repo)
    tips = list(dict.fromkeys(t for t in (head, *(r.commit for r in refs), *extra_tips) if t))
    changed = False
    new = [t for t in tips if t not in history.index]
    if new:
        text = gitrepo.log_history(repo, new, sorted(history.tips), place.pathspecs)
        history.add(gitcache.parse_log(text), new)
        changed = True
        if history.stale(tips):  # left behind by a rebase or a deleted branch
            history.prune(tips)
    if set(tips) != history.tips and all(t in history.index for t in tips):
        history.tips = set(tips)
        changed = True
    return State(history=history, refs=refs, head=head, branch=gitrepo.current_branch(repo), changed=changed,
                 blobs_known=len(history.blobs))


def finish(place: Place, state: State) -> None:
    """Write the cache once, when this run learned something (new commits, or blobs read)."""
    if state.changed or len(state.history.blobs) != state.blobs_known:
        gitcache.save(cache_file(place), state.history)


def commit_facts(history: History, number: int | None) -> CommitFacts | None:
    """Who made commit `number` (None for no commit, or one whose author was not recorded)."""
    if number is None:
        return None
    known = history.memo.get(number)
    if known is None:
        info = history.commit(number)
        if info is None:
            return None
        known = history.memo[number] = CommitFacts(sha=info.sha, author=info.author, email=info.email,
                                                   date=info.date)
    return known


# -- revisions read from blobs (cached by blob) ---------------------------------------------------


def blob_revisions(place: Place, history: History, blobs: Mapping[str, str]) -> dict[str, Revision | None]:
    """blob -> the revision its text defines (None when it defines none), for `blobs` (blob -> repo path).

    Each blob is read and scanned once, ever: the answer is kept in the history cache.
    """
    from ahq_history.config.scan import decode_source, scan_text

    missing = [b for b in blobs if b not in history.blobs]
    for blob, data in gitrepo.blob_bytes(place.repo, missing).items():
        text, _problem = decode_source(data, blobs[blob])
        revision = scan_text(text, blobs[blob])[0] if text is not None else None
        history.blobs[blob] = _revision_list(revision) if revision is not None else None
    found: dict[str, Revision | None] = {}
    for blob, path in blobs.items():
        stored = history.blobs.get(blob)
        found[blob] = _revision_from_list(stored, place.project_path(path)) if stored else None
    return found


def _revision_list(revision: Revision) -> list[Any]:
    return [getattr(revision, name) for name in _REVISION_FIELDS]


def _revision_from_list(stored: list[Any], path: str) -> Revision:
    values = dict(zip(_REVISION_FIELDS, stored, strict=True))
    for name in ("parents", "depends_on", "branch_labels"):
        values[name] = tuple(values[name])
    if values["revises"] is not None:
        values["revises"] = tuple(values["revises"])
    return Revision(path=path, **values)


# -- facts for reconcile --------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """Which refs hold each commit, and which of them count as publishing it."""

    refs: tuple[Ref, ...]
    masks: list[int]
    published_bits: int  # remote-tracking refs, or the one upstream ref
    known: bool  # False without any remote-tracking ref (publication unknown)
    current: str | None  # checked-out branch
    _seen: dict[int, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)  # by mask

    def _describe(self, number: int) -> tuple[tuple[str, ...], str | None]:
        """(names of the refs holding the commit, local first; the one to name as its source).
        Many commits share a mask, so each mask is worked out once."""
        mask = self.masks[number] if 0 <= number < len(self.masks) else 0
        known = self._seen.get(mask)
        if known is None:
            held = sorted((r for bit, r in enumerate(self.refs) if mask >> bit & 1),
                          key=lambda r: (r.remote, r.short))
            names = tuple(r.short for r in held)
            remote = [r.short for r in held if r.remote]
            if remote and mask & self.published_bits:
                source: str | None = remote[0]
            else:
                source = self.current if self.current in names else (names[0] if names else None)
            known = self._seen[mask] = (names, source)
        return known

    def refs_of(self, number: int) -> tuple[str, ...]:
        return self._describe(number)[0]

    def source(self, number: int) -> str | None:
        return self._describe(number)[1]

    def published(self, number: int | None) -> bool | None:
        if number is None:
            return False
        if not self.known:
            return None
        return bool(self.masks[number] & self.published_bits)


def publication(state: State, upstream: str | None = None, upstream_commit: str | None = None) -> Publication:
    refs = list(state.refs)
    if upstream is not None and upstream_commit is not None:
        refs.append(Ref(name=f"upstream:{upstream}", commit=upstream_commit))
    masks = state.history.ref_masks([r.commit for r in refs])
    if upstream is not None:
        bits, known = 1 << (len(refs) - 1), True
    else:
        bits = sum(1 << n for n, r in enumerate(refs) if r.remote)
        known = bits != 0
    shown = tuple(r for r in refs if not r.name.startswith("upstream:"))
    return Publication(refs=shown, masks=masks, published_bits=bits, known=known, current=state.branch)


def file_facts(history: History, pub: Publication, file: FileState, state: str) -> FileFacts:
    """Facts about a committed file (`state` "committed" or "modified")."""
    return FileFacts(
        state=state,  # type: ignore[arg-type]
        added=commit_facts(history, file.added),
        changed=commit_facts(history, file.changed),
        refs=pub.refs_of(file.seen),
        published=pub.published(file.seen),
        source=pub.source(file.seen),
    )


@dataclass(frozen=True)
class TreeFacts:
    """The facts for one tree: HEAD plus the work tree's changes."""

    files: dict[str, FileFacts]  # by project path
    snapshot: Snapshot
    status: dict[str, str]  # repo path -> porcelain code


def work_tree_facts(place: Place, state: State, pub: Publication, *, only: Collection[str] | None = None,
                    snapshot: Snapshot | None = None, status: dict[str, str] | None = None) -> TreeFacts:
    """Facts for each revision file of the work tree: committed ones from history, the rest local.

    `only`: the project paths wanted (default: every file; empty: none, just the snapshot and status)."""
    history = state.history
    if snapshot is None:
        snapshot = history.replay(state.head) if state.head else _empty_snapshot(history)
    if status is None:
        status = gitrepo.work_tree_status(place.repo, place.pathspecs)
    files: dict[str, FileFacts] = {}
    wanted = None if only is None else {place.repo_path(p) for p in only}
    for path, file in snapshot.files.items():
        if wanted is not None and path not in wanted:
            continue
        code = status.get(path, "  ")
        if "D" in code or "?" in code:
            continue
        kind = "modified" if "M" in code else "committed"
        files[place.project_path(path)] = file_facts(history, pub, file, kind)
    for path, code in status.items():
        if "D" not in code and place.project_path(path) not in files and (wanted is None or path in wanted):
            files[place.project_path(path)] = FileFacts(state="uncommitted", published=False)
    return TreeFacts(files=files, snapshot=snapshot, status=status)


def _empty_snapshot(history: History) -> Snapshot:
    return Snapshot(tip=-1, reach=bytearray(len(history)), files={}, deletions={})


def published_versions(place: Place, history: History, pub: Publication, tree: TreeFacts
                       ) -> dict[str, PublishedVersion]:
    """Files whose text here differs from their last published version (a local commit or edit)."""
    wanted: dict[str, tuple[str, int, CommitFacts | None]] = {}  # repo path -> (blob, commit, edit)
    for path, file in tree.snapshot.files.items():
        facts = tree.files.get(place.project_path(path))
        if facts is None or not pub.known:
            continue
        published = [n for n, (commit, _blob) in enumerate(file.versions) if pub.published(commit)]
        if not published:
            continue
        commit, blob = file.versions[published[-1]]
        # The first later commit that changed the text (a rename keeps the blob: it edits nothing).
        edited = next((later for later, text in file.versions[published[-1] + 1:] if text != blob), None)
        if edited is not None:
            wanted[path] = (blob, commit, commit_facts(history, edited))
        elif facts.state == "modified":
            wanted[path] = (blob, commit, None)
    if not wanted:
        return {}
    texts = blob_revisions(place, history, {blob: path for path, (blob, _c, _e) in wanted.items()})
    found = {}
    for path, (blob, commit, edit) in wanted.items():
        revision = texts.get(blob)
        file = tree.snapshot.files[path]
        is_boundary = file.boundary and commit == file.seen
        if revision is not None:
            found[place.project_path(path)] = PublishedVersion(
                revision=revision, commit=None if is_boundary else commit_facts(history, commit), edit=edit)
    return found


def deletions(place: Place, history: History, pub: Publication, tree: TreeFacts, *, everything: bool
              ) -> list[DeletedFile]:
    """Revision files deleted in HEAD's history (or in the work tree). Only deletions of published files
    that are not published themselves are read, unless `everything` (a dangling id needs its answer)."""
    candidates: dict[str, tuple[str, int | None, int | None]] = {}  # repo path -> (blob, seen, deleting)
    for path, gone in tree.snapshot.deletions.items():
        if gone.blob and (everything or (pub.published(gone.seen) and not pub.published(gone.commit))):
            candidates[path] = (gone.blob, gone.seen, gone.commit)
    for path, code in tree.status.items():
        file = tree.snapshot.files.get(path)
        if "D" in code and file is not None:
            candidates[path] = (file.blob, file.seen, None)
    paths = set(place.revision_paths(candidates))
    wanted = {blob: p for p, (blob, _seen, _deleting) in candidates.items() if p in paths}
    texts = blob_revisions(place, history, wanted)
    found = []
    for path in sorted(paths):
        blob, seen, deleting = candidates[path]
        revision = texts.get(blob)
        if revision is not None:
            found.append(DeletedFile(
                revision=revision.id, path=place.project_path(path),
                deleted_by=commit_facts(history, deleting),
                was_published=pub.published(seen) if seen is not None else None,
                deletion_published=pub.published(deleting) if deleting is not None else False,
            ))
    return found


def branch_revisions(place: Place, state: State, pub: Publication, reach: bytearray) -> list[BranchRevision]:
    """Revision files added on branches by commits that are not in HEAD's history."""
    history = state.history
    added: dict[str, tuple[str, int]] = {}  # repo path -> (blob, commit)
    for number, changes in history.changes.items():
        if reach[number] or not pub.masks[number]:
            continue
        for change in changes:
            if change.status in ("A", "R") and change.blob:
                added[change.path] = (change.blob, number)
    paths = set(place.revision_paths(added))
    texts = blob_revisions(place, history, {blob: p for p, (blob, _n) in added.items() if p in paths})
    found = []
    for path in sorted(paths):
        blob, number = added[path]
        revision = texts.get(blob)
        names = pub.refs_of(number)
        if revision is not None and names and _still_there(place, pub, number, path):
            found.append(BranchRevision(revision=revision.id, path=place.project_path(path), ref=names[0],
                                        added=commit_facts(history, number)))
    return found


def _still_there(place: Place, pub: Publication, number: int, path: str) -> bool:
    """The file is still in the tree of some ref that holds the commit that added it."""
    mask = pub.masks[number]
    for bit, ref in enumerate(pub.refs):
        if mask >> bit & 1 and gitrepo.object_id(place.repo, f"{ref.commit}:{path}") is not None:
            return True
    return False


# -- everything check needs -----------------------------------------------------------------------


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
        state, pub = _state_and_publication(place, upstream)
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
        state, pub = _state_and_publication(place, upstream)
        tree = work_tree_facts(place, state, pub)
        view = _view(place, state, pub, tree, loaded.graph, upstream, program, tree.snapshot.reach)
        finish(place, state)
        return view
    finally:
        place.repo.close()


def _view(place: Place, state: State, pub: Publication, tree: TreeFacts, graph: RevisionGraph,
          upstream: str | None, program: str, reach: bytearray) -> GitView:
    from ahq_history.core import reconcile

    history = state.history
    dangling = any(p.kind in ("dangling-parent", "dangling-depends-on") for p in graph.problems)
    facts = GitFacts(
        files=tree.files, remote=pub.known, upstream=upstream,
        published_versions=published_versions(place, history, pub, tree),
        deletions=deletions(place, history, pub, tree, everything=dangling),
        branch_revisions=branch_revisions(place, state, pub, reach),
        join=lambda groups: _join(history, groups, reach),
    )
    found = reconcile.provenance(graph, facts)
    return GitView(
        provenance=found,
        reports=reconcile.divergence_reports(graph, found, facts, program=program),
        warnings=reconcile.history_warnings(graph, facts, found),
        summary=_summary(place, state, pub, upstream),
        note=_publication_note(pub, upstream),
    )


def _join(history: History, groups: Sequence[Sequence[str]], reach: bytearray) -> CommitFacts | None:
    numbered = [[history.index[sha] for sha in group if sha in history.index] for group in groups]
    if not all(numbered):
        return None
    return commit_facts(history, history.first_join(numbered, reach))


def _without_git(loaded: Loaded, program: str, note: str) -> GitView:
    from ahq_history.core import reconcile

    return GitView(reports=reconcile.divergence_reports(loaded.graph, {}, None, program=program), note=note)


def _state_and_publication(place: Place, upstream: str | None, extra_tips: Sequence[str] = ()
                           ) -> tuple[State, Publication]:
    upstream_commit = None
    if upstream is not None:
        upstream_commit = gitrepo.resolve_commit(place.repo, upstream)
        if upstream_commit is None:
            raise unknown_ref(upstream, gitrepo.remotes(place.repo))
    state = read_history(place, [*extra_tips, *([upstream_commit] if upstream_commit else [])])
    return state, publication(state, upstream, upstream_commit)


def unknown_ref(name: str, remotes: Collection[str]) -> UnreachableError:
    """A ref that names nothing: exit 2, and the fetch that would bring it (from the remote it names, else
    from all: `feature/x` is a branch name, not the remote `feature`)."""
    first = name.split("/", 1)[0]
    remote = first if "/" in name and first in remotes else "--all"
    return UnreachableError(
        f"git has no branch, tag or commit named '{name}'",
        f"run `git fetch {remote}` (or check the name with `git branch -a`), then try again")


def _summary(place: Place, state: State, pub: Publication, upstream: str | None) -> dict[str, Any]:
    return {
        "root": str(place.repo.root),
        "head": state.head,
        "branch": state.branch,
        "upstream": upstream,
        "remote": any(r.remote for r in state.refs),
        "shallow": bool(state.history.shallow),
    }


def _note(error: NotARepository) -> str:
    return f"{error.message}: no git facts"


def _publication_note(pub: Publication, upstream: str | None) -> str | None:
    if upstream is None and not pub.known:
        return "no remote-tracking branch: whether a revision is published is unknown"
    return None


# -- check --against REF ----------------------------------------------------------------------------


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
        state, pub = _state_and_publication(place, upstream, [theirs])
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
        ours = _work_tree_text(place.repo.root / path)
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


def _work_tree_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return None


def _predicted(place: Place, state: State, pub: Publication, loaded: Loaded, merged: _Merged, theirs: str,
               upstream: str | None, program: str) -> Prediction:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.scan import ScanResult, scan_texts
    from ahq_history.core.graph import RevisionGraph

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
    view = _view(place, state, pub, replace(tree, files=files), predicted.graph, upstream, program, reach)
    return Prediction(loaded=predicted, view=view, against={})


# -- the hooks ----------------------------------------------------------------------------------------


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
        state, pub = _state_and_publication(place, upstream, [new_commit])
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
    graph = RevisionGraph(_work_tree_revisions(place, state, tree, project))
    sides = {graph.revisions[r].path for d in graph.divergences for s in d.sides for r in s.revisions}
    files = work_tree_facts(place, state, pub, only=sides, snapshot=tree.snapshot, status=tree.status).files
    facts = GitFacts(files=files, remote=pub.known, upstream=upstream,
                     join=lambda groups: _join(state.history, groups, tree.snapshot.reach))
    found = reconcile.provenance(graph, facts)
    reports = reconcile.divergence_reports(graph, found, facts, program=program)
    return reconcile.hook_text(graph, reports, found, _pulled_edits(place, state, touched, old))


def _work_tree_revisions(place: Place, state: State, tree: TreeFacts, project: Project) -> list[Revision]:
    """The work tree's revisions: committed files from the blob cache, changed ones read from disk."""
    from ahq_history.config.scan import scan_texts

    committed = {}
    for path in place.revision_paths(tree.snapshot.files):
        if tree.status.get(path, "  ") == "  ":
            committed[tree.snapshot.files[path].blob] = path
    revisions = [r for r in blob_revisions(place, state.history, committed).values() if r is not None]
    changed = [p for p in place.revision_paths(tree.status) if "D" not in tree.status[p]]
    texts = [(place.project_path(p), t) for p in changed if (t := _work_tree_text(place.repo.root / p))]
    revisions.extend(scan_texts(texts).revisions)
    return revisions


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

