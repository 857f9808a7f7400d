"""Which refs hold each commit and which of them publish it, and the facts that follow for the files of
the work tree: who added and changed each revision file, whether it is published, the published version it
differs from, the revision files deleted in HEAD's history and those added on other branches.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from ahq_history.core.errors import UnreachableError
from ahq_history.core.reconcile import BranchRevision, CommitFacts, DeletedFile, FileFacts, PublishedVersion
from ahq_history.core.shell import command_line
from ahq_history.git import repo as gitrepo
from ahq_history.git.index import FileState, History, Snapshot
from ahq_history.git.place import Place, State, blob_revisions, commit_facts, read_history
from ahq_history.git.repo import Ref


@dataclass(frozen=True)
class Publication:
    """Which refs hold each commit, and which of them count as publishing it."""

    refs: tuple[Ref, ...]
    masks: list[int]
    published_bits: int  # remote-tracking refs, or the one upstream ref
    known: bool  # False without any remote-tracking ref (publication unknown)
    current: str | None  # checked-out branch
    incoming_bits: int = 0  # what a fetch, an interrupted pull or a rebase brought: never ours
    _seen: dict[int, tuple[tuple[str, ...], str | None]] = field(default_factory=dict)  # by mask

    def _describe(self, number: int) -> tuple[tuple[str, ...], str | None]:
        """(names of the refs holding the commit, local first; the one to name as its source).
        Many commits share a mask, so each mask is worked out once."""
        mask = self.masks[number] if 0 <= number < len(self.masks) else 0
        known = self._seen.get(mask)
        if known is None:
            # MERGE_HEAD, FETCH_HEAD and a rebase's onto are named only when no branch holds the commit.
            shown = mask & ~self.incoming_bits or mask
            held = sorted((r for bit, r in enumerate(self.refs) if shown >> bit & 1),
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
        if self.masks[number] & self.incoming_bits:
            return True
        if not self.known:
            return None
        return bool(self.masks[number] & self.published_bits)


def publication(state: State, upstream: str | None = None, upstream_commit: str | None = None,
                incoming: Sequence[Ref] = ()) -> Publication:
    """Which refs hold each commit; published: what the remote-tracking refs (or the one `upstream`) hold,
    and always what the `incoming` refs hold (`incoming_refs`: a fetch, a pull or a rebase brought it)."""
    refs = [*state.refs, *incoming]
    first_incoming = len(state.refs)
    if upstream is not None and upstream_commit is not None:
        refs.append(Ref(name=f"upstream:{upstream}", commit=upstream_commit))
    masks = state.history.ref_masks([r.commit for r in refs])
    if upstream is not None:
        bits, known = 1 << (len(refs) - 1), True
    else:
        bits = sum(1 << n for n, r in enumerate(refs) if r.remote)
        known = bits != 0
    arrived = sum(1 << n for n in range(first_incoming, first_incoming + len(incoming)))
    shown = tuple(r for r in refs if not r.name.startswith("upstream:"))
    return Publication(refs=shown, masks=masks, published_bits=bits, known=known, current=state.branch,
                       incoming_bits=arrived)


def incoming_refs(repo: gitrepo.GitRepo) -> list[Ref]:
    """What is not ours though it is not on a remote-tracking branch (yet): the commits of a merge in
    progress (MERGE_HEAD, an interrupted pull), of the last fetch (FETCH_HEAD) and the commit a rebase in
    progress replays onto. A rebase's REBASE_HEAD is the user's own commit, so it is not among them."""
    found = [Ref(name="MERGE_HEAD", commit=c) for c in gitrepo.merge_head_commits(repo)]
    found += [Ref(name="FETCH_HEAD", commit=c) for c in gitrepo.fetch_head_commits(repo)]
    onto = gitrepo.rebase_onto(repo)
    if onto is not None:
        found.append(Ref(name="rebase-onto", commit=onto))
    return found


def state_and_publication(place: Place, upstream: str | None, extra_tips: Sequence[str] = ()
                          ) -> tuple[State, Publication]:
    """The history read up to date (with `extra_tips` and the commit `upstream` names) and its publication."""
    upstream_commit = None
    if upstream is not None:
        upstream_commit = gitrepo.resolve_commit(place.repo, upstream)
        if upstream_commit is None:
            raise unknown_ref(upstream, gitrepo.remotes(place.repo))
    incoming = incoming_refs(place.repo)
    tips = [*extra_tips, *(r.commit for r in incoming), *([upstream_commit] if upstream_commit else [])]
    state = read_history(place, tips)
    return state, publication(state, upstream, upstream_commit, incoming)


def unknown_ref(name: str, remotes: Collection[str]) -> UnreachableError:
    """A ref that names nothing: exit 2, and the fetch that would bring it (from the remote it names, else
    from all: `feature/x` is a branch name, not the remote `feature`)."""
    first = name.split("/", 1)[0]
    remote = first if "/" in name and first in remotes else "--all"
    return UnreachableError(
        f"git has no branch, tag or commit named '{name}'",
        f"run `{command_line(['git', 'fetch', remote])}` (or check the name with `git branch -a`), "
        "then try again")


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
    arriving: dict[str, FileState] | None = None
    for path, code in status.items():
        if "D" not in code and place.project_path(path) not in files and (wanted is None or path in wanted):
            arriving = _merging_files(state, pub) if arriving is None else arriving
            came = arriving.get(path)
            files[place.project_path(path)] = (file_facts(history, pub, came, "committed") if came is not None
                                               else FileFacts(state="uncommitted", published=False))
    return TreeFacts(files=files, snapshot=snapshot, status=status)


def _merging_files(state: State, pub: Publication) -> dict[str, FileState]:
    """The version folders' files of the commits a merge in progress brings in (MERGE_HEAD): staged here but
    not committed yet, they are the other side's, not ours."""
    found: dict[str, FileState] = {}
    for ref in pub.refs:
        if ref.name == "MERGE_HEAD" and ref.commit in state.history.index:
            found.update(state.history.replay(ref.commit).files)
    return found


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
