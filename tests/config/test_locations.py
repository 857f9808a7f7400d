"""Script and version locations resolved as Alembic resolves them: `package:path` through `prepend_sys_path`
(with `%(here)s`) and the project's folder, found without importing the package; several version locations
split by `path_separator`. Each layout is made by `alembic init` and `alembic revision`, and compared with
Alembic's `ScriptDirectory.from_config`."""

from __future__ import annotations

import os
from contextlib import nullcontext
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.util import CommandError

from ahq_history.config.loading import load
from ahq_history.config.locations import prepend_sys_path
from ahq_history.config.project import find_project
from ahq_history.config.sources import read_sources
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, ConfigError
from tests.support.agreement import alembic_view, ini_config, our_view
from tests.support.alembicconfig import alembic_config, alembic_init, set_options
from tests.support.clirun import run_main
from tests.support.projects import add_revision, forked_revisions, linear_revisions

RAISES = "raise RuntimeError('the package was imported')\n"


def package_project(repo: Path, package: str = "myapp", folder: str = "src") -> Path:
    """`alembic init SRC/PACKAGE/migrations` with the ini at `repo`, a forked history made with the plain
    path, then `script_location = PACKAGE:migrations` found through `prepend_sys_path = %(here)s/SRC`."""
    scripts = repo.joinpath(folder, *package.split("."), "migrations")
    alembic_init(repo, directory=str(scripts.relative_to(repo)))
    forked_revisions(linear_revisions(repo))
    for depth in range(1, len(package.split(".")) + 1):
        repo.joinpath(folder, *package.split(".")[:depth], "__init__.py").write_text("")
    set_options(repo / "alembic.ini", script_location=f"{package}:migrations",
                prepend_sys_path=f"%(here)s/{folder}")
    return scripts


