"""Find the Alembic project and read its layout into a `Project`, as Alembic 1.20's `Config` and
`ScriptDirectory.from_config` would, without importing Alembic or running `env.py` (standard library only).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ahq_history.config.discover import (
    INIT_HINT,
    LOOKED_FOR,
    SeveralProjects,
    candidate_folders,
    not_found,
    repository_files,
)
from ahq_history.config.locations import prepend_sys_path, resolve_option, version_locations
from ahq_history.config.locations import split_version_locations as split_version_locations
from ahq_history.config.settings import check_alembic_options, validate_settings
from ahq_history.config.sources import Sources, read_sources, tool_table
from ahq_history.core.errors import ConfigError
from ahq_history.core.model import Problem
from ahq_history.core.shell import command_line, split_configured

Layout = Literal["flask-migrate", "alembic-ini", "pyproject"]

PLACEHOLDER_URL = "driver://user:pass@localhost/dbname"  # what `alembic init` writes


@dataclass(frozen=True)
class Project:
    """An Alembic project as its configuration describes it. Paths are absolute."""

    root: Path  # folder that Revision.path values are relative to (ini's folder; for Flask-Migrate
    # the folder that holds `migrations/`; for pyproject the pyproject's folder)
    config_path: Path  # the alembic.ini / migrations/alembic.ini / pyproject.toml that was read
    layout: Layout
    script_location: Path
    version_locations: tuple[Path, ...]  # in configuration order; default: script_location/versions
    recursive: bool = False  # recursive_version_locations
    file_template: str = "%%(rev)s_%%(slug)s"  # as Alembic reads it (before interpolation of %%)
    template_name: str = "script.py.mako"
    database_url: str | None = None  # ini's sqlalchemy.url; the `alembic init` placeholder is None
    settings: dict[str, object] = field(default_factory=dict)  # [tool.ahq-history] of pyproject.toml
    ini_section: str = "alembic"
    # Added by discovery: every configuration file read (alembic.ini and pyproject.toml together for
    # the pyproject layout, plus the pyproject.toml that gave `settings`), for cache keys.
    config_files: tuple[Path, ...] = ()
    sourceless: bool = False  # `sourceless = true`: .pyc files without a .py are revisions too
    configured_versions: bool = False  # True when version_locations was set (not the default)
    problems: tuple[Problem, ...] = ()  # warnings about the configuration (unknown settings)
    note: str | None = None  # how discovery found it, when that needs saying (found below the git top)
    sys_path: tuple[Path, ...] = ()  # prepend_sys_path, resolved: where Alembic would import from first

    @property
    def upgrade_argv(self) -> tuple[str, ...]:
        """The command the team runs to apply revisions, as words (configurable as `upgrade-command`,
        split as a shell would; it is shown as advice, never run)."""
        configured = self.settings.get("upgrade-command")
        if isinstance(configured, str) and configured.strip():
            try:
                return tuple(split_configured(configured))
            except ValueError:  # the settings validator refuses it first; never fail while rendering
                return (configured,)
        if self.layout == "flask-migrate":
            return ("flask", "db", "upgrade")
        return ("alembic", "upgrade", "head")

    @property
    def upgrade_from_repository(self) -> bool:
        """True when `upgrade_argv` comes from the repository's `[tool.ahq-history] upgrade-command`."""
        configured = self.settings.get("upgrade-command")
        return isinstance(configured, str) and bool(configured.strip())

    @property
    def upgrade_command(self) -> str:
        """`upgrade_argv` as one shell line, each word quoted."""
        return command_line(self.upgrade_argv)

    @property
    def template_path(self) -> Path:
        """The Mako template Alembic renders new revision files from."""
        return self.script_location / self.template_name

    @property
    def file_template_value(self) -> str:
        """`file_template` as Alembic uses it (`%%` read as `%`), e.g. `%(rev)s_%(slug)s`."""
        return self.file_template.replace("%%", "%")


def find_project(start: Path | None = None, config: Path | None = None, *,
                 ini_section: str = "alembic") -> Project:
    """Find the project from `start` (default: the current folder) or from an explicit `config` file.

    A relative `config` is taken from `start` (or the current folder). Raises ConfigError (exit 2)
    naming every place that was looked at when nothing is found, and naming the file (and line) when
    a configuration is broken.

    Search order (the first folder that has any of these wins; nearer folders win over their parents):
    `-c/--config PATH` when given; else from the start folder up to the top of the git work tree (or the
    filesystem root); only when nothing is found there, below the top of the git work tree (`_below`).
    In each folder: `alembic.ini` together with `pyproject.toml`'s `[tool.alembic]`
    (what `alembic` run there would read), then `migrations/alembic.ini` (Flask-Migrate). An `alembic.ini`
    without `script_location` (in its section or in `[tool.alembic]`) is a configuration error, except
    when `migrations/alembic.ini` sits beside it (Flask-Migrate wins) or `env.py` does (we are inside
    Flask-Migrate's `migrations/` folder, whose ini never names its own folder). `[tool.ahq-history]`
    settings come from the nearest pyproject.toml that has them, from the project root up to the git
    work-tree top.
    """
    origin = Path(os.path.abspath(start if start is not None else Path.cwd()))
    if config is not None:
        return _from_config_path(origin / config, ini_section)
    top = work_tree_top(origin)
    looked: list[Path] = []
    for folder in _folders_up(origin, top):
        looked.append(folder)
        project = _project_in(folder, ini_section)
        if project is not None:
            return project
    if top is None:
        raise not_found(looked, None, not_searched="this is not a git repository")
    return _below(origin, top, looked, ini_section)


