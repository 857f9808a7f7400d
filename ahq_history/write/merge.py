"""Merge revisions rendered by Alembic's own machinery, without loading it as a whole.

`ScriptDirectory.generate_revision` (what `alembic merge` and `flask db merge` call) runs on a `Config`
built the way the project's own tool builds it, so the project's `script.py.mako`, `file_template`,
`truncate_slug_length`, `output_encoding` and post-write hooks apply. Alembic renders into a staging folder
inside the target version location (hooks run, Alembic able to load the file); we keep its bytes and remove
the folder. `env.py` is never run (Flask-Migrate's needs the application; we do not import it). Alembic is
given absolute paths (script and version locations, `prepend_sys_path`, the folder post-write hooks run in,
each taken from the project root as its own tool would take them from there), so the process's working
folder is never changed: the TUI writes from a worker thread.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ahq_history.core.errors import AhqError, UnreachableError, UsageError
from ahq_history.core.plan import MergeStep
from ahq_history.write.files import STAGING_PREFIX, Undo, Written, decode, make_folders, relative

if TYPE_CHECKING:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ahq_history.config.project import Project
    from ahq_history.core.graph import RevisionGraph

# Alembic runs with process-wide state changed (sys.path, sys.dont_write_bytecode, file descriptor 1):
# one run at a time, whichever thread asks (the TUI renders and writes from workers).
_ALEMBIC_RUN = threading.Lock()


def merge_location(project: Project, graph: RevisionGraph, step: MergeStep,
                   version_path: Path | None = None) -> Path:
    """The version location a merge revision goes to: `version_path` when given (it must be one of the
    configured locations), else the location that holds the first parent's file (the published side's),
    so the merge lives beside the history it joins; else the first location."""
    locations = [loc.resolve() for loc in project.version_locations]
    if version_path is not None:
        chosen = version_path.resolve()
        if chosen not in locations:
            shown = ", ".join(relative(loc, project.root) for loc in locations)
            raise UsageError(f"--version-path {version_path} is not one of the version locations ({shown})",
                             hint="name one of them, or leave --version-path out")
        return chosen
    first = graph.revisions[step.parents[0]]
    held = (project.root / first.path).resolve()
    owners = [loc for loc in locations if held.is_relative_to(loc)]
    return max(owners, key=lambda loc: len(loc.parts)) if owners else locations[0]


def render_merge(project: Project, step: MergeStep, location: Path, *, rev_id: str | None = None) -> Written:
    """Have Alembic render the merge revision into a staging folder of `location` and keep what it wrote
    (after the post-write hooks): the file's bytes and where it goes. The tree is left as it was."""
    try:
        made = make_folders(location)
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=location))
    except OSError as error:
        where = relative(location, project.root)
        raise UnreachableError(f"cannot render the merge revision in {where}: {error.strerror or error}",
                               hint=f"Alembic renders it in a staging folder there: check that {where} is "
                               "writable") from None
    try:
        staged, revision, log = _generate(project, step, staging, rev_id)
        data = staged.read_bytes()
        final = location / staged.relative_to(staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        Undo(folders=made).run()
    return Written("merge", revision, step.parents, final, relative(final, project.root),
                   decode(data, staged), log=log, data=data)


def _generate(project: Project, step: MergeStep, staging: Path, rev_id: str | None
              ) -> tuple[Path, str, str]:
    """Run Alembic's generate_revision with `staging` as the version path; return the file it wrote,
    the revision id, and what Alembic and the post-write hooks printed."""
    from alembic import util

    config = alembic_config(project)
    log: list[str] = []
    with _alembic_context(project, log):
        try:
            script = _script_directory(project, config, staging)
            made = script.generate_revision(
                rev_id or util.rev_id(), step.message, head=list(step.parents), refresh=True,
                version_path=staging, config=config,
            )
        except util.CommandError as error:
            raise AhqError(f"Alembic could not write the merge revision: {error}",
                           hint="fix what Alembic names, or write it with `alembic merge heads`") from None
        except Exception as error:  # Alembic executes every revision file: anything can fail
            raise AhqError(
                f"Alembic could not load the revision files (it executes each of them): "
                f"{type(error).__name__}: {_first_line(error)}",
                hint="run `alembic heads` (or `flask db heads`) to see the failing file") from None
    if made is None:
        raise AhqError("Alembic wrote no merge revision", hint="check the project's file_template")
    return Path(made.path), made.revision, "".join(log)


def _script_directory(project: Project, config: Config, staging: Path) -> ScriptDirectory:
    """Alembic's ScriptDirectory for the project, with `staging` as one more version location, and every
    path Alembic would take from the working folder taken from the project root instead (where the
    project's own tool runs): the version locations, `prepend_sys_path` entries and the folder the
    post-write hooks run in (their `cwd` option, by default the working folder)."""
    from alembic.script import ScriptDirectory

    before = len(sys.path)
    script = ScriptDirectory.from_config(config)  # prepends `prepend_sys_path` to sys.path as written
    added = len(sys.path) - before
    sys.path[:added] = [os.path.join(project.root, entry) for entry in sys.path[:added]]
    script.version_locations = [*(str(location) for location in project.version_locations), str(staging)]
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

    quiet = _quiet_options()
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


def _quiet_options() -> argparse.Namespace:
    return argparse.Namespace(quiet=True, x=[])


@contextlib.contextmanager
def _alembic_context(project: Project, log: list[str]) -> Iterator[None]:
    """Run Alembic as its command line would from the project's folder, without side effects on us:
    no bytecode files in the version folders, sys.path restored, and what Alembic or a post-write hook
    prints on stdout kept in `log` (our stdout may be a JSON answer; the TUI draws on stderr). These are
    process-wide, so one Alembic run at a time; the working folder is left alone (`_script_directory`)."""
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


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else ""
