"""Revision files as git holds them rather than as the work tree has them: staged in the index (what
`git commit` would record; `GIT_INDEX_FILE`, which git sets for `git commit PATH...`, is honoured) or in a
commit's tree (what a push sends). Each is read by the one reader (`core/source.py`'s `scan_texts`) into a
`Loaded`, so the gates judge it as `check` judges the work tree. Nothing here writes anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ahq_history.core.model import Problem
from ahq_history.git import repo as gitrepo
from ahq_history.git.place import Place

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project


def index_blobs(place: Place) -> dict[str, str]:
    """repository path -> blob of each revision file staged in the index (stage 0: a path still in
    conflict has no stage 0, and git refuses to commit it anyway)."""
    out = place.repo.run("ls-files", "--stage", "-z", "--", *(p or "." for p in place.pathspecs),
                         strip_newline_in_stdout=False)
    found = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        mode, sha, stage = meta.split(" ")
        if stage == "0" and mode != "160000":  # 160000: a submodule, not a file
            found[path] = sha
    return {path: found[path] for path in place.revision_paths(found)}


def commit_blobs(place: Place, commit: str) -> dict[str, str]:
    """repository path -> blob of each revision file in `commit`'s tree."""
    blobs = gitrepo.tree_blobs(place.repo, commit, place.pathspecs)
    return {path: blobs[path] for path in place.revision_paths(blobs)}


def has_commit(place: Place, sha: str) -> bool:
    """True when this repository holds commit `sha` (a push's remote side may be one it never fetched)."""
    return gitrepo.resolve_commit(place.repo, sha) is not None


def loaded_from_blobs(place: Place, project: Project, blobs: Mapping[str, str]) -> Loaded:
    """The graph of the revision files `blobs` (repository path -> blob), read as `check` reads files."""
    from ahq_history.config.loading import Loaded
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.core.source import ScanResult, decode_source, scan_texts

    data = gitrepo.blob_bytes(place.repo, blobs.values())
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for path, blob in sorted(blobs.items()):
        project_path = place.project_path(path)
        text, problem = decode_source(data.get(blob, b""), project_path)
        if text is None:
            problems.extend([problem] if problem is not None else [])
        else:
            texts[project_path] = text
    read = scan_texts(sorted(texts.items()))
    scan = ScanResult(read.revisions, (*problems, *read.problems))
    return Loaded(project=project, scan=scan, graph=RevisionGraph(read.revisions), texts=texts)
