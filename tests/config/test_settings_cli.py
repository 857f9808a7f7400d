"""Settings and Alembic options validated when a command reads the project: real projects made by
`alembic init` (and its `pyproject` template), `check` run in-process as a person would run it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ahq_history.cli.main import main
from tests.support.alembicconfig import alembic_init, set_options
from tests.support.projects import add_revision, alembic_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = alembic_project(tmp_path / "proj")
    add_revision(root, "create users", "aaaa00000001")
    return root


def check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["-c", str(root / "alembic.ini"), "check", "--no-cache", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def settings(root: Path, body: str) -> Path:
    path = root / "pyproject.toml"
    path.write_text('[project]\nname = "app"\n\n[tool.ahq-history]\n' + body)
    return path


def test_wrong_setting_type_is_exit_2_naming_key_file_and_line(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings(project, 'upgrade-command = "flask db upgrade"\nversion-table = 7\n')
    code, out, err = check(project, capsys)
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"ahq-history: {path}:6: [tool.ahq-history] version-table must be a table name (a non-empty "
        "string): 7 is not a non-empty string",
        '  hint: write version-table = "alembic_version"']


def test_unknown_setting_is_a_warning_with_the_closest_key(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings(project, 'upgrade-comand = "make migrate"\n')
    code, out, _ = check(project, capsys)
    assert code == 0
    assert ("warning: pyproject.toml:5: unknown setting 'upgrade-comand' in [tool.ahq-history]: did you mean "
            "'upgrade-command'?") in out.splitlines()


def test_unknown_setting_is_a_problem_in_json(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings(project, "colour = true\n")
    code, out, _ = check(project, capsys, "--json")
    (problem,) = json.loads(out)["problems"]
    assert (code, problem["kind"], problem["severity"], problem["path"], problem["line"]) == (
        0, "unknown-setting", "warning", "pyproject.toml", 5)


def test_warm_check_still_shows_the_warning(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings(project, "colour = true\n")
    for _ in range(2):
        capsys.readouterr()
        assert main(["-c", str(project / "alembic.ini"), "check"]) == 0
        assert "unknown setting 'colour'" in capsys.readouterr().out


def test_upgrade_after_pull_in_a_tracked_file_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings(project, "upgrade-after-pull = true\n")
    code, _, err = check(project, capsys)
    assert code == 2
    assert err.splitlines() == [
        f"ahq-history: {path}:5: [tool.ahq-history] upgrade-after-pull runs commands, so a file in the "
        "repository cannot set it",
        "  hint: set it for this clone only: git config ahq-history.upgrade-after-pull true (or use the "
        "command-line option)"]


def test_deeply_nested_pyproject_is_exit_2_not_a_recursion_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = settings(project, "projects = " + "[" * 5000 + "]" * 5000 + "\n")
    code, _, err = check(project, capsys)
    assert code == 2
    assert err.splitlines()[0] == (
        f"ahq-history: {path}: arrays or inline tables are nested too deeply to read")
    assert "Traceback" not in err and "internal error" not in err


def test_path_separator_comma_is_refused_even_without_version_locations(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = project / "alembic.ini"
    set_options(ini, path_separator="comma")
    line = ini.read_text().splitlines().index("path_separator = comma") + 1
    code, _, err = check(project, capsys)
    assert code == 2
    assert err.splitlines()[0] == (f"ahq-history: {ini}:{line}: 'comma' is not a valid value for "
                                   "path_separator; expected 'space', 'newline', 'os', ':', ';'")


def test_boolean_alembic_would_read_as_false_is_refused(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = project / "alembic.ini"
    set_options(ini, recursive_version_locations="yes")
    line = ini.read_text().splitlines().index("recursive_version_locations = yes") + 1
    code, _, err = check(project, capsys)
    assert code == 2
    assert err.splitlines()[0] == (
        f"ahq-history: {ini}:{line}: recursive_version_locations = 'yes' is neither true nor false (Alembic "
        "reads every word but `true` as false)")


def test_toml_file_template_that_is_not_a_string_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alembic_init(tmp_path, template="pyproject")
    toml = tmp_path / "pyproject.toml"
    toml.write_text(toml.read_text().replace("[tool.alembic]\n", "[tool.alembic]\nfile_template = 5\n", 1))
    capsys.readouterr()
    assert main(["-c", str(toml), "check", "--no-cache"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"ahq-history: {toml}: [tool.alembic] file_template must be a string, not 5")


def test_bad_percent_in_the_ini_url_never_shows_the_password(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ini = project / "alembic.ini"  # a single `%` (not `%%`): configparser's own error quotes the value
    ini.write_text(ini.read_text().replace("sqlalchemy.url = driver://user:pass@localhost/dbname",
                                           "sqlalchemy.url = postgresql://bob:p%40ssW0rdfish@127.0.0.1:1/app"))
    code, out, err = check(project, capsys)
    assert code == 2
    assert "ssW0rdfish" not in out + err
    assert "option 'sqlalchemy.url' in section [alembic] has a % that is not %% or %(name)s" in err
