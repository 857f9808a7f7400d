"""`check` over several projects of one repository: `--all`, or `[tool.ahq-history] projects`; one block (or
JSON entry) per project and the worst exit code. Projects are made by `alembic init` and `alembic revision`
in real git repositories."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from ahq_history.core.errors import EXIT_BROKEN, EXIT_NEGATIVE, EXIT_OK, EXIT_USAGE
from ahq_history.report.projects import worst_exit_code
from tests.config.test_discovery import nested_alembic, repository
from tests.support.alembicconfig import alembic_init
from tests.support.clirun import run_main
from tests.support.gitcli import commit_all
from tests.support.projects import add_revision, linear_revisions


def two_projects(tmp_path: Path) -> Path:
    """billing: a straight line; worker: two heads on one base (a divergence). Returns the repository."""
    repo = repository(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):  # what `alembic init` says is not under test
        alembic_init(repo / "billing", directory="alembic")
        linear_revisions(repo / "billing")
        nested_alembic(repo, "worker")
    commit_all(repo, "two projects")
    return repo


def test_check_all_reports_each_project_and_exits_1_naming_the_diverged_one(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    monkeypatch.chdir(repo)
    code, out, _err = run_main(capsys, "check", "--all", "--no-cache")
    assert code == EXIT_NEGATIVE
    blocks = out.split("\n\n")
    assert blocks[0].splitlines()[:2] == ["== billing/alembic.ini ==", "2 revisions, 1 head (alembic-ini: "
                                          f"{repo / 'billing' / 'alembic.ini'})"]
    assert blocks[1].startswith("== worker/alembic.ini ==\n3 revisions, 2 heads")
    assert "  run: ahq-history -c worker/alembic.ini merge-heads" in blocks[1].splitlines()
    assert blocks[-1].splitlines()[-1] == ("2 projects: billing/alembic.ini fine (exit 0), "
                                           "worker/alembic.ini diverged (exit 1)")


def test_check_all_as_json_lists_a_report_per_project(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    monkeypatch.chdir(repo / "billing")  # -c in the advice is relative to where check runs
    code, out, _err = run_main(capsys, "check", "--all", "--json")
    payload = json.loads(out)
    assert (code, payload["exit_code"]) == (EXIT_NEGATIVE, EXIT_NEGATIVE)
    assert [(p["config"], p["exit_code"], p["error"]) for p in payload["projects"]] == [
        ("billing/alembic.ini", EXIT_OK, None), ("worker/alembic.ini", EXIT_NEGATIVE, None)]
    worker = payload["projects"][1]["report"]
    assert worker["heads"] and worker["diverged"] is True
    assert worker["next_argv"] == [["ahq-history", "-c", "../worker/alembic.ini", "merge-heads"]]
    assert worker["next"] == "ahq-history -c ../worker/alembic.ini merge-heads"


def test_listed_projects_are_covered_where_discovery_would_ask_for_c(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    with contextlib.redirect_stdout(io.StringIO()):
        alembic_init(repo / "scratch", directory="alembic")  # a third project, not listed
    (repo / "pyproject.toml").write_text('[tool.ahq-history]\nprojects = ["worker/alembic.ini", "billing"]\n')
    monkeypatch.chdir(repo)
    code, out, _err = run_main(capsys, "check", "--no-cache")
    assert code == EXIT_NEGATIVE
    assert [line for line in out.splitlines() if line.startswith("== ")] == [
        "== worker/alembic.ini ==", "== billing =="]
    assert f"note: the projects listed in [tool.ahq-history] projects (relative to {repo})" in out
    code, out, _err = run_main(capsys, "check", "--all", "--json")
    assert [p["config"] for p in json.loads(out)["projects"]] == [
        "billing/alembic.ini", "scratch/alembic.ini", "worker/alembic.ini"]


def test_without_a_list_several_projects_still_ask_for_c(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    monkeypatch.chdir(repo)
    code, _out, err = run_main(capsys, "check")
    assert code == EXIT_USAGE
    assert err.splitlines()[-1] == "  hint: name the one you mean with -c PATH, e.g. -c billing/alembic.ini"


def test_a_listed_project_that_does_not_exist_is_exit_2_naming_the_file_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    (repo / "pyproject.toml").write_text('[tool.ahq-history]\nprojects = ["billing", "api/alembic.ini"]\n')
    monkeypatch.chdir(repo)
    code, _out, err = run_main(capsys, "check")
    assert code == EXIT_USAGE
    assert err.splitlines()[0] == (f"ahq-history: {repo / 'pyproject.toml'}:2: [tool.ahq-history] projects: "
                                   f"'api/alembic.ini' does not exist ({repo})")
    (repo / "pyproject.toml").write_text('[tool.ahq-history]\nprojects = ["../elsewhere"]\n')
    code, _out, err = run_main(capsys, "check")
    assert "'../elsewhere' is not inside the repository" in err


def test_the_worst_exit_code_wins_and_an_unreadable_project_is_still_listed(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    add_revision(repo / "billing", "orphan", "dddd00000001", head="aaaa00000002")
    orphan = next((repo / "billing" / "alembic" / "versions").glob("dddd00000001_*.py"))
    orphan.write_text(orphan.read_text().replace("'aaaa00000002'", "'ffff00000000'"))  # dangling: exit 3
    (repo / "old").mkdir()
    (repo / "old" / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = sqlite://\n")  # exit 2
    monkeypatch.chdir(repo)
    code, out, _err = run_main(capsys, "check", "--all", "--json")
    entries = json.loads(out)["projects"]
    assert code == EXIT_USAGE
    assert [(e["config"], e["exit_code"]) for e in entries] == [
        ("billing/alembic.ini", EXIT_BROKEN), ("worker/alembic.ini", EXIT_NEGATIVE), ("old", EXIT_USAGE)]
    assert entries[2]["error"]["kind"] == "ConfigError"
    assert "no script_location" in entries[2]["error"]["message"]
    (repo / "old" / "alembic.ini").unlink()
    code, out, _err = run_main(capsys, "check", "--all")
    assert code == EXIT_BROKEN
    assert out.splitlines()[-1].startswith("2 projects: billing/alembic.ini broken graph (exit 3), ")


def test_worst_exit_code_orders_2_over_3_over_1_over_0() -> None:
    assert worst_exit_code([0, 1, 3, 2]) == 2
    assert worst_exit_code([1, 3, 0]) == 3
    assert worst_exit_code([0, 1]) == 1
    assert worst_exit_code([]) == 0


def test_all_with_c_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    repo = two_projects(tmp_path)
    monkeypatch.chdir(repo)
    code, _out, err = run_main(capsys, "-c", "billing/alembic.ini", "check", "--all")
    assert code == EXIT_USAGE
    assert err.splitlines()[0] == ("ahq-history: --all covers every project of the repository, and -c names "
                                   "one")
