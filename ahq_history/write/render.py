"""Alembic's own template machinery, run without Alembic loading the revision map.

`ScriptDirectory.from_config` reads the configuration (it imports no revision file: its `RevisionMap` loads
lazily, and nothing here asks it). From it we take the steps `generate_revision` takes once it has resolved
the heads, fed with values from our static graph instead: `_generate_create_date` (the `timezone` option),
`_rev_path` (`file_template`, `truncate_slug_length`), `_generate_template` on the project's
`script.py.mako` with the same template values (`output_encoding` applied by Alembic), and
`write_hooks._run_hooks` (`post_write_hooks`). `Script._from_path`, which imports the new file, is never
called. These private helpers are pinned by tests that compare our file with `alembic merge`'s.

The file is rendered into a staging folder, never under a version location (with
`recursive_version_locations` Alembic would load a stray `.py` from there): in the system's temporary folder,
or, when post-write hooks run, beside the version location with the same path below it, so that a formatter
finds the project's own settings (`pyproject.toml`, `ruff.toml`) as it would for the real file.

Alembic is given absolute paths (script location, `prepend_sys_path`, the folder post-write hooks run in,
each taken from the project root as the project's own tool takes them), so the process's working folder is
never changed: the TUI renders from a worker thread.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ahq_history.core.errors import UnreachableError
from ahq_history.write.files import STAGING_PREFIX, relative

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ahq_history.config.project import Project

# Alembic runs with process-wide state changed (sys.path, sys.dont_write_bytecode, file descriptor 1):
# one run at a time, whichever thread asks (the TUI renders and writes from workers).
_ALEMBIC_RUN = threading.Lock()


def render_revision(project: Project, config: Config, location: Path, revision: str,
                    parents: tuple[str, ...], message: str) -> tuple[Path, bytes, str]:
    """What `alembic merge --rev-id REVISION PARENTS -m MESSAGE` writes when Alembic puts it in `location`:
    the file's path, its bytes after the post-write hooks, and what Alembic and the hooks printed.
    Raises `alembic.util.CommandError` as Alembic does (a template that fails, a hook without a type)."""
    log: list[str] = []
    location = location.resolve()
    with alembic_context(project, log):
        script = script_directory(project, config)
        create_date = script._generate_create_date()
        final = script._rev_path(location, revision, message, create_date)
        values = template_values(config, revision, parents, message, create_date)
        data = _render_staged(project, script, final, location, values)
    return final, data, "".join(log)


def template_values(config: Config, revision: str, parents: tuple[str, ...], message: str | None,
                    create_date: datetime.datetime) -> dict[str, Any]:
    """The values `command.merge` and `generate_revision` give the template, for a merge with no branch
    label and no depends_on: `refresh` and `config` are the keyword arguments `command.merge` passes on."""
    from alembic import util
    from alembic.script.revision import tuple_rev_as_scalar

    return {
        "up_revision": str(revision),
        "down_revision": tuple_rev_as_scalar(parents),
        "branch_labels": util.to_tuple(None),
        "depends_on": tuple_rev_as_scalar(None),
        "create_date": create_date,
        "comma": util.format_as_comma,
        "message": message if message is not None else "empty message",
        "refresh": True,
        "config": config,
    }


def _render_staged(project: Project, script: ScriptDirectory, final: Path, location: Path,
                   values: dict[str, Any]) -> bytes:
    """Render the template into a staging folder, run the post-write hooks on it, return its bytes; the
    staging folder is removed whatever happens."""
    from alembic.script import write_hooks

    anchor = staging_anchor(project, location) if script.hooks else None
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=anchor))
        staged = staging / final.relative_to(anchor or location)
        staged.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        where = relative(anchor, project.root) if anchor else tempfile.gettempdir()
        raise UnreachableError(f"cannot render the merge revision in {where}: {error.strerror or error}",
                               hint=f"it is rendered in a staging folder there first: check that {where} "
                               "is writable") from None
    try:
        script._generate_template(Path(script.dir, "script.py.mako"), staged, **values)
        if script.hooks:
            write_hooks._run_hooks(staged, script.hooks)
        return staged.read_bytes()
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def staging_anchor(project: Project, location: Path) -> Path | None:
    """The nearest folder above `location` that is under no version location (the staging folder goes
    there); None when there is none (then the system's temporary folder is used)."""
    locations = [loc.resolve() for loc in project.version_locations]
    for folder in location.resolve().parents:
        if not any(folder.is_relative_to(loc) for loc in locations):
            return folder
    return None


def script_directory(project: Project, config: Config) -> ScriptDirectory:
    """Alembic's ScriptDirectory for the project, with every path Alembic would take from the working
    folder taken from the project root instead (where the project's own tool runs): `prepend_sys_path`
    entries and the folder the post-write hooks run in (their `cwd` option, by default the working
    folder). Its revision map is never asked for, so no revision file is imported."""
    from alembic.script import ScriptDirectory

    before = len(sys.path)
    script = ScriptDirectory.from_config(config)  # prepends `prepend_sys_path` to sys.path as written
    added = len(sys.path) - before
    sys.path[:added] = [os.path.join(project.root, entry) for entry in sys.path[:added]]
    script.hooks = [_hook_run_in(hook, project.root) for hook in script.hooks]
    return script


def _hook_run_in(hook: Mapping[str, str], root: Path) -> dict[str, str]:
    """A post-write hook's options with `cwd` made absolute (from `root`, or `root` itself)."""
    cwd = hook.get("cwd")
    return {**hook, "cwd": str(root / cwd) if cwd else str(root)}


def alembic_config(project: Project) -> Config:
    """An Alembic `Config` for the project, as the project's own tool builds it.

    alembic.ini: the ini (and the pyproject.toml beside it, as the `alembic` command reads both).
    Flask-Migrate: `Config(migrations/alembic.ini)` with `script_location` set to the migrations folder,
    what `Migrate.get_config` does. pyproject: `Config(toml_file=pyproject.toml)`. In each, the
    script_location: the project's, absolute (Alembic would take a relative one from the working folder).
    """
    from alembic.config import Config

    quiet = argparse.Namespace(quiet=True, x=[])
    if project.layout == "pyproject":
        ini = project.config_path.parent / "alembic.ini"
        config = Config(file_=ini if ini.is_file() else None, toml_file=project.config_path,
                        ini_section=project.ini_section, cmd_opts=quiet)
    elif project.layout == "flask-migrate":
        config = Config(project.config_path, ini_section=project.ini_section, cmd_opts=quiet)
    else:
        toml = project.config_path.parent / "pyproject.toml"
        config = Config(project.config_path, toml_file=toml if toml.is_file() else None,
                        ini_section=project.ini_section, cmd_opts=quiet)
    # The ini's main section is read before [tool.alembic], so this wins in every layout.
    config.set_main_option("script_location", str(project.script_location).replace("%", "%%"))
    return config


@contextlib.contextmanager
def alembic_context(project: Project, log: list[str]) -> Iterator[None]:
    """Run Alembic as its command line would from the project's folder, without side effects on us:
    no bytecode files written (a template may import the project's modules), sys.path restored, and what
    Alembic or a post-write hook prints on stdout kept in `log` (our stdout may be a JSON answer; the TUI
    draws on stderr). These are process-wide, so one Alembic run at a time."""
    with _ALEMBIC_RUN:
        saved_path = list(sys.path)
        saved_bytecode = sys.dont_write_bytecode
        sys.dont_write_bytecode = True
        if project.layout == "flask-migrate":
            sys.path.insert(0, str(project.root))  # `flask db` runs with the app's folder importable
        try:
            with _captured_stdout(log):
                yield
        finally:
            sys.path[:] = saved_path
            sys.dont_write_bytecode = saved_bytecode


@contextlib.contextmanager
def _captured_stdout(log: list[str]) -> Iterator[None]:
    """Python's and subprocesses' stdout (file descriptor 1) into `log`."""
    buffer = io.StringIO()
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no stdout at all: only Python's own output can be caught
        with contextlib.redirect_stdout(buffer):
            yield
        log.append(buffer.getvalue())
        return
    with tempfile.TemporaryFile() as sink:
        try:
            os.dup2(sink.fileno(), 1)
            with contextlib.redirect_stdout(buffer):
                yield
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            log.append(buffer.getvalue() + sink.read().decode("utf-8", "replace"))
