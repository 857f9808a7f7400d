"""Project discovery, checked on folders made by `alembic init` and `flask db init` and against Alembic's
own reading of the same configuration (`alembic.config.Config`, `ScriptDirectory.from_config`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

import pytest
from alembic.config import Config
from alembic.script import ScriptDirectory

from ahq_history.config.project import Project, find_project, split_version_locations
from ahq_history.core.errors import EXIT_USAGE, ConfigError
from tests.support.alembicconfig import alembic_config, alembic_init, set_options
from tests.support.flaskapp import FLASK_APP
from tests.support.gitcli import git

REPO = Path(__file__).resolve().parents[2]
NOT_FOUND_HINT = (
    "create one with `alembic init migrations` (or `alembic init --template pyproject migrations`), "
    "or `flask db init` for Flask-Migrate, or name the configuration with -c PATH"
)


# -- folders made by the real tools ------------------------------------------------------------------


def drop_option(ini: Path, name: str) -> None:
    lines = [line for line in ini.read_text().splitlines() if line.split("=")[0].strip() != name]
    ini.write_text("\n".join(lines) + "\n")


def legacy_warning(separator: str | None) -> AbstractContextManager[object]:
    """Alembic warns when it falls back to its legacy split (no path_separator)."""
    return pytest.warns(DeprecationWarning) if separator is None else nullcontext()


def flask_env(home: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(home), "FLASK_APP": "app"}


@pytest.fixture(scope="module")
def flask_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Flask app folder after `flask db init` (made once; tests copy it)."""
    folder = tmp_path_factory.mktemp("flask")
    (folder / "app.py").write_text(FLASK_APP)
    subprocess.run([sys.executable, "-m", "flask", "--app", "app", "db", "init"], cwd=folder, check=True,
                   capture_output=True, env=flask_env(folder))
    return folder


@pytest.fixture
def flask_project(flask_template: Path, tmp_path: Path) -> Path:
    target = tmp_path / "app"
    shutil.copytree(flask_template, target)
    return target


def alembic_locations(cfg: Config, monkeypatch: pytest.MonkeyPatch, cwd: Path) -> tuple[Path, ...]:
    """Alembic's own version folders for `cfg`, as absolute paths, run from `cwd`."""
    monkeypatch.chdir(cwd)
    script = ScriptDirectory.from_config(cfg)
    return tuple(Path(os.path.normpath(p)) for p in script._version_locations)


# -- layouts ----------------------------------------------------------------------------------------


def test_alembic_init_generic_layout_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = alembic_init(tmp_path)
    project = find_project(tmp_path)
    assert (project.layout, project.root) == ("alembic-ini", tmp_path)
    assert project.config_path == tmp_path / "alembic.ini"
    assert project.script_location == tmp_path / "alembic"
    assert project.version_locations == alembic_locations(cfg, monkeypatch, tmp_path)
    assert project.config_files == (tmp_path / "alembic.ini",)
    assert project.upgrade_command == "alembic upgrade head"


