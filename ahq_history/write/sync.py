"""The plan of `ahq-history sync`: the database is at a revision this checkout lacks; git still has its
file (a branch, a deleted file, the reflog). The files are placed with a copy of the scripts folder in a
temporary folder outside the repository, the database is downgraded with them to the revision both
histories share, then upgraded with this checkout's own files to its head(s).
"""

from __future__ import annotations

import configparser
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import RefusedError
from ahq_history.write.switch import (
    Plan,
    Undo,
    destructive_words,
    downgrade_steps,
    refuse_empty_downgrades,
    refuse_uncommitted,
    sqlite_file,
    upgrade_steps,
)

if TYPE_CHECKING:
    from ahq_history.config.loading import Loaded
    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph
    from ahq_history.db.status import UnknownReport
    from ahq_history.git.repo import GitRepo

COMMAND = ("ahq-history", "sync", "--yes")
_SEPARATORS = {"os": os.pathsep, "space": " ", "newline": "\n"}


@dataclass(frozen=True)
class Found:
    """Where git has the database's revision: the commit, its graph, and the revisions to undo."""

    commit: str
    there: RevisionGraph
    undo: list[Undo]


def sync_plan(loaded: Loaded, database_url: str | None = None) -> Plan:
    """The plan that brings the database back to this checkout's head(s) (no steps: nothing to do).

    Raises RefusedError (exit 1) when git has no file defining the revision, for uncommitted revision
    files or an empty downgrade, and for a layout this cannot copy yet (pyproject.toml)."""
    from ahq_history.db.applied import read_named_rows
    from ahq_history.db.status import database_status, version_folders
    from ahq_history.git.repo import open_repo

    project, graph = loaded.project, loaded.graph
    url, rows = read_named_rows(project, database_url=database_url)
    report = database_status(project, graph, rows, url.source)
    plan = Plan(COMMAND, url, rows, (), (), sqlite_file(url, project))
    if not report.unknown:
        steps = upgrade_steps(project, graph, project.root) if report.state.pending else []
        return Plan(COMMAND, url, rows, tuple(steps), (), plan.sqlite)
    repo = open_repo(project.root)
    try:
        folders = version_folders(project, repo.root)
        refuse_uncommitted(repo, folders)
        found = _found(repo, report.unknown, folders, project, graph)
        refuse_empty_downgrades(project, found.undo)
        scratch, config = place_scripts(repo, project, found)
    finally:
        repo.close()
    flask = project.layout == "flask-migrate"
    steps = downgrade_steps(project, found.undo, rows.revisions, found.there,
                            directory=config if flask else None, config=None if flask else config)
    steps += upgrade_steps(project, graph, project.root)
    return Plan(COMMAND, url, rows, tuple(steps), destructive_words(found.undo), plan.sqlite, scratch)


def _found(repo: GitRepo, unknown: tuple[UnknownReport, ...], folders: list[str], project: Project,
           graph: RevisionGraph) -> Found:
    from ahq_history.git.repo import blob_bytes, tree_blobs
    from ahq_history.git.search import history_at

    if len(unknown) > 1:
        raise RefusedError("the database holds several revisions this checkout lacks: "
                           + ", ".join(u.revision for u in unknown),
                           "bring it back by hand with the steps `ahq-history status` prints")
    item = unknown[0]
    if not item.sightings:
        raise RefusedError(f"the database is at {item.revision}, and no file in git defines it",
                           item.note or "run `git fetch --all` and try again")
    commit = item.sightings[0].commit
    there = history_at(repo.root, commit, folders, recursive=project.recursive)
    lacking = {rev for rev in there.ancestors(item.revision) | {item.revision} if rev not in graph.revisions}
    blobs = tree_blobs(repo, commit, folders)
    texts = blob_bytes(repo, blobs.values())
    undo = []
    for rev in reversed(there.topological()):
        if rev in lacking:
            revision = there.revisions[rev]
            source = texts.get(blobs.get(revision.path, ""), b"").decode("utf-8", "replace")
            undo.append(Undo(rev, tuple(there.parents(rev)), source, revision.path))
    return Found(commit, there, undo)


def place_scripts(repo: GitRepo, project: Project, found: Found) -> tuple[Path, Path]:
    """Copy the scripts folder to a temporary folder outside the repository, with the revision files of
    `found.commit` that this checkout lacks; the folder, and what to point Alembic at (an ini, or for
    Flask-Migrate the copied `migrations/`)."""
    from ahq_history.git.repo import blob_bytes, tree_blobs

    if project.layout == "pyproject":
        raise RefusedError("sync does not handle a [tool.alembic] project in pyproject.toml yet",
                           "follow the steps `ahq-history status` prints")
    scratch = Path(tempfile.mkdtemp(prefix="ahq-history-sync-"))
    scripts = scratch / project.script_location.name
    shutil.copytree(project.script_location, scripts, ignore=shutil.ignore_patterns("__pycache__"))
    places = _version_places(project, scripts, scratch)
    paths = [u.path for u in found.undo]
    blobs = tree_blobs(repo, found.commit, paths)
    for path, data in ((p, blob_bytes(repo, [blobs[p]]).get(blobs[p], b"")) for p in paths if p in blobs):
        target = _place_for(repo.root / path, places)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    if project.layout == "flask-migrate":
        return scratch, scripts
    return scratch, _temporary_ini(project, scripts, places, scratch)


def _version_places(project: Project, scripts: Path, scratch: Path) -> dict[Path, Path]:
    """Each version location -> its copy (inside the copied scripts folder, or beside it)."""
    places = {}
    for number, location in enumerate(project.version_locations):
        try:
            places[location] = scripts / location.relative_to(project.script_location)
        except ValueError:
            places[location] = scratch / f"versions-{number}"
            if location.is_dir():
                shutil.copytree(location, places[location], ignore=shutil.ignore_patterns("__pycache__"))
        places[location].mkdir(parents=True, exist_ok=True)
    return places


def _place_for(original: Path, places: dict[Path, Path]) -> Path:
    for location, copy in places.items():
        try:
            return copy / original.relative_to(location)
        except ValueError:
            continue
    return next(iter(places.values())) / original.name


def _temporary_ini(project: Project, scripts: Path, places: dict[Path, Path], scratch: Path) -> Path:
    """The project's ini with `%(here)s` fixed to its own folder and the scripts pointed at the copy."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(project.config_path, encoding="utf-8")
    here = str(project.config_path.parent.resolve()).replace("%", "%%")
    for section in parser.sections():
        for key, value in parser.items(section):
            parser.set(section, key, value.replace("%(here)s", here))
    section = project.ini_section
    parser.set(section, "script_location", str(scripts))
    if parser.has_option(section, "version_locations"):
        name = parser.get(section, "path_separator", fallback=parser.get(
            section, "version_path_separator", fallback="space"))
        parser.set(section, "version_locations", _SEPARATORS.get(name, name).join(map(str, places.values())))
    ini = scratch / "alembic.ini"
    with ini.open("w", encoding="utf-8") as handle:
        parser.write(handle)
    return ini
