"""`ahq-history merge-heads` as a user runs it: the two-developer story with a bare origin and real clones,
real tables, round trips on SQLite and PostgreSQL, and every refusal."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from ahq_history.cli.main import main
from tests.support.clirun import read_until, run_main
from tests.support.flaskapp import flask
from tests.support.gitcli import commit_all, git
from tests.support.hookgit import ALICE, BASE, BOB
from tests.support.mergeproject import (
    alembic_heads,
    alembic_init,
    config_for,
    create_table,
    new_revision,
    python_write_hook,
    round_trip,
    snapshot,
)
from tests.support.mergestory import ALICE_REV, BOB_REV, alice_pushes, bob_file, story, team

Cap = pytest.CaptureFixture[str]
TABLES = ["alembic_version", "audit_log", "phones", "users"]


@pytest.fixture
def bob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    clone = story(tmp_path)
    monkeypatch.chdir(clone)
    return clone


def run(capsys: Cap, *args: str) -> tuple[int, str, str]:
    return run_main(capsys, "merge-heads", *args)


def run_json(capsys: Cap, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _err = run(capsys, "--json", *args)
    return code, json.loads(out)


# -- the merge revision ---------------------------------------------------------------------------


def test_story_merge_writes_exactly_one_file_and_alembic_sees_one_head(
        bob: Path, capsys: Cap) -> None:
    before = snapshot(bob)
    code, out, _err = run(capsys, "--yes")
    added = set(snapshot(bob)) - set(before)
    assert code == 0
    assert len(added) == 1
    (merged,) = alembic_heads(bob)
    assert f"merge revision {merged} of {ALICE_REV}, {BOB_REV}" in out
    (path,) = added
    assert out.rstrip().endswith(f"Next: git add {path} && alembic upgrade head\n"
                                 "Verify: ahq-history verify  (upgrade, downgrade and upgrade again on a "
                                 "scratch database)")


def test_story_merge_round_trips_on_sqlite(bob: Path, tmp_path: Path, capsys: Cap) -> None:
    assert run(capsys, "--yes")[0] == 0
    assert round_trip(bob, f"sqlite:///{tmp_path / 'bob.db'}") == TABLES


@pytest.mark.postgresql
def test_story_merge_round_trips_on_postgresql(
        bob: Path, postgresql_url: str, capsys: Cap) -> None:
    assert run(capsys, "--yes")[0] == 0
    assert round_trip(bob, postgresql_url) == TABLES


def test_running_again_writes_nothing_and_exits_0(bob: Path, capsys: Cap) -> None:
    run(capsys, "--yes")
    before = snapshot(bob)
    code, out, _err = run(capsys, "--yes")
    (head,) = alembic_heads(bob)
    assert (code, out) == (0, f"one head ({head}): nothing to merge\n")
    assert snapshot(bob) == before


def test_json_reports_what_was_written(bob: Path, capsys: Cap) -> None:
    code, report = run_json(capsys, "--yes")
    (written,) = report["written"]
    assert code == report["exit_code"] == 0
    assert written["kind"] == "merge"
    assert written["parents"] == [ALICE_REV, BOB_REV]
    name = f"{written['revision']}_merge_add_phones_alice_archer_and_add_.py"  # Alembic cuts slugs at 40
    assert written["path"] == f"migrations/versions/{name}"
    assert (bob / written["path"]).is_file()
    assert report["next"] == f"git add migrations/versions/{name} && alembic upgrade head"
    assert report["next_argv"] == [["git", "add", f"migrations/versions/{name}"],
                                   ["alembic", "upgrade", "head"]]


def test_message_option_names_the_merge(bob: Path, capsys: Cap) -> None:
    _code, report = run_json(capsys, "--yes", "-m", "join phones and audit", "--rev-id", "c0ffee000001")
    assert report["written"][0]["path"] == "migrations/versions/c0ffee000001_join_phones_and_audit.py"


def test_without_terminal_or_yes_it_prints_the_plan_and_exits_2(
        bob: Path, capsys: Cap) -> None:
    before = snapshot(bob)
    code, out, _err = run(capsys)
    assert code == 2
    assert f"write a merge revision with down_revision = ('{ALICE_REV}', '{BOB_REV}')" in out
    assert out.rstrip().endswith("nothing was written: pass --yes to write, or --dry-run to see the file "
                                 "first")
    assert snapshot(bob) == before


def test_dry_run_shows_the_file_and_writes_nothing(bob: Path, capsys: Cap) -> None:
    before = snapshot(bob)
    code, out, _err = run(capsys, "--dry-run")
    assert code == 0
    assert f"Revises: {ALICE_REV}, {BOB_REV}\n" in out
    assert "--- would write migrations/versions/" in out
    assert snapshot(bob) == before


@pytest.mark.parametrize(("answer", "code", "files"), [(b"y\n", 0, 1), (b"\n", 1, 0)])
def test_on_a_terminal_it_shows_the_plan_and_asks(bob: Path, answer: bytes, code: int, files: int) -> None:
    before = snapshot(bob)
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "ahq_history", "merge-heads"], cwd=bob,
                            stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    shown = read_until(leader, b"Write it? [y/N] ")
    os.write(leader, answer)
    rest = read_until(leader, b"\x00never")
    os.close(leader)
    assert proc.wait() == code
    assert b"Merge 2 heads (fork 0a0a0a0a0001):" in shown
    assert len(set(snapshot(bob)) - set(before)) == files
    assert (b"Wrote migrations/versions/" in rest) == bool(files)


def test_three_way_divergence_gets_one_merge(bob: Path, capsys: Cap) -> None:
    new_revision(bob, "add carol", "c0c000000001", head=BASE, splice=True, table="carol")
    _code, report = run_json(capsys, "--yes")
    (written,) = report["written"]
    assert written["parents"] == [ALICE_REV, BOB_REV, "c0c000000001"]
    assert alembic_heads(bob) == [written["revision"]]


def test_labelled_branches_are_left_alone_unless_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       capsys: Cap) -> None:
    root = alembic_init(tmp_path / "proj")
    monkeypatch.chdir(root)
    new_revision(root, "core base", "c0de00000001")
    new_revision(root, "audit base", "a0d100000001", head="base", branch_label="audit")
    code, out, _err = run(capsys, "--yes")
    assert code == 0
    assert out == ("no divergence: the heads are on distinct branches (c0de00000001: no label; "
                   "a0d100000001: audit); nothing to merge (to merge them anyway: ahq-history merge-heads "
                   "c0de00000001 a0d100000001)\n")
    _code, report = run_json(capsys, "--yes", "c0de00000001", "audit@head")
    assert report["written"][0]["parents"] == ["a0d100000001", "c0de00000001"]


def test_a_named_revision_that_is_not_a_head_is_refused(bob: Path, capsys: Cap) -> None:
    code, _out, err = run(capsys, "--yes", BASE, ALICE_REV)
    assert code == 1
    assert err.startswith(f"ahq-history: {BASE} is not a head: revision {ALICE_REV}, {BOB_REV} already "
                          "builds on it. Alembic merges heads only;")
    assert "hint: name the head of its branch instead" in err


def test_conflicting_sides_are_shown_and_yes_refuses_without_allow_conflicts(
        bob: Path, capsys: Cap) -> None:
    carol = new_revision(bob, "carol also adds phones", "c0c000000001", head=BASE, splice=True)
    create_table(carol, "phones")
    before = snapshot(bob)
    code, out, _err = run(capsys, "--yes")
    assert code == 1
    assert "The sides conflict" in out and "phones" in out
    assert snapshot(bob) == before
    assert run(capsys, "--yes", "--allow-conflicts")[0] == 0


# -- re-parenting (naming the side to move) -------------------------------------------------------


def test_rebase_named_side_changes_exactly_two_lines_of_bobs_file(
        bob: Path, tmp_path: Path, capsys: Cap) -> None:
    path = bob_file(bob)
    before_text = path.read_text()
    before = snapshot(bob)
    code, report = run_json(capsys, "--rebase", "--yes", "--no-db-check", BOB_REV)
    assert code == 0
    changed = [(a, b) for a, b in zip(before_text.splitlines(), path.read_text().splitlines(), strict=True)
               if a != b]
    assert changed == [(f"Revises: {BASE}", f"Revises: {ALICE_REV}"),
                       (f"down_revision: Union[str, Sequence[str], None] = '{BASE}'",
                        f"down_revision: Union[str, Sequence[str], None] = '{ALICE_REV}'")]
    assert set(snapshot(bob)) == set(before)
    assert alembic_heads(bob) == [BOB_REV]
    assert report["written"][0]["old_parents"] == [BASE]
    assert round_trip(bob, f"sqlite:///{tmp_path / 'bob.db'}") == TABLES


def test_rebase_refuses_a_side_applied_to_the_database(
        bob: Path, tmp_path: Path, capsys: Cap) -> None:
    from alembic import command

    url = f"sqlite:///{tmp_path / 'bob.db'}"
    config = config_for(bob)
    config.set_main_option("sqlalchemy.url", url)  # type: ignore[attr-defined]
    command.upgrade(config, BOB_REV)  # type: ignore[arg-type]
    before = snapshot(bob)
    code, out, _err = run(capsys, "--rebase", "--yes", "--database-url", url, BOB_REV)
    assert code == 1
    assert (f"  - {BOB_REV} is applied to the database: moving it would leave the database on a history that "
            "no longer exists") in out
    assert snapshot(bob) == before


def test_rebase_exits_2_when_the_database_server_cannot_be_reached(
        bob: Path, capsys: Cap) -> None:
    url = "postgresql://postgres@127.0.0.1:9/nowhere"
    code, _out, err = run(capsys, "--rebase", "--yes", "--database-url", url, BOB_REV)
    assert code == 2
    assert "--rebase must know that the moved revisions are not applied there" in err
    assert run(capsys, "--rebase", "--yes", "--no-db-check", BOB_REV)[0] == 0


def test_rebase_without_publication_facts_asks_for_the_side_to_move(
        bob: Path, capsys: Cap, monkeypatch: pytest.MonkeyPatch) -> None:
    git(bob, "remote", "remove", "origin")  # no remote-tracking branch: publication unknown
    code, out, _err = run(capsys, "--rebase", "--yes")
    assert code == 1
    assert "name the head to move: ahq-history merge-heads --rebase REV, REV one of " in out


# -- safety ---------------------------------------------------------------------------------------


def test_conflict_markers_from_a_merge_in_progress_are_reported_not_merged_over(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    alice, bob = team(tmp_path)
    for clone, who, table in ((alice, ALICE, "phones"), (bob, BOB, "audit_log")):
        (base,) = (clone / "migrations" / "versions").glob(f"{BASE}_*.py")
        base.write_text(base.read_text().replace("'users'", f"'{table}'"))
        commit_all(clone, f"rename to {table}", who)
    git(alice, "push", "-q", "origin", "main")
    pulled = subprocess.run(["git", "pull", "-q", "--no-edit", "origin", "main"], cwd=bob,
                            capture_output=True)
    assert pulled.returncode != 0  # a conflict: the file now holds markers
    monkeypatch.chdir(bob)
    before = snapshot(bob)
    code, _out, err = run(capsys, "--yes")
    assert code == 3
    assert err.startswith(f"ahq-history: a git merge is in progress: conflict markers in migrations/versions/"
                          f"{BASE}_create_users.py:")
    assert snapshot(bob) == before


def test_a_broken_history_exits_3_and_writes_nothing(bob: Path, capsys: Cap) -> None:
    path = bob_file(bob)
    path.write_text(path.read_text().replace(f"= '{BASE}'", "= 'ffffffffffff'"))
    code, _out, err = run(capsys, "--yes")
    assert code == 3
    assert "the history is broken: revision b0b000000001 names down_revision ffffffffffff" in err


# -- re-parenting with git's publication facts ----------------------------------------------------


def test_story_rebase_changes_exactly_two_lines_of_bobs_file(
        bob: Path, tmp_path: Path, capsys: Cap) -> None:
    path = bob_file(bob)
    before_text = path.read_text()
    before = snapshot(bob)
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check")
    assert code == 0, out
    diff = subprocess.run(["git", "diff", "--unified=0", "--no-color"], cwd=bob, capture_output=True,
                          text=True).stdout
    assert [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        f"-Revises: {BASE}", f"+Revises: {ALICE_REV}",
        f"-down_revision: Union[str, Sequence[str], None] = '{BASE}'",
        f"+down_revision: Union[str, Sequence[str], None] = '{ALICE_REV}'"]
    assert len(path.read_text().splitlines()) == len(before_text.splitlines())
    assert set(snapshot(bob)) == set(before)
    assert alembic_heads(bob) == [BOB_REV]
    assert (f"Re-parented {BOB_REV} in migrations/versions/{path.name}: down_revision {BASE} -> "
            f"{ALICE_REV}") in out
    assert round_trip(bob, f"sqlite:///{tmp_path / 'bob.db'}") == TABLES


@pytest.mark.postgresql
def test_story_rebase_round_trips_on_postgresql(
        bob: Path, postgresql_url: str, capsys: Cap) -> None:
    assert run(capsys, "--rebase", "--yes", "--no-db-check")[0] == 0
    assert round_trip(bob, postgresql_url) == TABLES


def test_story_rebase_json_names_alice_published_and_bob_local(
        bob: Path, capsys: Cap) -> None:
    code, report = run_json(capsys, "--rebase", "--dry-run", "--no-db-check")
    assert code == 0
    assert report["published"] == {ALICE_REV: True, BOB_REV: False}
    (step,) = report["steps"]
    assert (step["kind"], step["onto"], step["new_head"]) == ("rebase", ALICE_REV, BOB_REV)
    assert report["preview"][0]["diff"].count("\n+") == 3


def test_after_bob_pushes_rebase_is_refused_because_it_is_published(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    clone = story(tmp_path, bob_pushes=True)
    monkeypatch.chdir(clone)
    before = snapshot(clone)
    code, out, _err = run(capsys, "--rebase", "--yes")
    assert code == 1
    assert f"{ALICE_REV} and {BOB_REV} are both published: others may have them already" in out
    assert snapshot(clone) == before
    code, out, _err = run(capsys, "--rebase", "--yes", BOB_REV)
    assert code == 1
    assert f"  - {BOB_REV} is published (a remote-tracking branch has it)" in out
    assert snapshot(clone) == before


def test_rebase_stacks_bobs_local_sides_oldest_first_and_moves_a_chain_as_a_chain(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    alice, bob = team(tmp_path)
    alice_pushes(alice)
    first = new_revision(bob, "add audit log", BOB_REV, table="audit_log")
    new_revision(bob, "index audit log", "b0b000000002", head=BOB_REV, table="audit_index")
    second = new_revision(bob, "add carts", "b0b0ca000001", head=BASE, splice=True, table="carts")
    commit_all(bob, "bob's work", BOB)
    git(bob, "pull", "-q", "--no-edit", "origin", "main", env=BOB)
    monkeypatch.chdir(bob)
    texts = {path: path.read_text() for path in (bob / "migrations" / "versions").glob("*.py")}
    code, report = run_json(capsys, "--rebase", "--yes", "--no-db-check")
    assert code == 0
    (step,) = report["steps"]
    assert [(m["revision"], m["new_parent"], m["chain"]) for m in step["moves"]] == [
        (BOB_REV, ALICE_REV, ["b0b000000002", BOB_REV]), ("b0b0ca000001", "b0b000000002", ["b0b0ca000001"])]
    changed = {path for path, text in texts.items() if path.read_text() != text}
    assert changed == {first, second}
    assert alembic_heads(bob) == ["b0b0ca000001"]
    assert round_trip(bob, f"sqlite:///{tmp_path / 'bob.db'}") == [
        "alembic_version", "audit_index", "audit_log", "carts", "phones", "users"]


def test_what_a_post_write_hook_prints_stays_off_the_json_answer(bob: Path, capfd: pytest.CaptureFixture[str]
                                                                  ) -> None:
    python_write_hook(bob, "say", "import sys; print('hook formatted', sys.argv[1].rsplit('/', 1)[-1])")
    code = main(["merge-heads", "--json", "--yes"])
    out, err = capfd.readouterr()
    report = json.loads(out)
    assert code == 0
    assert f"hook formatted {report['written'][0]['path'].rsplit('/', 1)[-1]}" in err


def test_flask_migrate_project_merges_and_names_flask_db_upgrade(
        flask_project: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    monkeypatch.chdir(flask_project)
    code, out, _err = run(capsys, "--yes")
    assert code == 0
    assert out.rstrip().endswith("&& flask db upgrade\nVerify: ahq-history verify  (upgrade, downgrade and "
                                 "upgrade again on a scratch database)")
    assert "\nNext: git add migrations/versions/" in out
    heads = flask(flask_project, "db", "heads").splitlines()
    (head,) = [line.split()[0] for line in heads if "(head)" in line]
    assert f"merge revision {head} of f00000000one, f00000000two" in out


def test_upstream_narrows_published_to_one_branch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: Cap) -> None:
    clone = story(tmp_path)
    git(clone, "push", "-q", "origin", "HEAD:refs/heads/bob-wip")  # pushed for backup, not to main
    monkeypatch.chdir(clone)
    code, out, _err = run(capsys, "--rebase", "--dry-run", "--no-db-check")
    assert code == 1
    assert "are both published" in out
    code, report = run_json(capsys, "--rebase", "--dry-run", "--no-db-check", "--upstream", "origin/main")
    assert code == 0
    assert report["published"] == {ALICE_REV: True, BOB_REV: False}


def test_upstream_that_names_nothing_exits_2(bob: Path, capsys: Cap) -> None:
    code, _out, err = run(capsys, "--upstream", "origin/nope")
    assert code == 2
    assert "origin/nope" in err
