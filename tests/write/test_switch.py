"""`ahq-history switch BRANCH` on real git repositories, Alembic projects made by `alembic init`, and SQLite
(and PostgreSQL) databases upgraded by Alembic: downgrade what the branch lacks, switch, upgrade."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.dbstory import alembic_cli
from tests.support.gitcli import commit_all, git
from tests.support.switchstory import (
    BIO,
    NICK,
    USERS,
    add_nickname,
    alice_story,
    applied_story,
    columns,
    schema_problems,
)


def switch(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "switch", *args)
    return code, out + err


def branch(root: Path) -> str:
    return git(root, "branch", "--show-current").strip()


def current(root: Path) -> str:
    return alembic_cli(root, "current").split()[0] if alembic_cli(root, "current").strip() else ""


@pytest.fixture
def applied(tmp_path: Path) -> Path:
    return applied_story(tmp_path / "repo")


def test_switch_to_main_drops_the_column_and_back_brings_it(applied: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{applied / 'app.db'}"
    assert schema_problems(applied, url, "feature/nickname") == []
    code, out = switch(applied, capsys, "main", "--yes")
    assert code == 0, out
    assert branch(applied) == "main"
    assert current(applied) == USERS
    assert columns(applied / "app.db") == ["id"]
    assert schema_problems(applied, url, "main") == []
    assert schema_problems(applied, url, "feature/nickname") != []  # the check can fail: main lacks them
    assert "drops column users.nickname" in out and "drops column users.bio" in out
    backups = list((applied / ".git" / "ahq-history" / "backups").iterdir())
    assert len(backups) == 1 and columns(backups[0]) == ["id", "nickname", "bio"]
    assert f"backup: {backups[0]}" in out
    assert not (applied / ".git" / "ahq-history" / "steps.json").exists()

    code, out = switch(applied, capsys, "feature/nickname", "--yes")
    assert code == 0, out
    assert branch(applied) == "feature/nickname"
    assert current(applied) == BIO
    assert columns(applied / "app.db") == ["id", "nickname", "bio"]
    assert schema_problems(applied, url, "feature/nickname") == []


def test_the_plan_lists_each_step_newest_first(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = switch(applied, capsys, "main", "--dry-run", "--json")
    assert code == 0
    plan = json.loads(out)["plan"]
    assert [(s["action"], s["revision"], s["to"]) for s in plan["steps"]] == [
        ("downgrade", BIO, NICK), ("downgrade", NICK, USERS), ("switch", None, ""), ("upgrade", None, USERS)]
    assert plan["steps"][0]["argv"][-2:] == ["downgrade", NICK]
    assert plan["destructive"] == [f"{BIO}: drops column users.bio (line 29)",
                                   f"{NICK}: drops column users.nickname (line 29)"]


def test_dry_run_changes_nothing(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = switch(applied, capsys, "main", "--dry-run")
    assert code == 0
    assert "  3. git switch main" in out
    assert branch(applied) == "feature/nickname" and current(applied) == BIO
    assert not (applied / ".git" / "ahq-history" / "backups").exists()


def test_an_empty_downgrade_refuses_before_touching_anything(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo")
    git(root, "switch", "-q", "feature/nickname")
    add_nickname(root, "cccc00000001", "email", downgrade="pass")
    commit_all(root, "add email, no way back")
    alembic_cli(root, "upgrade", "head")
    code, out = switch(root, capsys, "main", "--yes")
    assert code == 1
    assert "revision cccc00000001 (migrations/versions/cccc00000001_add_users_email.py) has an empty " \
           "downgrade()" in out
    assert f"alembic stamp {BIO}" in out
    assert branch(root) == "feature/nickname" and current(root) == "cccc00000001"
    assert columns(root / "app.db") == ["id", "nickname", "bio", "email"]
    assert not (root / ".git" / "ahq-history" / "backups").exists()


def test_uncommitted_revision_files_refuse(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_nickname(applied, "cccc00000001", "email")
    code, out = switch(applied, capsys, "main", "--yes")
    assert code == 1
    assert ("the versions folder has uncommitted changes: "
            "migrations/versions/cccc00000001_add_users_email.py") in out
    assert current(applied) == BIO


def test_a_database_at_a_revision_this_checkout_lacks_names_sync(applied: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    git(applied, "switch", "-q", "main")
    code, out = switch(applied, capsys, "feature/nickname", "--yes")
    assert code == 1
    assert f"the database is at {BIO}, which this checkout does not have" in out
    assert "ahq-history sync" in out


def test_a_failed_git_switch_upgrades_back(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(applied, "switch", "-q", "main")
    (applied / "notes.txt").write_text("main's notes\n")
    commit_all(applied, "notes")
    git(applied, "switch", "-q", "feature/nickname")
    (applied / "notes.txt").write_text("mine, untracked: git switch refuses to overwrite it\n")
    code, out = switch(applied, capsys, "main", "--yes")
    assert code == 1
    assert "stopped at the step `git switch main`" in out
    assert f"the database was upgraded back to {BIO}, where it was" in out
    assert branch(applied) == "feature/nickname" and current(applied) == BIO
    assert columns(applied / "app.db") == ["id", "nickname", "bio"]


def test_an_unknown_branch_is_a_usage_error(applied: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = switch(applied, capsys, "no-such-branch", "--yes")
    assert code == 2
    assert "no branch or commit named 'no-such-branch'" in out


def test_status_after_a_kill_names_the_revision_and_the_command_to_finish(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo")
    git(root, "switch", "-q", "feature/nickname")
    nick = next((root / "migrations" / "versions").glob(f"{NICK}_*.py"))
    nick.write_text(nick.read_text().replace("def downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n",
                                             "def downgrade() -> None:\n    \"\"\"Downgrade schema.\"\"\"\n"
                                             "    time.sleep(60)\n"))
    commit_all(root, "a slow way back")
    alembic_cli(root, "upgrade", "head")
    log = root / ".git" / "ahq-history" / "steps.json"
    proc = subprocess.Popen([sys.executable, "-m", "ahq_history", "switch", "main", "--yes"], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            steps = json.loads(log.read_text())["steps"] if log.exists() else []
            if steps and steps[1]["state"] == "running":
                break
            time.sleep(0.1)
        time.sleep(1.5)  # Alembic is inside the slow downgrade by now
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "status")
    assert code == 1  # not at the heads
    assert f"at        {NICK}" in out
    assert (f"`ahq-history switch main` did not finish: it stopped at step 2 of 4 (downgrade {NICK}); "
            f"the database is at {NICK}.") in out
    assert "  to finish: ahq-history switch main --yes" in out


def server_columns(url: str) -> list[str]:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        return [column["name"] for column in sa.inspect(engine).get_columns("users")]
    finally:
        engine.dispose()


def test_on_postgresql_switch_drops_the_column_and_back_brings_it(
        tmp_path: Path, postgresql_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo", url=postgresql_url)
    git(root, "switch", "-q", "feature/nickname")
    alembic_cli(root, "upgrade", "head")
    code, out = switch(root, capsys, "main")
    assert code == 1
    assert "is a server: no backup is made before the downgrades" in out
    assert current(root) == BIO
    code, out = switch(root, capsys, "main", "--yes")
    assert code == 0, out
    assert "backup    none: a server database is not backed up (--yes required)" in out
    assert branch(root) == "main" and current(root) == USERS
    assert server_columns(postgresql_url) == ["id"]
    assert schema_problems(root, postgresql_url, "main") == []
    code, out = switch(root, capsys, "feature/nickname", "--yes")
    assert code == 0, out
    assert current(root) == BIO and server_columns(postgresql_url) == ["id", "nickname", "bio"]
    assert schema_problems(root, postgresql_url, "feature/nickname") == []


def test_a_failing_downgrade_stops_and_says_where_the_database_is(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo")
    git(root, "switch", "-q", "feature/nickname")
    nick = next((root / "migrations" / "versions").glob(f"{NICK}_*.py"))
    nick.write_text(nick.read_text().replace("op.drop_column('users', 'nickname')",
                                             "raise RuntimeError('the nickname is still in use')"))
    commit_all(root, "a downgrade that fails")
    alembic_cli(root, "upgrade", "head")
    code, out = switch(root, capsys, "main", "--yes")
    assert code == 1
    assert f"stopped at the step `{sys.executable} -m alembic -c {root / 'alembic.ini'} downgrade {USERS}`" \
           f" (downgrade {NICK}):" in out
    assert "RuntimeError: the nickname is still in use" in out
    assert f"the database is at {NICK}; the backup made before it is " in out
    assert "then run `ahq-history switch main --yes` to finish." in out
    assert branch(root) == "feature/nickname" and current(root) == NICK
    log = json.loads((root / ".git" / "ahq-history" / "steps.json").read_text())
    assert [step["state"] for step in log["steps"]] == ["done", "failed", "todo", "todo"]


def test_on_mariadb_switch_drops_the_column_and_back_brings_it(
        tmp_path: Path, mariadb_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo", url=mariadb_url)
    git(root, "switch", "-q", "feature/nickname")
    alembic_cli(root, "upgrade", "head")
    code, out = switch(root, capsys, "main", "--yes")
    assert code == 0, out
    assert "backup    none: a server database is not backed up (--yes required)" in out
    assert branch(root) == "main" and current(root) == USERS
    assert server_columns(mariadb_url) == ["id"] and schema_problems(root, mariadb_url, "main") == []
    code, out = switch(root, capsys, "feature/nickname", "--yes")
    assert code == 0, out
    assert current(root) == BIO and server_columns(mariadb_url) == ["id", "nickname", "bio"]
    assert schema_problems(root, mariadb_url, "feature/nickname") == []


def test_on_mariadb_a_downgrade_that_fails_halfway_says_it_may_be_partly_applied(
        tmp_path: Path, mariadb_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    root = alice_story(tmp_path / "repo", url=mariadb_url)
    git(root, "switch", "-q", "feature/nickname")
    nick = next((root / "migrations" / "versions").glob(f"{NICK}_*.py"))
    nick.write_text(nick.read_text().replace("op.drop_column('users', 'nickname')",
                                             "op.drop_column('users', 'nickname')\n"
                                             "    raise RuntimeError('halfway')"))
    commit_all(root, "a downgrade that fails after its DDL")
    alembic_cli(root, "upgrade", "head")
    code, out = switch(root, capsys, "main", "--yes")
    assert code == 1
    assert "RuntimeError: halfway" in out
    assert (f"the database is at {NICK}. Fix the cause, then run `ahq-history switch main --yes` to finish. "
            "On MariaDB/MySQL each DDL statement commits at once, so the revision may be partly applied: "
            "compare the schema with its file.") in out
    assert current(root) == NICK and server_columns(mariadb_url) == ["id"]  # the drop stayed: partly applied