def _below(origin: Path, top: Path, looked: list[Path], section: str) -> Project:
    """The one project below the git work tree's top, in the folders of the files git lists.

    Several (a broken configuration counts: it is a project someone meant) raise SeveralProjects; none
    raises the not-found error, whose hint offers `alembic init` only now that the repository is known
    to hold no project."""
    listed = projects_below(top, section)
    if listed is None:
        raise not_found(looked, top, not_searched="git cannot list its files")
    found = {project.config_path: project for project in listed[0]}
    broken = [error for _folder, error in listed[1]]
    if len(found) + len(broken) > 1:
        raise SeveralProjects(origin, top, tuple(found.values()), tuple(broken))
    if broken:
        raise broken[0]
    if not found:
        raise not_found(looked, top)
    (project,) = found.values()
    shown = os.path.relpath(project.config_path, origin)
    note = f"using {shown}, the one Alembic project in this repository (none from {origin} up)"
    return dataclasses.replace(project, note=note)


def projects_below(top: Path, section: str = "alembic"
                   ) -> tuple[list[Project], list[tuple[Path, ConfigError]]] | None:
    """Every project in the folders of the files git lists below `top` (each configuration once), and the
    broken configurations with their folder; None when git cannot list the files."""
    files = repository_files(top)
    if files is None:
        return None
    found: dict[Path, Project] = {}
    broken: list[tuple[Path, ConfigError]] = []
    for folder in candidate_folders(top, files):
        try:
            project = _project_in(folder, section)
        except ConfigError as error:
            broken.append((folder, error))
            continue
        if project is not None:
            found.setdefault(project.config_path, project)
    return list(found.values()), broken


def work_tree_top(folder: Path) -> Path | None:
    """The nearest folder at or above `folder` holding `.git` (a folder or a worktree's file)."""
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return None


def _folders_up(origin: Path, top: Path | None) -> list[Path]:
    folders = [origin]
    for parent in origin.parents:
        if top is not None and folders[-1] == top:
            break
        folders.append(parent)
    return folders


# -- one folder, one explicit file --------------------------------------------------------------------


def _project_in(folder: Path, section: str) -> Project | None:
    """The project whose configuration sits in `folder`, or None when the folder has none."""
    ini = folder / "alembic.ini"
    flask_ini = folder / "migrations" / "alembic.ini"
    sources = read_sources(section, ini if ini.is_file() else None, folder / "pyproject.toml")
    if sources.files:
        if sources.option("script_location") is not None:
            return _alembic_project(sources, base=folder)
        if ini.is_file() and (folder / "env.py").is_file() and not flask_ini.is_file():
            return _flask_project(ini, section)  # run from inside Flask-Migrate's `migrations/`
        if not flask_ini.is_file():
            raise _no_script_location(sources)
    if flask_ini.is_file():
        return _flask_project(flask_ini, section)
    return None


def _from_config_path(path: Path, section: str) -> Project:
    """The project named by `-c PATH`: an ini, a pyproject.toml, or a folder holding one of them."""
    path = Path(os.path.normpath(path))
    if path.is_dir():
        project = _project_in(path, section)
        if project is None:
            raise ConfigError(f"no Alembic project in {path}: looked for {LOOKED_FOR}", hint=INIT_HINT)
        return project
    if not path.is_file():
        state = "is not a regular file" if path.exists() else "does not exist"  # a FIFO, a device
        raise ConfigError(f"configuration file {path} {state}",
                          hint="give -c the path of an existing alembic.ini, migrations/alembic.ini or "
                          "pyproject.toml, or create the project: `flask db init` (Flask-Migrate, writes "
                          "migrations/alembic.ini) or `alembic init migrations`")
    if path.suffix == ".toml":
        ini = path.parent / "alembic.ini"
        sources = read_sources(section, ini if ini.is_file() else None, path)
        if sources.toml is None and sources.ini is None:
            raise ConfigError(f"{path}: has no [tool.alembic] table",
                              hint="run `alembic init --template pyproject migrations`, "
                              "or give -c alembic.ini")
    else:
        toml = path.parent / "pyproject.toml"
        sources = read_sources(section, path, toml)
        if not sources.ini_has("script_location") and (path.parent / "env.py").is_file():
            return _flask_project(path, section)  # Flask-Migrate: the ini's folder is the scripts
    if sources.option("script_location") is None:
        raise _no_script_location(sources)
    return _alembic_project(sources, base=path.parent)


