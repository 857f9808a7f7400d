"""`ahq-history status` on real git repositories, real Alembic projects and databases Alembic upgraded."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from ahq_history.cli.main import main
from tests.support.clirun import run_main
from tests.support.dbstory import (
    AUDIT,
    BASE,
    PLACEHOLDER,
    WORKFLOWS,
    alembic_cli,
    alembic_upgrade,
    bob_story,
)
from tests.support.gitcli import commit_all, git
from tests.support.projects import add_revision, alembic_project

AUDIT_PATH = f"migrations/versions/{AUDIT}_add_audit_log.py"


def status(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()  # drop what Alembic logged while the test set the database up
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "status", *args)
    return code, out + err


def status_json(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code, out = status(root, capsys, "--json", *args)
    return code, json.loads(out)


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return bob_story(tmp_path / "repo")


@pytest.fixture
def bob_switched(story: Path) -> Path:
    """Bob ran `alembic upgrade head` on feature/audit (SQLite), then switched to main."""
    git(story, "checkout", "-q", "feature/audit")
    alembic_cli(story, "upgrade", "head")
    git(story, "checkout", "-q", "main")
    return story


def follow(root: Path, steps: list[str]) -> None:
    """Run the printed steps as Bob would (`alembic` through this interpreter)."""
    for step in steps:
        words = shlex.split(step)
        if words[0] == "git":
            git(root, *words[1:])
        else:
            assert words[0] == "alembic", step
            alembic_cli(root, *words[1:])


# -- the story ------------------------------------------------------------------------------------------


def test_bob_story_text_names_revision_branch_shared_revision_and_steps(
    bob_switched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = status(bob_switched, capsys)
    assert code == 1
    assert out.splitlines() == [
        "database  sqlite:///app.db  (from sqlalchemy.url in alembic.ini)",
        f"at        {AUDIT} (not in this checkout)",
        f"heads     {WORKFLOWS}",
        "state     unknown revision: the database is at a revision this checkout does not have",
        "",
        f"revision {AUDIT} is not defined by any file of this checkout (branch main).",
        f"  {AUDIT} \"add audit log\" lives on branch feature/audit, added in commit "
        f"{git(bob_switched, 'rev-parse', 'feature/audit').strip()[:12]} by Bob Builder "
        "<bob@example.com> on 2026-02-03",
        f"  shared revision: {BASE}",
        "  the way back (the database keeps what it holds until you run these):",
        "    git checkout feature/audit",
        f"    alembic downgrade {BASE}",
        "    git checkout main",
        "    alembic upgrade head",
        "",
        "to apply, in order:",
        f"  {WORKFLOWS}  add workflows",
    ]


def test_bob_story_json_carries_the_same(bob_switched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = status_json(bob_switched, capsys)
    assert code == report["exit_code"] == 1
    assert report["database"] == {"url": "sqlite:///app.db", "dialect": "sqlite",
                                  "source": "sqlalchemy.url in alembic.ini", "note": None}
    assert report["current"] == [{"revision": AUDIT, "known": False, "message": None, "path": None}]
    assert (report["heads"], report["state"], report["at_heads"]) == ([WORKFLOWS], "unknown", False)
    assert (report["multiple_rows"], report["ahead"], report["branch"], report["detached"]) == (
        False, [], "main", False)
    assert [p["revision"] for p in report["pending"]] == [WORKFLOWS]
    (unknown,) = report["unknown"]
    assert (unknown["revision"], unknown["shared"], unknown["ahead"], unknown["note"]) == (
        AUDIT, BASE, False, None)
    assert unknown["steps"] == ["git checkout feature/audit", f"alembic downgrade {BASE}",
                                "git checkout main", "alembic upgrade head"]
    (sighting,) = unknown["sightings"]
    tip = git(bob_switched, "rev-parse", "feature/audit").strip()
    assert sighting == {
        "kind": "branch", "ref": "feature/audit", "commit": tip, "path": AUDIT_PATH, "down_revision": [BASE],
        "message": "add audit log",
        "added": {"commit": tip, "author": "Bob Builder", "email": "bob@example.com",
                  "date": "2026-02-03T10:00:00+00:00", "summary": "Add the audit log table"},
        "deleted": None, "branch_was": None,
    }


def test_following_the_printed_steps_brings_the_database_to_the_heads(
    bob_switched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _code, report = status_json(bob_switched, capsys)
    follow(bob_switched, report["unknown"][0]["steps"])
    code, after = status_json(bob_switched, capsys)
    assert (code, after["state"], [r["revision"] for r in after["current"]]) == (0, "at-heads", [WORKFLOWS])
    assert git(bob_switched, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"


def test_status_never_writes_to_the_database(bob_switched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = (bob_switched / "app.db").read_bytes()
    status(bob_switched, capsys)
    assert (bob_switched / "app.db").read_bytes() == before


# -- the other states ---------------------------------------------------------------------------------


def test_at_head_exits_0(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alembic_cli(story, "upgrade", "head")
    code, out = status(story, capsys)
    assert code == 0
    assert out.splitlines()[1:] == [f"at        {WORKFLOWS}", f"heads     {WORKFLOWS}",
                                    "state     at head: nothing to apply"]
    _code, report = status_json(story, capsys)
    assert (report["state"], report["at_heads"], report["unknown"], report["branch"]) == (
        "at-heads", True, [], "main")


def test_behind_lists_pending_in_order_and_the_upgrade_command(story: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    git(story, "checkout", "-q", "feature/audit")
    add_revision(story, "add audit index", "bbbb00000002")
    alembic_cli(story, "upgrade", BASE)
    code, out = status(story, capsys)
    assert code == 1
    assert out.splitlines()[3:] == [
        "state     behind: 2 revisions to apply",
        "",
        "to apply, in order:",
        f"  {AUDIT}  add audit log",
        "  bbbb00000002  add audit index",
        "run: alembic upgrade head",
    ]


def test_behind_with_two_heads_says_to_merge_them_before_upgrading(story: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    add_revision(story, "add runs", "dddd00000001", head=BASE, splice=True)  # beside WORKFLOWS: two heads
    alembic_cli(story, "upgrade", BASE)
    code, report = status_json(story, capsys)
    assert (code, report["state"], report["diverged"]) == (1, "behind", True)
    _, out = status(story, capsys)
    (advice,) = report["advice"]
    assert (advice["command"], advice["then"]) == ("ahq-history merge-heads", "alembic upgrade head")
    assert out.splitlines()[-3:] == [
        f"the heads {WORKFLOWS} and dddd00000001 diverge: {advice['reason']}",
        "run: ahq-history merge-heads", "then: alembic upgrade head"]


def test_missing_sqlite_file_is_behind_with_a_note(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = status_json(story, capsys)
    assert (code, report["state"], report["current"]) == (1, "behind", [])
    assert report["database"]["note"] == "database file does not exist yet: nothing applied"
    assert [p["revision"] for p in report["pending"]] == [BASE, WORKFLOWS]
    assert not (story / "app.db").exists()


def test_database_ahead_of_an_older_checkout(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alembic_cli(story, "upgrade", "head")
    git(story, "checkout", "-q", "--detach", "main~1")
    code, report = status_json(story, capsys)
    here = git(story, "rev-parse", "--short=12", "HEAD").strip()
    assert (code, report["state"], report["ahead"], report["pending"]) == (1, "ahead", [WORKFLOWS], [])
    (unknown,) = report["unknown"]
    assert unknown["shared"] == BASE
    assert unknown["steps"] == ["git checkout main", f"alembic downgrade {BASE}", f"git checkout {here}",
                                "alembic upgrade head"]


def test_revision_only_on_a_remote_tracking_branch(bob_switched: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(bob_switched, "remote", "add", "origin", str(origin))
    git(bob_switched, "push", "-q", "origin", "feature/audit")
    git(bob_switched, "branch", "-q", "-D", "feature/audit")
    _code, report = status_json(bob_switched, capsys)
    (unknown,) = report["unknown"]
    assert [(s["kind"], s["ref"]) for s in unknown["sightings"]] == [("remote", "origin/feature/audit")]
    assert unknown["steps"][0] == "git checkout origin/feature/audit"


def test_revision_whose_file_was_deleted_names_who_deleted_it(bob_switched: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    git(bob_switched, "checkout", "-q", "feature/audit")
    (bob_switched / AUDIT_PATH).unlink()
    commit_all(bob_switched, "Drop the audit log",
           env={"GIT_AUTHOR_NAME": "Carol", "GIT_AUTHOR_EMAIL": "c@x.org"})
    git(bob_switched, "checkout", "-q", "main")
    code, out = status(bob_switched, capsys)
    last = git(bob_switched, "rev-parse", "feature/audit~1").strip()
    deleting = git(bob_switched, "rev-parse", "feature/audit").strip()
    assert code == 1
    assert (f"  {AUDIT} \"add audit log\" was deleted from {AUDIT_PATH} in commit {deleting[:12]} "
            f"by Carol <c@x.org> on 2026-01-01 (added in commit {last[:12]} by Bob Builder "
            f"<bob@example.com> on 2026-02-03; last present in commit {last[:12]})") in out.splitlines()
    assert f"    git checkout {last[:12]}" in out.splitlines()


def test_revision_nowhere_in_git_says_so_without_steps(bob_switched: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    git(bob_switched, "branch", "-q", "-D", "feature/audit")
    git(bob_switched, "reflog", "expire", "--expire-unreachable=now", "--all")  # no trace left
    code, report = status_json(bob_switched, capsys)
    (unknown,) = report["unknown"]
    assert (code, unknown["sightings"], unknown["steps"], unknown["shared"]) == (1, [], [], None)
    assert unknown["note"] == (
        "no branch, remote-tracking branch, deleted file or reflog entry in git defines it: it may live in a "
        "teammate's unpushed branch (run `git fetch --all` and try again)"
    )


def test_deleted_branch_story_names_the_commit_from_the_reflog(
    bob_switched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    added = git(bob_switched, "rev-parse", "feature/audit").strip()
    git(bob_switched, "branch", "-q", "-D", "feature/audit")  # Bob's database still holds AUDIT
    code, out = status(bob_switched, capsys)
    keep = f"git branch feature/audit {added[:12]}"
    assert code == 1
    assert out.splitlines()[5:] == [
        f"revision {AUDIT} is not defined by any file of this checkout (branch main).",
        f"  {AUDIT} \"add audit log\" is on no branch, only in git's reflog (it was on branch feature/audit, "
        f"since deleted): added in commit {added[:12]} by Bob Builder <bob@example.com> on 2026-02-03",
        f"  shared revision: {BASE}",
        "  no branch holds it any more; the only trace is git's reflog, whose entries for such commits "
        f"expire (30 days by default): `{keep}` keeps it",
        "  the way back (the database keeps what it holds until you run these):",
        f"    git checkout {added[:12]}",
        f"    alembic downgrade {BASE}",
        "    git checkout main",
        "    alembic upgrade head",
        "",
        "to apply, in order:",  # only what main adds, not every revision
        f"  {WORKFLOWS}  add workflows",
    ]
    _code, report = status_json(bob_switched, capsys)
    (sighting,) = report["unknown"][0]["sightings"]
    assert (sighting["kind"], sighting["ref"], sighting["commit"], sighting["branch_was"]) == (
        "reflog", None, added, "feature/audit")
    assert sighting["added"]["commit"] == added
    follow(bob_switched, report["unknown"][0]["steps"])
    assert status_json(bob_switched, capsys)[1]["state"] == "at-heads"


def test_when_main_and_a_feature_branch_have_the_revision_status_names_main(
    bob_switched: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(bob_switched, "merge", "-q", "--no-edit", "feature/audit")
    git(bob_switched, "checkout", "-q", "feature/audit")  # the branch visited last
    git(bob_switched, "checkout", "-q", "-b", "reports", "main~2")  # the first commit: create users only
    code, report = status_json(bob_switched, capsys)
    (unknown,) = report["unknown"]
    added = git(bob_switched, "rev-parse", "feature/audit").strip()
    assert code == 1
    assert [(s["ref"], s["added"]["commit"]) for s in unknown["sightings"]] == [
        ("main", added), ("feature/audit", added)]
    assert unknown["steps"] == ["git checkout main", f"alembic downgrade {BASE}", "git checkout reports",
                                "alembic upgrade head"]
    _code, out = status(bob_switched, capsys)
    assert f"  {AUDIT} \"add audit log\" lives on branch main, added in commit {added[:12]} by Bob Builder " \
           "<bob@example.com> on 2026-02-03" in out.splitlines()
    assert "  also on: feature/audit" in out.splitlines()


def test_a_detached_head_is_called_a_commit(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alembic_cli(story, "upgrade", "head")
    git(story, "checkout", "-q", "--detach", "main~1")
    here = git(story, "rev-parse", "--short=12", "HEAD").strip()
    _code, out = status(story, capsys)
    assert f"revision {WORKFLOWS} is not defined by any file of this checkout (commit {here})." in out
    assert status_json(story, capsys)[1]["detached"] is True


def test_revision_file_missing_from_the_work_tree_is_restored_from_head(
    story: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alembic_cli(story, "upgrade", "head")
    path = f"migrations/versions/{WORKFLOWS}_add_workflows.py"
    (story / path).unlink()
    code, report = status_json(story, capsys)
    (unknown,) = report["unknown"]
    assert (code, unknown["revision"], unknown["steps"]) == (1, WORKFLOWS, [f"git checkout HEAD -- {path}"])
    assert unknown["note"] == f"the file {path} is committed on main but missing from the work tree"
    follow(story, unknown["steps"])
    assert status_json(story, capsys)[0] == 0


def test_missing_file_of_a_project_in_a_sub_folder_is_restored_by_the_printed_step(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    root = alembic_project(repo / "my app")
    ini = root / "alembic.ini"
    (root / "migrations" / "my versions").mkdir()
    ini.write_text(ini.read_text().replace(PLACEHOLDER, "sqlalchemy.url = sqlite:///app.db").replace(
        "[alembic]", "[alembic]\nversion_locations = %(here)s/migrations/my versions", 1))
    git(repo, "init", "-q", "-b", "main")
    path = add_revision(root, "create users", BASE)
    commit_all(repo, "create users")
    alembic_cli(root, "upgrade", "head")
    path.unlink()
    _code, report = status_json(root, capsys)
    (unknown,) = report["unknown"]
    assert unknown["steps"] == [f"git checkout HEAD -- 'migrations/my versions/{path.name}'"]
    follow(root, unknown["steps"])
    assert path.is_file()


def test_no_search_skips_git(bob_switched: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = status_json(bob_switched, capsys, "--no-search")
    (unknown,) = report["unknown"]
    assert (code, unknown["sightings"], unknown["steps"], unknown["note"]) == (1, [], [], None)


def test_outside_git_the_unknown_revision_is_still_reported(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    root = alembic_project(tmp_path / "plain")
    add_revision(root, "create users", BASE)
    alembic_upgrade(root, f"sqlite:///{root / 'app.db'}")
    (root / "migrations/versions" / f"{BASE}_create_users.py").unlink()
    code, report = status_json(root, capsys, "--database-url", "sqlite:///app.db")
    (unknown,) = report["unknown"]
    assert code == 1
    assert unknown["note"] == f"git was not searched: {root} is not in a git repository"


def test_several_rows_at_labelled_heads_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alembic_project(tmp_path / "labels")
    add_revision(root, "create users", BASE, branch_label="core")
    add_revision(root, "audit base", "dddd00000001", head="base", branch_label="audit")
    alembic_upgrade(root, f"sqlite:///{root / 'app.db'}", "heads")
    code, report = status_json(root, capsys, "--database-url", "sqlite:///app.db")
    assert (code, report["multiple_rows"], report["at_heads"]) == (0, True, True)
    code, out = status(root, capsys, "--database-url", "sqlite:///app.db")
    assert "  the database holds 2 rows: several heads were applied (`upgrade heads`); a merge revision " \
           "joins them back into one" in out.splitlines()


def test_broken_graph_exits_3_even_at_head(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alembic_cli(story, "upgrade", "head")
    orphan = add_revision(story, "orphan", "eeee00000001")
    orphan.write_text(orphan.read_text().replace(f"'{WORKFLOWS}'", "'ffff99999999'"))
    code, report = status_json(story, capsys)
    assert code == 3
    assert [p["kind"] for p in report["problems"]] == ["dangling-parent"]


def test_upgrade_command_from_pyproject_shapes_the_steps(bob_switched: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    (bob_switched / "pyproject.toml").write_text(
        '[tool.ahq-history]\nupgrade-command = "flask --app backend.run db upgrade"\n')
    _code, report = status_json(bob_switched, capsys)
    assert report["unknown"][0]["steps"][1:] == [f"flask --app backend.run db downgrade {BASE}",
                                                 "git checkout main", "flask --app backend.run db upgrade"]


# -- URLs and failures -----------------------------------------------------------------------------------


def test_no_database_url_exits_2_with_a_hint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alembic_project(tmp_path / "plain")  # the ini keeps `alembic init`'s placeholder URL
    code, out = status(root, capsys)
    assert code == 2
    assert out.splitlines() == [
        "ahq-history: cannot tell which database the migrations run against: no database URL is configured: "
        "alembic.ini has no sqlalchemy.url",
        "  hint: pass --database-url URL, set DATABASE_URL, or add "
        'database-url = "sqlite:///instance/app.db" under [tool.ahq-history] in pyproject.toml',
    ]


def test_database_url_environment_variable_is_used(story: Path, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:///other.db")
    _code, report = status_json(story, capsys)
    assert report["database"]["source"] == "the DATABASE_URL environment variable"
    assert report["database"]["url"] == "sqlite:///other.db"


def test_unreachable_database_exits_2_in_one_line_without_traceback(story: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ahq_history", "-c", str(story / "alembic.ini"), "status",
         "--database-url", "postgresql://postgres:s3cret@127.0.0.1:1/x", "--timeout", "2"],
        capture_output=True, text=True,
    )
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr.splitlines() == [
        "ahq-history: cannot read the database postgresql://postgres:***@127.0.0.1:1/x "
        '(from --database-url): connection to server at "127.0.0.1", port 1 failed: Connection refused',
        "  hint: check that the server is running and that the URL is right, or pass --database-url",
    ]


def test_unreachable_database_json_is_an_error_object(story: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, report = status_json(story, capsys, "--database-url", "mysql+pymysql://root@127.0.0.1:1/x")
    assert (code, report["error"]["kind"], report["error"]["exit_code"]) == (2, "UnreachableError", 2)


def test_bad_timeout_is_a_usage_error(story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["-c", str(story / "alembic.ini"), "status", "--timeout", "soon"])
    assert caught.value.code == 2
    assert "not a number of seconds: 'soon'" in capsys.readouterr().err


# -- PostgreSQL and MariaDB -------------------------------------------------------------------------------


@pytest.fixture(params=["postgresql", "mariadb"])
def server_url(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue(f"{request.param}_url"))


def test_server_at_head(story: Path, server_url: str, capsys: pytest.CaptureFixture[str],
                        monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_upgrade(story, server_url)
    monkeypatch.setenv("DATABASE_URL", server_url)
    code, report = status_json(story, capsys)
    assert (code, report["state"], [r["revision"] for r in report["current"]]) == (0, "at-heads", [WORKFLOWS])


def test_server_behind(story: Path, server_url: str, capsys: pytest.CaptureFixture[str],
                       monkeypatch: pytest.MonkeyPatch) -> None:
    alembic_upgrade(story, server_url, BASE)
    monkeypatch.setenv("DATABASE_URL", server_url)
    code, report = status_json(story, capsys)
    assert (code, report["state"], [p["revision"] for p in report["pending"]]) == (1, "behind", [WORKFLOWS])


def test_server_empty_database_has_nothing_applied(story: Path, server_url: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, report = status_json(story, capsys, "--database-url", server_url)
    assert (code, report["current"]) == (1, [])
    assert report["database"]["note"] == "no alembic_version table: nothing applied"


def test_server_unknown_revision_story(story: Path, server_url: str, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    git(story, "checkout", "-q", "feature/audit")
    alembic_upgrade(story, server_url)
    git(story, "checkout", "-q", "main")
    monkeypatch.setenv("DATABASE_URL", server_url)
    code, report = status_json(story, capsys)
    (unknown,) = report["unknown"]
    assert (code, unknown["revision"], unknown["shared"]) == (1, AUDIT, BASE)
    assert unknown["steps"][:3] == ["git checkout feature/audit", f"alembic downgrade {BASE}",
                                    "git checkout main"]
    assert unknown["sightings"][0]["ref"] == "feature/audit"


def test_server_password_is_masked_in_the_report(story: Path, postgresql_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    with_password = postgresql_url.replace("postgres@", "postgres:s3cret@")  # trust auth ignores it
    _code, out = status(story, capsys, "--json", "--database-url", with_password)
    assert "s3cret" not in out
    assert json.loads(out)["database"]["url"] == postgresql_url.replace("postgres@", "postgres:***@")
