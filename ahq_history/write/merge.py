"""Merge revisions written as `alembic merge` writes them, without running anything Alembic would import.

`render_merge` feeds Alembic's own template machinery (`render.py`: the project's `script.py.mako`,
`file_template`, `truncate_slug_length`, `timezone`, `output_encoding`, `post_write_hooks`) with values from
our static graph, and reads the file it made back with our own reader: no revision file, `env.py` or
application is imported. `merge_location` chooses the version location as `generate_revision` does.

Where Alembic itself would run code before writing, the merge is refused (exit 1), naming the command that
runs it: `revision_environment = true` (Alembic runs `env.py`, which may add template values), and a
template that asks the running Flask application for its databases (Flask-Migrate's multi-database
template uses `current_app`).
"""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import AhqError, ConfigError, RefusedError, UsageError
from ahq_history.core.plan import MergeStep
from ahq_history.write.files import Written, relative

if TYPE_CHECKING:
    from alembic.config import Config

    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph


def merge_location(project: Project, graph: RevisionGraph, step: MergeStep,
                   version_path: Path | None = None) -> Path:
    """The version location a merge revision goes to, as Alembic's `generate_revision` chooses it for the
    same ordered parents: `version_path` when given (it must be one of the configured locations); with
    one location, that one; with several, the folder of the first parent's file (symlinks resolved, as
    Alembic loads it). Where Alembic would refuse instead (that folder is a sub-folder of a recursive
    location), the location holding it."""
    locations = [loc.resolve() for loc in project.version_locations]
    if version_path is not None:
        chosen = version_path.resolve()
        if chosen not in locations:
            shown = ", ".join(relative(loc, project.root) for loc in locations)
            raise UsageError(f"--version-path {version_path} is not one of the version locations ({shown})",
                             hint="name one of them, or leave --version-path out")
        return chosen
    if len(locations) == 1:
        return locations[0]
    folder = (project.root / graph.revisions[step.parents[0]].path).resolve().parent
    if folder in locations:
        return folder
    owners = [loc for loc in locations if folder.is_relative_to(loc)]
    return max(owners, key=lambda loc: len(loc.parts)) if owners else locations[0]


def render_merge(project: Project, step: MergeStep, location: Path, *, rev_id: str | None = None) -> Written:
    """The merge revision `alembic merge --rev-id ID PARENTS -m MESSAGE` would write in `location`: its
    path and bytes (after the post-write hooks), checked by reading it back statically. Nothing is
    written in the tree. Raises RefusedError where Alembic would run code first (`refuse_code_first`)."""
    from alembic import util

    from ahq_history.write.render import alembic_config, render_revision

    config = alembic_config(project)
    refuse_code_first(project, step, config)
    revision = rev_id or util.rev_id()
    try:
        final, data, log = render_revision(project, config, location, revision, step.parents, step.message)
    except util.CommandError as error:
        raise AhqError(f"Alembic could not render the merge revision: {error}",
                       hint=f"fix what Alembic names, or write it with `{merge_command(project, step)}`"
                       ) from None
    relpath = relative(final, project.root)
    text = _read_back(project, step, revision, relpath, data)
    return Written("merge", revision, step.parents, final, relpath, text, log=log, data=data)


def refuse_code_first(project: Project, step: MergeStep, config: Config) -> None:
    """Refuse (exit 1) a merge that Alembic would write only after running the project's code:
    `revision_environment = true`, or a template that needs the running Flask application."""
    from alembic import util

    command = merge_command(project, step)
    if util.asbool(config.get_alembic_option("revision_environment")):
        raise RefusedError(
            f"{relative(project.config_path, project.root)} sets revision_environment = true: Alembic runs "
            "env.py (which may import the application and add values to the template) before it writes a "
            "revision, and ahq-history never runs it; nothing was written",
            hint=f"write the merge with `{command}`, which runs env.py")
    template = project.script_location / "script.py.mako"
    try:
        source = template.read_text(encoding="utf-8", errors="replace")
    except OSError as error:
        raise ConfigError(f"cannot read the revision template {relative(template, project.root)}: "
                          f"{error.strerror or error}",
                          hint="`alembic init` (or `flask db init`) creates script.py.mako") from None
    if "current_app" in source:
        raise RefusedError(
            f"{relative(template, project.root)} asks the running Flask application for its databases "
            "(current_app, as Flask-Migrate's multi-database template does), and ahq-history never imports "
            "the application; nothing was written",
            hint=f"write the merge inside the application: `{command}`")


def merge_command(project: Project, step: MergeStep) -> str:
    """The project's own command that writes this merge (`flask db merge` or `alembic merge`), quoted."""
    tool = ["flask", "db"] if project.layout == "flask-migrate" else ["alembic"]
    return shlex.join([*tool, "merge", "-m", step.message, *step.parents])


def _read_back(project: Project, step: MergeStep, revision: str, relpath: str, data: bytes) -> str:
    """The rendered file's text, read as every revision file is (statically); AhqError (nothing written)
    when it is not the merge revision asked for: a template that lost `down_revision`, a syntax error."""
    from ahq_history.core.source import decode_source, scan_text

    text, problem = decode_source(data, relpath)
    found, problems = scan_text(text, relpath, check_syntax=True) if text is not None else (None, [])
    wrong = [p.message for p in ([problem] if problem else []) + problems if p.is_error]
    if found is not None and (found.id, found.parents) != (revision, step.parents):
        wrong.append(f"it reads as revision {found.id} on {', '.join(found.parents) or 'no parent'}")
    if text is None or found is None or wrong:
        template = relative(project.script_location / "script.py.mako", project.root)
        reason = wrong[0] if wrong else "its revision id cannot be read"
        raise AhqError(f"the merge revision rendered from {template} is not the merge of "
                       f"{', '.join(step.parents)}: {reason}; nothing was written",
                       hint=f"check the template, or write the merge with `{merge_command(project, step)}`")
    return text