def _no_script_location(sources: Sources) -> ConfigError:
    first = sources.files[0]
    places = f"the [{sources.section}] section of {sources.ini_path}" if sources.ini_path else ""
    if sources.toml_path is not None:
        places = f"{places} nor in " if places else ""
        places += f"[tool.alembic] of {sources.toml_path}"
    return ConfigError(f"{first}: no script_location in {places}, so the revision folder is unknown",
                       hint="add `script_location = %(here)s/migrations` (the folder holding env.py), "
                       "or create the project with `alembic init migrations`")


def _alembic_project(sources: Sources, base: Path) -> Project:
    """An `alembic.ini` / `[tool.alembic]` project; relative paths resolve from `base`."""
    layout: Layout = "alembic-ini" if sources.ini_has("script_location") else "pyproject"
    config_path = sources.ini_path if layout == "alembic-ini" else sources.toml_path
    assert config_path is not None
    value = sources.option("script_location")
    if not isinstance(value, str):
        raise ConfigError(f"{sources.where('script_location')}: script_location must be a string")
    search = prepend_sys_path(sources, base)
    script = resolve_option(sources, "script_location", value, base, search)
    if not script.is_dir():
        raise ConfigError(f"{sources.where('script_location')}: script_location {value!r} is {script}, "
                          "which does not exist", hint="fix script_location, or create the folder with "
                          "`alembic init`")
    return _project(sources, layout, config_path, root=base, script=script, base=base, search=search)


def _flask_project(ini_path: Path, section: str) -> Project:
    """Flask-Migrate: the ini's folder is the script location; `flask db` runs from its parent."""
    sources = read_sources(section, ini_path, None)
    root = ini_path.parent.parent
    return _project(sources, "flask-migrate", ini_path, root=root, script=ini_path.parent, base=root,
                    search=prepend_sys_path(sources, root))


def _project(sources: Sources, layout: Layout, config_path: Path, *, root: Path, script: Path,
             base: Path, search: tuple[Path, ...]) -> Project:
    check_alembic_options(sources)
    locations = version_locations(sources, base, search)
    settings, settings_file, warnings = _settings(root)
    files = sources.files + ((settings_file,) if settings_file and settings_file not in sources.files else ())
    return Project(
        root=root,
        config_path=config_path,
        layout=layout,
        script_location=script,
        version_locations=locations or (script / "versions",),
        recursive=sources.flag("recursive_version_locations"),
        file_template=_file_template(sources),
        database_url=_database_url(sources),
        settings=settings,
        ini_section=sources.section,
        config_files=files,
        sourceless=sources.flag("sourceless"),
        configured_versions=bool(locations),
        problems=warnings,
        sys_path=search,
    )


# -- options ------------------------------------------------------------------------------------------
# Alembic's rules, followed so that we read what `alembic` would:
# - Options come from the ini's `[alembic]` section first, then from `[tool.alembic]` of the
#   `pyproject.toml` beside it (Alembic's CLI reads both files of the folder it runs in).
# - `%(here)s` is the folder of the file the value was read from; `%%` is a literal `%`.
# - Booleans in an ini are true only when written `true`; in TOML they must be booleans.
# - Relative paths resolve from the folder Alembic is run in: the config file's folder for `alembic.ini`
#   and `pyproject.toml`, and the folder holding `migrations/` for Flask-Migrate (Flask-Migrate sets
#   `script_location = migrations`, relative to where `flask db` runs). Locations, `package:path` and
#   `prepend_sys_path`: config/locations.py.


def _file_template(sources: Sources) -> str:
    value = sources.option("file_template", raw=True)
    return value if isinstance(value, str) else "%%(rev)s_%%(slug)s"


def _database_url(sources: Sources) -> str | None:
    """`sqlalchemy.url` of the ini (Alembic reads it from the ini only); the init placeholder is None."""
    if not sources.ini_has("sqlalchemy.url"):
        return None
    url = sources.ini_get("sqlalchemy.url").strip()
    return url if url and url != PLACEHOLDER_URL else None


def _settings(root: Path) -> tuple[dict[str, object], Path | None, tuple[Problem, ...]]:
    """`[tool.ahq-history]` of the nearest pyproject.toml (from `root` up to the git top) that has it,
    validated (config/settings.py): the settings, their file and the warnings (unknown keys)."""
    top = work_tree_top(root)
    for folder in _folders_up(root, top):
        table = tool_table(folder / "pyproject.toml", "ahq-history")
        if table is not None:
            warnings = validate_settings(table, folder / "pyproject.toml", root)
            return dict(table), folder / "pyproject.toml", warnings
    return {}, None, ()
