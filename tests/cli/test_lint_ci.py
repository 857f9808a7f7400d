"""`check`, `lint` and `check --against` for CI: `--format github|sarif|junit`, `lint FILE...` and
`lint --since REF`, and in-file waivers, run through the real command line on real Alembic projects."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from tests.support.clirun import run_main
from tests.support.gitcli import commit_all, git
from tests.support.gitstory import ALICE, BASE_REV, BOB, BOB_FILE, BOB_REV, Story
from tests.support.projects import add_revision, linear_revisions, shared_project

SCHEMA = json.loads((Path(__file__).parents[1] / "support" / "sarif" / "sarif-schema-2.1.0.json").read_text())
HOSTILE_MESSAGE = "100% done\n::add-mask::secret"
HOSTILE_FILE = "migrations/versions/bbbb00000001_100_done_add_mask_secret.py"


def set_upgrade(path: Path, code: str) -> Path:
    """Put `code` in place of upgrade()'s `pass`; downgrade() stays empty."""
    text = path.read_text()
    up, down = text.split("def downgrade")
    path.write_text(up[: up.rindex("pass")] + code + up[up.rindex("pass") + 4:] + "def downgrade" + down)
    return path


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A project in git whose second head has a hostile message and drops a column with a hostile name."""
    root = linear_revisions(shared_project(tmp_path / "repo"))
    set_upgrade(add_revision(root, HOSTILE_MESSAGE, "bbbb00000001", head="aaaa00000001", splice=True),
                "op.drop_column('users', 'ph%one\\n::add-mask::s')")
    git(root, "init", "-q", "-b", "main")
    return root


def cli(capsys: pytest.CaptureFixture[str], root: Path, *args: str) -> tuple[int, str, str]:
    return run_main(capsys, "-c", str(root / "alembic.ini"), *args)


def test_check_github_gives_one_annotation_for_a_hostile_message(hostile: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    text_code, _, _ = cli(capsys, hostile, "check")
    code, out, _ = cli(capsys, hostile, "check", "--format", "github")
    assert code == text_code == 1
    [line] = out.splitlines()
    title = "ahq-history%3A divergent Alembic heads"
    assert line.startswith(f"::error file={HOSTILE_FILE},line=16,title={title}::")
    assert "bbbb00000001 (100%25 done)" in line and "add-mask" not in line


def test_lint_github_gives_one_annotation_per_finding(hostile: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, hostile, "lint", "--format", "github")
    assert code == 1
    warning, error = out.splitlines()
    assert warning.startswith(f"::warning file={HOSTILE_FILE},line=24,title=AHQ002 destructive-upgrade::"
                              "upgrade() drops column users.ph%25one%0A::add-mask::s%0Astage the removal")
    assert error.startswith(f"::error file={HOSTILE_FILE},line=27,title=AHQ001 empty-downgrade::")


def test_sarif_validates_with_paths_from_the_top_of_the_work_tree(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = linear_revisions(shared_project(tmp_path / "repo" / "services" / "api"))
    set_upgrade(add_revision(root, HOSTILE_MESSAGE, "bbbb00000001", head="aaaa00000001", splice=True),
                "op.drop_column('users', 'x')")
    git(tmp_path / "repo", "init", "-q", "-b", "main")
    for command in ("lint", "check"):
        code, out, _ = cli(capsys, root, command, "--format", "sarif")
        assert code == 1
        log = json.loads(out)
        jsonschema.Draft4Validator(SCHEMA).validate(log)
        locations = [r["locations"][0]["physicalLocation"] for r in log["runs"][0]["results"]]
        assert locations
        for location in locations:
            assert location["artifactLocation"]["uri"].startswith("services/api/migrations/versions/")
            assert location["region"]["startLine"] >= 1


def test_junit_has_one_case_per_finding(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, hostile, "lint", "--format", "junit")
    assert code == 1
    suite = ElementTree.fromstring(out.encode()).find("testsuite")
    assert suite is not None
    assert [(c.get("name"), c.find("failure") is not None) for c in suite.findall("testcase")] == [
        ("AHQ002 destructive-upgrade (line 24)", False), ("AHQ001 empty-downgrade (line 27)", True)]


def test_json_and_another_format_is_a_usage_error(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(capsys, hostile, "lint", "--json", "--format", "github")
    assert code == 2
    assert json.loads(out)["error"]["message"] == "--json and --format github ask for two outputs"


def test_lint_files_lints_only_those_and_skips_other_files(hostile: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(hostile)  # pre-commit passes paths from the top of the work tree
    code, out, _ = run_main(capsys, "lint", "--json", HOSTILE_FILE, "migrations/env.py")
    report = json.loads(out)
    assert (code, report["schema_version"], report["revisions"]) == (1, 1, 1)
    assert report["skipped"] == ["migrations/env.py"]
    assert {f["path"] for f in report["findings"]} == {HOSTILE_FILE}
    code, out, _ = run_main(capsys, "lint", "migrations/versions/aaaa00000002_add_users_phone.py")
    assert (code, out.splitlines()[-1]) == (0, "lint: no findings in 1 revision")


def test_lint_a_missing_file_exits_2_naming_it(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, hostile, "lint", "migrations/versions/gone.py")
    assert code == 2 and "no such file: migrations/versions/gone.py" in err


def test_lint_since_lints_only_what_the_branch_added(story: Story,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    drop_a = add_revision(story.alice, "drop a", "a11ce0000001", head=BASE_REV)
    set_upgrade(drop_a, "op.drop_column('u', 'a')")
    commit_all(story.alice, "drop a", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    set_upgrade(add_revision(story.bob, "drop b", BOB_REV, head=BASE_REV), "op.drop_column('u', 'b')")
    commit_all(story.bob, "drop b", BOB)
    git(story.bob, "fetch", "-q")
    code, out, _ = cli(capsys, story.bob, "lint", "--json", "--since", "origin/main")
    report = json.loads(out)
    assert (code, report["revisions"]) == (1, 1)
    assert {f["path"] for f in report["findings"]} == {BOB_FILE.replace("add_workflows", "drop_b")}
    code, out, _ = cli(capsys, story.bob, "lint", "--since", "HEAD")
    assert (code, out.splitlines()[-1]) == (0, "lint: no findings in 0 revisions")


def test_lint_since_an_unknown_ref_exits_2(story: Story, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, story.bob, "lint", "--since", "origin/nope")
    assert code == 2 and "git has no branch, tag or commit named 'origin/nope'" in err


def test_lint_since_outside_git_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = linear_revisions(shared_project(tmp_path / "p"))
    code, _, err = cli(capsys, root, "lint", "--since", "main")
    assert code == 2 and "lint --since needs a git repository" in err


def test_a_waived_finding_is_listed_apart_and_does_not_fail(hostile: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    path = hostile / HOSTILE_FILE
    path.write_text(path.read_text().replace("::add-mask::s')", "::add-mask::s')  # ahq: ignore[AHQ002] "
                                             "moved to profiles").replace(
        "def downgrade() -> None:\n", "def downgrade() -> None:  # ahq: ignore[AHQ001] one-way\n"))
    code, out, _ = cli(capsys, hostile, "lint", "--json")
    report = json.loads(out)
    assert (code, report["findings"]) == (0, [])
    assert [(w["check"], w["reason"]) for w in report["waived"]] == [("AHQ002", "moved to profiles"),
                                                                      ("AHQ001", "one-way")]
    code, out, _ = cli(capsys, hostile, "lint")
    assert out.splitlines()[-1] == "lint: no findings in 3 revisions (2 findings waived in the files)"


def test_a_waiver_without_reason_fails_lint(hostile: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = hostile / HOSTILE_FILE
    path.write_text(path.read_text().replace("::add-mask::s')", "::add-mask::s')  # ahq: ignore[AHQ002]"))
    code, out, _ = cli(capsys, hostile, "lint", "--format", "github")
    assert code == 1
    assert "title=AHQ006 bad-waiver::the waiver of AHQ002 gives no reason" in out


def test_check_against_annotates_the_operation_conflict(story: Story,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    phone = "op.add_column('users', sa.Column('phone', sa.String(32)))"
    set_upgrade(add_revision(story.alice, "add users phone", "a11ce0000001", head=BASE_REV), phone)
    commit_all(story.alice, "phone", ALICE)
    git(story.alice, "push", "-q", "origin", "main")
    set_upgrade(add_revision(story.bob, "add users phone too", BOB_REV, head=BASE_REV), phone)
    commit_all(story.bob, "phone too", BOB)
    git(story.bob, "fetch", "-q")
    code, out, _ = cli(capsys, story.bob, "check", "--against", "origin/main", "--format", "github")
    assert code == 1
    divergence, conflict = out.splitlines()
    assert divergence.startswith("::error file=migrations/versions/b0b000000001_add_users_phone_too.py,line=")
    assert conflict.startswith("::error file=migrations/versions/") and ",line=" in conflict
    assert "title=ahq-history%3A operation conflict::" in conflict and "users.phone" in conflict
