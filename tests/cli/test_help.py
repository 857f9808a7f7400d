"""The command line a person expects: an example in every `--help`, `--json` wherever help offers it,
"did you mean" for a typo, and `show` taking Alembic's revision syntax."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ahq_history.cli.main import COMMANDS
from tests.support.clirun import run_main
from tests.support.gitcli import commit_all, git
from tests.support.projects import alembic_project, forked_revisions, linear_revisions
from tests.support.sqlitedb import database

Capture = pytest.CaptureFixture[str]


def help_of(capsys: Capture, *words: str) -> str:
    with pytest.raises(SystemExit) as leaving:
        run_main(capsys, *words, "--help")
    assert leaving.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_help_ends_with_an_example_of_itself(capsys: Capture, name: str) -> None:
    text = help_of(capsys, name)
    example = text.split("\nexample:\n", 1)[1]
    assert example.startswith(f"  ahq-history {name}") or example.startswith(f"  source <(ahq-history {name}")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = linear_revisions(alembic_project(tmp_path / "proj"))
    git(root, "init", "-q")
    commit_all(root, "two revisions")
    return root


# The words after the command that make it run on `repo` (a linear history in git).
JSON_RUNS = {
    "check": [], "heads": [], "history": [], "show": ["head"], "lint": [], "merge-heads": ["--dry-run"],
    "hooks": ["status"], "status": ["--database-url", "{db}"], "verify": [],
    "switch": ["main", "--dry-run", "--database-url", "{db}"],
    "sync": ["--dry-run", "--database-url", "{db}"],
}


def test_json_is_offered_in_help_exactly_where_a_run_with_it_is_tested(capsys: Capture) -> None:
    offered = {name for name in COMMANDS if "--json" in help_of(capsys, name)}
    assert offered == set(JSON_RUNS)
    assert offered.isdisjoint({"tui", "completion"})


@pytest.mark.parametrize("name", JSON_RUNS)
def test_json_where_offered_prints_one_json_object(repo: Path, capsys: Capture,
                                                   monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.chdir(repo)
    url = database(repo.parent / "app.db", "aaaa00000002")
    code, out, err = run_main(capsys, name, *(w.replace("{db}", url) for w in JSON_RUNS[name]), "--json")
    payload = json.loads(out)
    assert (payload["schema_version"], "error" in payload) == (1, False), err
    assert code in (0, 1)


@pytest.mark.parametrize(("typed", "hint"), [
    ("chek", "did you mean `ahq-history check`? `ahq-history --help` lists the commands"),
    ("merge", "did you mean `ahq-history merge-heads`? `ahq-history --help` lists the commands"),
    ("frobnicate", "`ahq-history --help` lists the commands"),
])
def test_an_unknown_command_suggests_the_closest(capsys: Capture, typed: str, hint: str) -> None:
    code, _out, err = run_main(capsys, typed)
    assert (code, err) == (2, f"ahq-history: unknown command '{typed}'\n  hint: {hint}\n")


def test_an_unknown_revision_suggests_the_closest(repo: Path, capsys: Capture) -> None:
    code, _out, err = run_main(capsys, "-c", str(repo / "alembic.ini"), "show", "aaaa00000003")
    assert (code, err) == (2, "ahq-history: no revision or branch label 'aaaa00000003' in this history\n"
                              "  hint: did you mean aaaa00000002 or aaaa00000001?\n")


@pytest.mark.parametrize(("name", "shown"), [
    ("heads", ["bbbb00000001", "cccc00000002"]), ("base", ["aaaa00000001"]), ("head-1", None),
    ("cccc00000002-2", ["aaaa00000002"]), ("aaaa00000001+1", ["aaaa00000002"]),
])
def test_show_takes_alembics_revision_syntax(tmp_path: Path, capsys: Capture, name: str,
                                             shown: list[str] | None) -> None:
    root = forked_revisions(linear_revisions(alembic_project(tmp_path / "proj")))
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "show", name, "--no-git", "--json")
    payload = json.loads(out)
    if shown is None:  # two heads: `head` and what is below it are ambiguous, as in Alembic
        assert (code, payload["error"]["message"]) == (
            2, "'head' is ambiguous: there are 2 heads (bbbb00000001, cccc00000002)"), err
        return
    assert (code, [r["id"] for r in payload["revisions"]], payload["revision"]["id"]) == (0, shown, shown[0])


def test_show_heads_in_text_shows_each_head(tmp_path: Path, capsys: Capture) -> None:
    root = forked_revisions(linear_revisions(alembic_project(tmp_path / "proj")))
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "show", "heads", "--no-git")
    assert code == 0
    assert [line for line in out.splitlines() if line.startswith("revision ")] == [
        "revision bbbb00000001 (head)", "revision cccc00000002 (head)"]