def test_alembic_init_placeholder_url_counts_as_none(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    assert "driver://user:pass@localhost/dbname" in (tmp_path / "alembic.ini").read_text()
    assert find_project(tmp_path).database_url is None


def test_database_url_is_interpolated_like_alembic(tmp_path: Path) -> None:
    cfg = alembic_init(tmp_path)
    set_options(tmp_path / "alembic.ini", **{"sqlalchemy.url": "sqlite:///%(here)s/app.db"})
    cfg = alembic_config(tmp_path)
    assert find_project(tmp_path).database_url == cfg.get_main_option("sqlalchemy.url")
    assert find_project(tmp_path).database_url == f"sqlite:///{tmp_path.as_posix()}/app.db"


def test_found_from_a_subfolder_by_walking_up(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    project = find_project(tmp_path / "alembic" / "versions")
    assert (project.root, project.script_location) == (tmp_path, tmp_path / "alembic")


def test_pyproject_template_layout_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = alembic_init(tmp_path, template="pyproject")
    project = find_project(tmp_path)
    assert (project.layout, project.config_path) == ("pyproject", tmp_path / "pyproject.toml")
    assert project.script_location == Path(cfg.get_alembic_option("script_location") or "")
    assert project.version_locations == alembic_locations(cfg, monkeypatch, tmp_path)
    assert project.config_files == (tmp_path / "alembic.ini", tmp_path / "pyproject.toml")


def test_pyproject_version_locations_list_and_recursive_flag(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_init(tmp_path, template="pyproject")
    (tmp_path / "more").mkdir()
    with (tmp_path / "pyproject.toml").open("a") as toml:
        toml.write('version_locations = ["%(here)s/alembic/versions", "more"]\n'
                   "recursive_version_locations = true\n")
    cfg = alembic_config(tmp_path)
    project = find_project(tmp_path)
    assert project.version_locations == (tmp_path / "alembic" / "versions", tmp_path / "more")
    assert project.version_locations == alembic_locations(cfg, monkeypatch, tmp_path)
    assert project.recursive is cfg.get_alembic_boolean_option("recursive_version_locations") is True
    assert project.configured_versions is True


def test_flask_db_init_layout_is_found(flask_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = find_project(flask_project)
    migrations = flask_project / "migrations"
    assert (project.layout, project.root, project.config_path) == (
        "flask-migrate", flask_project, migrations / "alembic.ini")
    assert project.script_location == migrations
    cfg = Config(str(migrations / "alembic.ini"))
    cfg.set_main_option("script_location", "migrations")  # what Flask-Migrate does
    assert project.version_locations == alembic_locations(cfg, monkeypatch, flask_project)
    assert project.upgrade_command == "flask db upgrade"


def test_flask_layout_found_from_inside_migrations(flask_project: Path) -> None:
    project = find_project(flask_project / "migrations")
    assert (project.layout, project.root) == ("flask-migrate", flask_project)


def test_flask_layout_given_with_config_option(flask_project: Path, tmp_path: Path) -> None:
    project = find_project(tmp_path, config=flask_project / "migrations" / "alembic.ini")
    assert (project.layout, project.root) == ("flask-migrate", flask_project)


def test_flask_relative_version_locations_resolve_from_the_app_folder(
        flask_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ini = flask_project / "migrations" / "alembic.ini"
    set_options(ini, version_locations="migrations/versions shared", path_separator="space")
    cfg = Config(str(ini))
    cfg.set_main_option("script_location", "migrations")
    project = find_project(flask_project)
    assert project.version_locations == (flask_project / "migrations" / "versions", flask_project / "shared")
    assert project.version_locations == alembic_locations(cfg, monkeypatch, flask_project)


def test_repository_settings_come_from_tool_ahq_history(flask_project: Path) -> None:
    shutil.copy(REPO / "pyproject.toml", flask_project / "pyproject.toml")
    project = find_project(flask_project)
    assert project.settings["database-url"] == "sqlite:///instance/automatehq.db"
    assert project.upgrade_command == "flask --app backend.run db upgrade"
    assert project.config_files == (flask_project / "migrations" / "alembic.ini",
                                    flask_project / "pyproject.toml")


def test_settings_come_from_the_nearest_pyproject_up_to_the_git_top(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    (tmp_path / "pyproject.toml").write_text('[tool.ahq-history]\nupgrade-command = "make migrate"\n')
    alembic_init(tmp_path / "db")
    assert find_project(tmp_path / "db").settings == {"upgrade-command": "make migrate"}


# -- options read as Alembic reads them ------------------------------------------------------------


@pytest.mark.parametrize(("separator", "written"), [
    ("os", "{a}" + os.pathsep + "{b}"),
    (";", "{a};{b}"),
    (":", "{a}:{b}"),
    ("space", "{a} {b}"),
    ("newline", "\n    {a}\n    {b}"),
    (None, "{a}, {b}"),  # legacy split on commas and spaces, no path_separator
    (None, "{a} {b}"),
    (None, "{a},{b}"),
])
def test_version_locations_split_like_alembic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               separator: str | None, written: str) -> None:
    alembic_init(tmp_path)
    (tmp_path / "other").mkdir()
    options = {"version_locations": written.format(a="%(here)s/alembic/versions", b="other")}
    ini = tmp_path / "alembic.ini"
    drop_option(ini, "path_separator")
    set_options(ini, **options, **({"path_separator": separator} if separator else {}))
    cfg = alembic_config(tmp_path)
    project = find_project(tmp_path)
    assert project.version_locations == (tmp_path / "alembic" / "versions", tmp_path / "other")
    with legacy_warning(separator):
        assert project.version_locations == alembic_locations(cfg, monkeypatch, tmp_path)


@pytest.mark.parametrize(("value", "separator"), [
    ("a, b c,d", None), ("a,,b", None), (" a", None), ("a;;b; c", ";"), ("a:b", ":"), ("\na\nb\n", "newline"),
])
def test_split_version_locations_equals_alembic(value: str, separator: str | None) -> None:
    cfg = Config()
    cfg.set_main_option("version_locations", value)
    if separator:
        cfg.set_main_option("path_separator", separator)
    with legacy_warning(separator):
        assert split_version_locations(value, separator) == cfg.get_version_locations_list()


def test_deprecated_version_path_separator_is_still_read(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    (tmp_path / "b").mkdir()
    ini = tmp_path / "alembic.ini"
    drop_option(ini, "path_separator")
    set_options(ini, version_locations="%(here)s/alembic/versions;b", version_path_separator=";")
    assert find_project(tmp_path).version_locations == (tmp_path / "alembic" / "versions", tmp_path / "b")


@pytest.mark.parametrize(("written", "expected"), [("true", True), ("false", False)])
def test_recursive_flag_in_ini_is_true_only_when_written_true(tmp_path: Path, written: str,
                                                               expected: bool) -> None:
    cfg = alembic_init(tmp_path)
    set_options(tmp_path / "alembic.ini", recursive_version_locations=written)
    cfg = alembic_config(tmp_path)
    assert find_project(tmp_path).recursive is expected is cfg.get_alembic_boolean_option(
        "recursive_version_locations")


def test_file_template_is_kept_as_written_and_read_as_alembic_does(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    written = "%%(year)d_%%(month).2d_%%(rev)s_%%(slug)s"
    set_options(tmp_path / "alembic.ini", file_template=written)
    project = find_project(tmp_path)
    assert project.file_template == written
    assert project.file_template_value == alembic_config(tmp_path).get_alembic_option("file_template")


def test_default_file_template(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    assert find_project(tmp_path).file_template_value == "%(rev)s_%(slug)s"


def test_relative_script_location_resolves_from_the_ini_folder(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    set_options(tmp_path / "alembic.ini", script_location="alembic")
    assert find_project(tmp_path / "alembic" / "versions").script_location == tmp_path / "alembic"


def test_package_resource_script_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "myapp").mkdir()
    (tmp_path / "myapp" / "__init__.py").write_text("raise RuntimeError('the package was imported')\n")
    alembic_init(tmp_path, directory="myapp/migrations")
    set_options(tmp_path / "alembic.ini", script_location="myapp:migrations")
    project = find_project(tmp_path)
    assert project.script_location == tmp_path / "myapp" / "migrations"
    assert project.version_locations == (tmp_path / "myapp" / "migrations" / "versions",)


def test_discovery_imports_neither_alembic_nor_env_py(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    (tmp_path / "alembic" / "env.py").write_text("open('env-ran', 'w').close()\n")
    code = ("import sys; from ahq_history.config.project import find_project; find_project(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('alembic', 'sqlalchemy')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, check=True)
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "env-ran").exists()


# -- search order and precedence -------------------------------------------------------------------


def test_alembic_ini_wins_over_flask_migrations_in_the_same_folder(flask_project: Path) -> None:
    alembic_init(flask_project, directory="alembic")
    assert find_project(flask_project).layout == "alembic-ini"


def test_top_level_ini_without_script_location_yields_to_flask_migrations(flask_project: Path) -> None:
    (flask_project / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite:///x.db\n")
    assert find_project(flask_project).layout == "flask-migrate"


def test_nearest_folder_wins(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    alembic_init(tmp_path / "service", directory="migrations")
    assert find_project(tmp_path / "service").root == tmp_path / "service"
    assert find_project(tmp_path / "alembic").root == tmp_path


def test_search_stops_at_the_git_work_tree_top(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    git(repo, "init", "-q")
    with pytest.raises(ConfigError) as raised:
        find_project(repo / "src")
    assert raised.value.message == (
        "no Alembic project found: looked for alembic.ini, pyproject.toml with [tool.alembic] and "
        f"migrations/alembic.ini in {repo / 'src'}, {repo} (the top of the git work tree) and in every "
        "folder below it that git lists")
    assert raised.value.hint == NOT_FOUND_HINT
    assert raised.value.exit_code == EXIT_USAGE


def test_not_found_names_every_folder_up_to_the_filesystem_root(tmp_path: Path) -> None:
    start = tmp_path / "a" / "b"
    start.mkdir(parents=True)
    with pytest.raises(ConfigError) as raised:
        find_project(start)
    folders = ", ".join(str(p) for p in (start, *start.parents))
    assert raised.value.message == (
        "no Alembic project found: looked for alembic.ini, pyproject.toml with [tool.alembic] and "
        f"migrations/alembic.ini in {folders}; folders below were not searched, as this is not a git "
        "repository")


# -- -c/--config -----------------------------------------------------------------------------------


def test_config_option_takes_an_ini_relative_to_start(tmp_path: Path) -> None:
    alembic_init(tmp_path / "db")
    assert find_project(tmp_path, config=Path("db/alembic.ini")).root == tmp_path / "db"


def test_config_option_takes_a_pyproject(tmp_path: Path) -> None:
    alembic_init(tmp_path, template="pyproject")
    project = find_project(tmp_path / "alembic", config=tmp_path / "pyproject.toml")
    assert (project.layout, project.root) == ("pyproject", tmp_path)


def test_config_option_takes_a_folder(tmp_path: Path) -> None:
    alembic_init(tmp_path / "db")
    assert find_project(tmp_path, config=tmp_path / "db").config_path == tmp_path / "db" / "alembic.ini"


def test_config_option_naming_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        find_project(tmp_path, config=Path("nope.ini"))
    assert raised.value.message == f"configuration file {tmp_path / 'nope.ini'} does not exist"
    assert raised.value.hint == (
        "give -c the path of an existing alembic.ini, migrations/alembic.ini or pyproject.toml, or create "
        "the project: `flask db init` (Flask-Migrate, writes migrations/alembic.ini) or "
        "`alembic init migrations`")


def test_config_option_pyproject_without_tool_alembic(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    with pytest.raises(ConfigError) as raised:
        find_project(tmp_path, config=tmp_path / "pyproject.toml")
    assert raised.value.message == f"{tmp_path / 'pyproject.toml'}: has no [tool.alembic] table"


# -- broken configurations -------------------------------------------------------------------------


def broken(start: Path, config: Path | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        find_project(start, config=config)
    assert raised.value.exit_code == EXIT_USAGE
    return raised.value


def test_ini_without_script_location(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite://\n")
    error = broken(tmp_path)
    assert error.message == (f"{tmp_path / 'alembic.ini'}: no script_location in the [alembic] section of "
                             f"{tmp_path / 'alembic.ini'}, so the revision folder is unknown")
    assert error.hint == ("add `script_location = %(here)s/migrations` (the folder holding env.py), "
                          "or create the project with `alembic init migrations`")


def test_missing_script_folder_names_file_and_line(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    shutil.rmtree(tmp_path / "alembic")
    ini = tmp_path / "alembic.ini"
    line = next(i for i, text in enumerate(ini.read_text().splitlines(), 1)
                if text.startswith("script_location"))
    error = broken(tmp_path)
    assert error.message == (f"{ini}:{line}: script_location '{tmp_path.as_posix()}/alembic' is "
                             f"{tmp_path / 'alembic'}, which does not exist")


def test_bad_ini_syntax_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = x\nthis is not an option\n")
    assert broken(tmp_path).message == (f"{tmp_path / 'alembic.ini'}:3: this line is neither a [section] "
                                        "header nor `key = value`")


def test_duplicate_option_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\nscript_location = a\nscript_location = b\n")
    assert broken(tmp_path).message == (f"{tmp_path / 'alembic.ini'}:3: option 'script_location' is set "
                                        "twice in section [alembic]")


def test_ini_without_section_header(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("script_location = a\n")
    assert broken(tmp_path).message == (f"{tmp_path / 'alembic.ini'}:1: the file does not start with a "
                                        "[section] header")


def test_bad_interpolation_names_the_option_line(tmp_path: Path) -> None:
    (tmp_path / "alembic.ini").write_text("[alembic]\n\nscript_location = %(nowhere)s/alembic\n")
    error = broken(tmp_path)
    assert error.message == (
        f"{tmp_path / 'alembic.ini'}:3: option 'script_location' in section [alembic] names %(nowhere)s, "
        "which is not set")  # never the raw value: it may be a URL with its password
    assert error.hint == "write a literal % as %%; %(here)s is the one name Alembic provides"


def test_bad_toml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.alembic]\nscript_location = "a"\nbroken =\n')
    assert broken(tmp_path).message == (f"{tmp_path / 'pyproject.toml'}: Invalid value (at line 3, "
                                        "column 9)")


def test_a_tool_key_that_is_not_a_table_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('tool = "alembic"\n')
    assert broken(tmp_path).message == f"{tmp_path / 'pyproject.toml'}: [tool] must be a table, not str"


def test_invalid_path_separator(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    ini = tmp_path / "alembic.ini"
    set_options(ini, version_locations="a b", path_separator="comma")
    line = ini.read_text().splitlines().index("path_separator = comma") + 1
    assert broken(tmp_path).message == (f"{ini}:{line}: 'comma' is not a valid value for "
                                        "path_separator; expected 'space', 'newline', 'os', ':', ';'")


def test_toml_version_locations_must_be_a_list(tmp_path: Path) -> None:
    alembic_init(tmp_path, template="pyproject")
    with (tmp_path / "pyproject.toml").open("a") as toml:
        toml.write('version_locations = "alembic/versions"\n')
    assert broken(tmp_path).message == (f"{tmp_path / 'pyproject.toml'}: [tool.alembic] version_locations "
                                        "must be a list of strings")


def test_toml_boolean_must_be_a_boolean(tmp_path: Path) -> None:
    alembic_init(tmp_path, template="pyproject")
    with (tmp_path / "pyproject.toml").open("a") as toml:
        toml.write('recursive_version_locations = "true"\n')
    assert broken(tmp_path).message == (f"{tmp_path / 'pyproject.toml'}: [tool.alembic] "
                                        "recursive_version_locations must be true or false, not 'true'")


def test_project_values_are_frozen(tmp_path: Path) -> None:
    alembic_init(tmp_path)
    project: Project = find_project(tmp_path)
    with pytest.raises(AttributeError):
        project.root = tmp_path  # type: ignore[misc]


def test_real_configuration_text_is_read_unchanged(tmp_path: Path) -> None:
    """A hand-written ini with comments, continuation lines and `%%` reads as Alembic reads it."""
    (tmp_path / "versions_a").mkdir()
    (tmp_path / "versions_b").mkdir()
    (tmp_path / "scripts").mkdir()
    (tmp_path / "alembic.ini").write_text(textwrap.dedent("""\
        # written by hand
        [alembic]
        script_location = scripts
        version_locations =
            versions_a
            %(here)s/versions_b
        path_separator = newline
        ; a comment
        file_template = %%(rev)s
        """))
    cfg = alembic_config(tmp_path)
    project = find_project(tmp_path)
    assert project.version_locations == (tmp_path / "versions_a", tmp_path / "versions_b")
    from_alembic = [Path(tmp_path, p) for p in cfg.get_version_locations_list() or []]
    assert from_alembic == list(project.version_locations)
    assert project.file_template_value == cfg.get_alembic_option("file_template") == "%(rev)s"
