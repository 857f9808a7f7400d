"""Finding a project from anywhere in its repository: first from the current folder up, then below the top of
the git work tree through git's list of files. Layouts are made by `alembic init` and `flask db init`, and
each project found is read as Alembic's `ScriptDirectory` reads it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ahq_history.config.discover import SeveralProjects, candidate_folders
from ahq_history.config.loading import load
from ahq_history.config.project import find_project
from ahq_history.core.errors import EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE, ConfigError
from tests.support.agreement import alembic_view, flask_config, ini_config, our_view
from tests.support.alembicconfig import alembic_init
from tests.support.clirun import run_main
from tests.support.flaskapp import flask_forked
from tests.support.gitcli import commit_all, git, run_git
from tests.support.hookgit import cli
from tests.support.projects import add_revision, forked_revisions, linear_revisions

INIT = "`alembic init migrations`"


def repository(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("a service\n")
    return repo


def nested_alembic(repo: Path, folder: str = "service/db/sqlalchemy") -> Path:
    """`alembic init` in a nested folder, a base and two revisions on it (two heads); returns the folder."""
    root = repo / folder
    alembic_init(root, directory="alembic")
    add_revision(root, "create users", "aaaa00000001")
    add_revision(root, "add phone", "aaaa00000002")
    add_revision(root, "add audit", "bbbb00000001", head="aaaa00000001", splice=True)
    return root


# -- one project below the top ---------------------------------------------------------------------------


def test_nested_alembic_ini_is_found_from_the_repository_root(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    root = nested_alembic(repo)
    commit_all(repo, "service")
    project = find_project(repo)
    assert project.config_path == root / "alembic.ini"
    assert project.note == (f"using service/db/sqlalchemy/alembic.ini, the one Alembic project in this "
                            f"repository (none from {repo} up)")
    assert our_view(load(project=project)) == alembic_view(ini_config(root / "alembic.ini"))


def test_nested_flask_migrate_is_found_from_the_repository_root(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / "src").mkdir()
    app = flask_forked(repo / "src" / "myapp")
    project = find_project(repo)
    assert (project.layout, project.root) == ("flask-migrate", app)
    assert project.config_path == app / "migrations" / "alembic.ini"
    assert our_view(load(project=project)) == alembic_view(flask_config(app / "migrations"))


def test_found_from_a_sibling_folder_that_is_not_above_it(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    root = nested_alembic(repo)
    (repo / "docs" / "guide").mkdir(parents=True)
    project = find_project(repo / "docs" / "guide")
    assert project.config_path == root / "alembic.ini"
    assert project.note is not None
    assert project.note.startswith("using ../../service/db/sqlalchemy/alembic.ini")


def test_a_project_found_upwards_is_used_without_searching_below(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    nested_alembic(repo, "one")
    nested_alembic(repo, "two")
    project = find_project(repo / "two" / "alembic" / "versions")
    assert (project.config_path, project.note) == (repo / "two" / "alembic.ini", None)


def test_an_ignored_folder_is_not_searched(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    root = nested_alembic(repo, "app")
    nested_alembic(repo, ".venv/lib/site-packages/somepkg")
    (repo / ".gitignore").write_text(".venv/\n")
    assert find_project(repo).config_path == root / "alembic.ini"


def test_the_check_command_says_which_project_it_uses_and_answers_as_alembic(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    nested_alembic(repo)
    monkeypatch.chdir(repo)
    code, out, _err = run_main(capsys, "check", "--no-cache")
    assert code == EXIT_NEGATIVE  # Alembic sees two heads on one base
    assert ("note: using service/db/sqlalchemy/alembic.ini, the one Alembic project in this repository "
            f"(none from {repo} up)") in out.splitlines()
    code, out, _err = run_main(capsys, "check", "--json")
    assert json.loads(out)["notes"][0].startswith("using service/db/sqlalchemy/alembic.ini")


# -- several projects ------------------------------------------------------------------------------------


def test_two_projects_exit_2_listing_each_with_its_revisions(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    nested_alembic(repo, "billing")
    (repo / "web").mkdir()
    flask_forked(repo / "web" / "app")
    empty = repo / "worker"
    alembic_init(empty, directory="alembic")
    monkeypatch.chdir(repo)
    code, _out, err = run_main(capsys, "check")
    assert code == EXIT_USAGE
    assert err.splitlines() == [
        f"ahq-history: several Alembic projects in the repository at {repo} (none from {repo} up):",
        "  billing/alembic.ini (alembic-ini, 3 revisions)",
        "  web/app/migrations/alembic.ini (flask-migrate, 3 revisions)",
        "  worker/alembic.ini (alembic-ini, no revisions yet)",
        "  hint: name the one you mean with -c PATH, e.g. -c billing/alembic.ini",
    ]
    code, out, _err = run_main(capsys, "-c", "web/app/migrations/alembic.ini", "check", "--no-cache")
    assert code == EXIT_NEGATIVE
    assert out.startswith("3 revisions, 2 heads (flask-migrate: ")


def test_a_broken_configuration_is_listed_among_several(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    nested_alembic(repo, "good")
    (repo / "old").mkdir()
    (repo / "old" / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite://\n")
    with pytest.raises(SeveralProjects) as raised:
        find_project(repo)
    assert raised.value.message.splitlines()[1:] == [
        "  good/alembic.ini (alembic-ini)",
        f"  cannot be read: {repo / 'old' / 'alembic.ini'}: no script_location in the [alembic] section of "
        f"{repo / 'old' / 'alembic.ini'}, so the revision folder is unknown",
    ]


def test_one_broken_configuration_below_is_its_own_error(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / "old").mkdir()
    (repo / "old" / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite://\n")
    with pytest.raises(ConfigError) as raised:
        find_project(repo)
    assert raised.value.message.startswith(f"{repo / 'old' / 'alembic.ini'}: no script_location")


# -- none ------------------------------------------------------------------------------------------------


def test_a_repository_without_a_project_gets_the_init_hint(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    (repo / "pkg").mkdir()
    (repo / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\ndependencies = ["alembic"]\n')
    with pytest.raises(ConfigError) as raised:
        find_project(repo / "pkg")
    assert raised.value.message.endswith("(the top of the git work tree) and in every folder below it "
                                         "that git lists")
    assert raised.value.hint is not None and INIT in raised.value.hint


def test_the_init_hint_never_shows_when_a_project_sits_deeper(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = repository(tmp_path)
    nested_alembic(repo)
    monkeypatch.chdir(repo)
    for command in ("check", "heads", "history"):
        code, out, err = run_main(capsys, command)
        assert "alembic init" not in out + err
        assert code in (EXIT_OK, EXIT_NEGATIVE)


def test_outside_git_folders_below_are_not_searched_and_the_message_says_so(tmp_path: Path) -> None:
    nested_alembic(tmp_path, "deep/service")
    with pytest.raises(ConfigError) as raised:
        find_project(tmp_path)
    assert raised.value.message.endswith("; folders below were not searched, as this is not a git "
                                         "repository")
    assert raised.value.hint == (
        "run from the folder that holds the project, or name its configuration with -c PATH; if there is "
        "no project yet, create one with `alembic init migrations` or `flask db init`")


# -- git's list ------------------------------------------------------------------------------------------


def test_an_uncommitted_project_is_found(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    commit_all(repo, "readme")
    root = nested_alembic(repo, "new/service")
    assert find_project(repo).config_path == root / "alembic.ini"


def test_candidate_folders_take_flask_migrate_from_the_folder_flask_runs_in(tmp_path: Path) -> None:
    files = ["a/alembic.ini", "b/migrations/alembic.ini", "b/migrations/env.py", "c/pyproject.toml",
             "a/alembic/env.py", "setup.cfg"]
    assert candidate_folders(tmp_path, files) == [tmp_path / "a", tmp_path / "b", tmp_path / "c"]


def test_a_pyproject_project_below_is_found(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    root = repo / "api"
    alembic_init(root, template="pyproject", directory="migrations")
    project = find_project(repo)
    assert (project.layout, project.config_path) == ("pyproject", root / "pyproject.toml")


def test_linear_history_below_agrees_with_alembic(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    root = repo / "backend"
    alembic_init(root, directory="migrations")
    forked_revisions(linear_revisions(root))
    assert our_view(load(project=find_project(repo))) == alembic_view(ini_config(root / "alembic.ini"))


def test_hooks_install_says_the_hooks_cover_several_projects(tmp_path: Path) -> None:
    repo = repository(tmp_path)
    nested_alembic(repo, "one")
    nested_alembic(repo, "two")
    commit_all(repo, "two projects")
    installed = cli(repo, "hooks", "install")
    assert installed.returncode == 0, installed.stderr
    assert installed.stdout.splitlines()[-1] == (
        "Note: this repository holds several Alembic projects (`ahq-history check --all` covers them); the "
        "hooks cover each one ([tool.ahq-history] projects, else all), naming it.")
    git(repo, "checkout", "-q", "-b", "feature")
    add_revision(repo / "one", "add index", "aaaa00000003", head="aaaa00000002")
    commit_all(repo, "index")
    switched = run_git(repo, "checkout", "-q", "main")
    assert (switched.returncode, switched.stdout, switched.stderr) == (0, "", "")