def test_package_path_through_prepend_sys_path_agrees_with_alembic(tmp_path: Path) -> None:
    scripts = package_project(tmp_path)
    project = find_project(tmp_path)
    assert project.script_location == scripts
    assert project.version_locations == (scripts / "versions",)
    assert our_view(load(project=project)) == alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_the_package_is_found_without_importing_it(tmp_path: Path) -> None:
    scripts = package_project(tmp_path, package="noimport")
    (tmp_path / "src" / "noimport" / "__init__.py").write_text(RAISES)
    assert find_project(tmp_path).script_location == scripts
    with pytest.raises(RuntimeError, match="the package was imported"):  # what Alembic does instead
        alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_a_dotted_package_agrees_with_alembic(tmp_path: Path) -> None:
    scripts = package_project(tmp_path, package="shop.db")
    assert find_project(tmp_path).script_location == scripts
    assert our_view(load(tmp_path / "alembic.ini")) == alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_a_relative_prepend_sys_path_is_taken_from_the_config_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scripts = package_project(tmp_path, package="relapp", folder="lib")
    set_options(tmp_path / "alembic.ini", prepend_sys_path="lib")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert find_project(tmp_path).script_location == scripts
    monkeypatch.chdir(tmp_path)  # Alembic puts "lib" on sys.path as it is: it is run from the ini's folder
    assert our_view(load(tmp_path / "alembic.ini")) == alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_a_namespace_package_takes_the_portion_that_has_the_path(tmp_path: Path) -> None:
    scripts = package_project(tmp_path, package="nsapp", folder="b")
    (tmp_path / "b" / "nsapp" / "__init__.py").unlink()
    (tmp_path / "a" / "nsapp").mkdir(parents=True)  # an earlier portion without migrations/
    set_options(tmp_path / "alembic.ini", prepend_sys_path="%(here)s/a:%(here)s/b", path_separator=":")
    assert find_project(tmp_path).script_location == scripts
    assert our_view(load(tmp_path / "alembic.ini")) == alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_a_regular_package_wins_over_an_earlier_namespace_folder(tmp_path: Path) -> None:
    scripts = package_project(tmp_path, package="regapp", folder="b")
    decoy = tmp_path / "decoy"
    alembic_init(decoy, directory=str(tmp_path / "a" / "regapp" / "migrations"))  # no __init__.py
    add_revision(decoy, "decoy", "dddd00000001")
    set_options(tmp_path / "alembic.ini", prepend_sys_path="%(here)s/a;%(here)s/b", path_separator=";")
    assert find_project(tmp_path).script_location == scripts
    assert our_view(load(tmp_path / "alembic.ini")) == alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_pyproject_package_path_with_prepend_sys_path_list(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_init(tmp_path, template="pyproject", directory="src/tomlapp/migrations")
    command.revision(alembic_config(tmp_path), "create users", rev_id="aaaa00000001")
    (tmp_path / "src" / "tomlapp" / "__init__.py").write_text("")
    toml = tmp_path / "pyproject.toml"
    text = toml.read_text().replace('script_location = "%(here)s/src/tomlapp/migrations"',
                                    'script_location = "tomlapp:migrations"')
    toml.write_text(text.replace('prepend_sys_path = [\n    "."\n]', 'prepend_sys_path = ["src"]'))
    project = find_project(tmp_path)
    assert (project.layout, project.script_location) == ("pyproject", tmp_path / "src/tomlapp/migrations")
    monkeypatch.chdir(tmp_path)
    assert our_view(load(project=project)) == alembic_view(alembic_config(tmp_path))


@pytest.mark.parametrize("separator", [";", "space", "newline"])  # `os` is `:` here, which splits
# `package:path` itself, in Alembic as in our reading
def test_several_version_locations_with_a_package_one_agree_with_alembic(tmp_path: Path,
                                                                        separator: str) -> None:
    alembic_init(tmp_path, directory="migrations")
    extra = tmp_path / "auditplugins" / "audit" / "versions"
    extra.mkdir(parents=True)
    (tmp_path / "auditplugins" / "__init__.py").write_text("")
    ini = tmp_path / "alembic.ini"
    add_revision(tmp_path, "create users", "aaaa00000001")
    set_options(ini, version_locations=f"%(here)s/migrations/versions {extra}", path_separator="space")
    command.revision(ini_config(ini), "audit base", rev_id="eeee00000001", head="base", branch_label="audit",
                     version_path=str(extra))
    joined = {";": ";", "space": " ", "newline": "\n    "}[separator]
    set_options(ini, version_locations=f"%(here)s/migrations/versions{joined}auditplugins:audit/versions",
                path_separator=separator, prepend_sys_path="%(here)s")
    project = find_project(tmp_path)
    assert project.version_locations == (tmp_path / "migrations" / "versions", extra)
    assert our_view(load(project=project)) == alembic_view(ini_config(ini))


@pytest.mark.parametrize(("value", "separator"), [
    ("%(here)s/a, %(here)s/b", None), ("%(here)s/a %(here)s/b", None), ("a:b", None),
    ("%(here)s/a;b", ";"), ("a b", "space"), (f"a{os.pathsep}b", "os"),
])
def test_prepend_sys_path_is_split_like_alembic(tmp_path: Path, value: str, separator: str | None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_init(tmp_path, directory="migrations")
    ini = tmp_path / "alembic.ini"
    options = {"prepend_sys_path": value, **({"path_separator": separator} if separator else {})}
    if separator is None:
        kept = [line for line in ini.read_text().splitlines() if not line.startswith("path_separator")]
        ini.write_text("\n".join(kept) + "\n")
    set_options(ini, **options)
    monkeypatch.chdir(tmp_path)  # Alembic's entries are relative to where it runs
    with pytest.warns(DeprecationWarning) if separator is None else nullcontext():
        theirs = Config(str(ini)).get_prepend_sys_paths_list() or []
    ours = prepend_sys_path(read_sources("alembic", ini, None), tmp_path)
    assert ours == tuple(Path(os.path.abspath(p)) for p in theirs)


# -- what cannot be resolved, and what is empty ----------------------------------------------------------


def test_a_package_on_no_path_is_exit_2_naming_where_it_looked(tmp_path: Path) -> None:
    package_project(tmp_path, package="lostapp")
    set_options(tmp_path / "alembic.ini", prepend_sys_path="%(here)s/elsewhere")
    with pytest.raises(ConfigError) as raised:
        find_project(tmp_path)
    assert raised.value.exit_code == EXIT_USAGE
    assert raised.value.message.endswith(
        f"'lostapp:migrations' names package lostapp, which is neither in {tmp_path / 'elsewhere'}, "
        f"{tmp_path} nor installed")
    with pytest.raises(ModuleNotFoundError):  # Alembic cannot find it either
        alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_a_missing_script_location_folder_is_exit_2_as_alembic_refuses_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alembic_init(tmp_path, directory="migrations")
    set_options(tmp_path / "alembic.ini", script_location="%(here)s/gone")
    code, _out, err = run_main(capsys, "-c", str(tmp_path / "alembic.ini"), "check")
    assert code == EXIT_USAGE
    assert f"script_location '{tmp_path}/gone' is {tmp_path / 'gone'}, which does not exist" in err
    with pytest.raises(CommandError, match="Path doesn't exist"):
        alembic_view(ini_config(tmp_path / "alembic.ini"))


def test_a_project_without_revisions_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alembic_init(tmp_path, directory="migrations")
    capsys.readouterr()  # what `alembic init` printed
    code, out, _err = run_main(capsys, "-c", str(tmp_path / "alembic.ini"), "check", "--no-cache")
    assert code == EXIT_OK
    assert out.splitlines()[0] == f"no revisions yet (alembic-ini: {tmp_path / 'alembic.ini'})"
    assert alembic_view(ini_config(tmp_path / "alembic.ini")).heads == frozenset()


def test_a_package_project_divergence_exits_as_alembic_sees_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package_project(tmp_path, package="divapp")
    capsys.readouterr()  # what `alembic init` printed
    code, out, _err = run_main(capsys, "-c", str(tmp_path / "alembic.ini"), "check", "--no-cache")
    assert len(alembic_view(ini_config(tmp_path / "alembic.ini")).heads) == 2
    assert code == EXIT_NEGATIVE
    assert out.startswith("5 revisions, 2 heads")
