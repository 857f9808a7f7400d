"""`lint --since REF`: the revision files that the checked-out branch added since it forked from REF, so CI
lints only a pull request's migrations. Reads git objects only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ahq_history.core.errors import UnreachableError
from ahq_history.git import repo as gitrepo
from ahq_history.git.place import open_place
from ahq_history.git.publication import unknown_ref
from ahq_history.git.repo import NotARepository

if TYPE_CHECKING:
    from ahq_history.config.project import Project


def added_since(project: Project, ref: str) -> list[str]:
    """The project paths (as `Revision.path` has them) of the revision files added on HEAD's side since
    its merge base with `ref`. Raises UnreachableError (exit 2) outside git, for a ref git does not know,
    and when `ref` and HEAD share no commit (a shallow clone)."""
    try:
        place = open_place(project)
    except NotARepository as error:
        raise UnreachableError(f"lint --since needs a git repository: {error.message}") from None
    try:
        if gitrepo.resolve_commit(place.repo, ref) is None:
            raise unknown_ref(ref, gitrepo.remotes(place.repo))
        if gitrepo.head_commit(place.repo) is None:
            raise UnreachableError("lint --since needs a commit checked out, and HEAD has none yet",
                                   "commit the revision files first")
        if gitrepo.merge_base(place.repo, ref, "HEAD") is None:
            raise UnreachableError(
                f"'{ref}' and HEAD share no commit, so what this branch added cannot be told",
                "fetch the full history (`git fetch --unshallow`, or `fetch-depth: 0` in actions/checkout)")
        added = gitrepo.added_paths(place.repo, ref, place.pathspecs)
        return [place.project_path(path) for path in place.revision_paths(added)]
    finally:
        place.repo.close()
