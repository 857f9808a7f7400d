"""`merge-heads` refuses what is unsafe, in every mode, and says what changed after a write: operation
conflicts, a database it cannot name (a Flask app whose URL lives only in its config), a git pull or rebase
that stopped half-way, and the words after a merge or a re-parent. Real clones, real `git pull`."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.clirun import on_a_terminal, run_main
from tests.support.flaskapp import flask, flask_team
from tests.support.gitcli import commit_all, git
from tests.support.hookgit import ALICE, BASE, BOB
from tests.support.mergeproject import add_column, config_for, create_table, new_revision, snapshot
from tests.support.mergestory import ALICE_REV, BOB_REV, bob_file, story, team

Cap = pytest.CaptureFixture[str]
PHONE = "the sides conflict: both sides add column users.phone"


def run(capsys: Cap, *args: str) -> tuple[int, str, str]:
    return run_main(capsys, "merge-heads", *args)


def alice_file(clone: Path) -> Path:
    (path,) = (clone / "migrations" / "versions").glob(f"{ALICE_REV}_*.py")
    return path


# -- operation conflicts: --allow-conflicts in every mode -----------------------------------------


@pytest.fixture
def clash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Alice and Bob both add users.phone on the same parent; Alice pushed first; Bob pulled."""
    alice, bob = team(tmp_path)
    add_column(new_revision(alice, "add phone", ALICE_REV), "users", "phone")
    commit_all(alice, "add phone", ALICE)
    git(alice, "push", "-q", "origin", "main")
    add_column(new_revision(bob, "add phone too", BOB_REV), "users", "phone")
    commit_all(bob, "add phone too", BOB)
    git(bob, "pull", "-q", "--no-edit", "origin", "main", env=BOB)
    monkeypatch.chdir(bob)
    return bob


def test_answering_y_at_the_prompt_does_not_write_across_a_conflict(clash: Path) -> None:
    before = snapshot(clash)
    code, shown = on_a_terminal(clash, ["merge-heads"], b"y\n")
    assert code == 1
    assert PHONE.encode() in shown
    assert b"needs --allow-conflicts" in shown
    assert snapshot(clash) == before


def test_yes_refuses_a_conflict_without_allow_conflicts(clash: Path, capsys: Cap) -> None:
    before = snapshot(clash)
    code, out, _err = run(capsys, "--yes")
    assert code == 1
    assert f"  - {PHONE}" in out
    assert out.rstrip().endswith("refused: nothing was written")
    assert snapshot(clash) == before


def test_dry_run_predicts_the_conflict_refusal(clash: Path, capsys: Cap) -> None:
    code, out, _err = run(capsys, "--dry-run")
    assert code == 1
    assert f"  - {PHONE}" in out
    assert "  run: ahq-history merge-heads --allow-conflicts" in out  # the advisor's answer


def test_re_parenting_across_a_conflict_needs_allow_conflicts_too(clash: Path, capsys: Cap) -> None:
    before = snapshot(clash)
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check")
    assert code == 1
    assert "re-parenting them as they are needs --allow-conflicts" in out
    assert snapshot(clash) == before


def test_allow_conflicts_said_explicitly_writes_the_merge(clash: Path, capsys: Cap) -> None:
    before = snapshot(clash)
    code, _out, _err = run(capsys, "--yes", "--allow-conflicts")
    assert code == 0
    assert len(set(snapshot(clash)) - set(before)) == 1


# -- a database the tool cannot name: Flask-Migrate with the URL only in the app ------------------


@pytest.fixture
def flask_bob(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Alice pushed "add phones"; Bob wrote "add audit log", ran `flask db upgrade` (so his revision is
    applied to the app's database, whose URL only the app knows) and pulled."""
    alice, bob = flask_team(tmp_path)
    flask(alice, "db", "revision", "-m", "add phones", "--rev-id", ALICE_REV)
    create_table(alice_file(alice), "phones")
    commit_all(alice, "add phones", ALICE)
    git(alice, "push", "-q", "origin", "main")
    flask(bob, "db", "revision", "-m", "add audit log", "--rev-id", BOB_REV)
    create_table(bob_file(bob), "audit_log")
    commit_all(bob, "add audit log", BOB)
    flask(bob, "db", "upgrade")
    git(bob, "pull", "-q", "--no-edit", "origin", "main", env=BOB)
    monkeypatch.chdir(bob)
    return bob


def test_flask_app_url_only_in_the_app_rebase_refuses_with_exit_1_and_changes_nothing(
        flask_bob: Path, capsys: Cap) -> None:
    before = snapshot(flask_bob)
    code, out, _err = run(capsys, "--rebase", "--yes")
    assert code == 1
    assert (f"whether {BOB_REV} is applied to a database is unknown (env.py takes its connection from the "
            "application (current_app") in out
    assert "name the database with --database-url URL, or pass --no-db-check" in out
    assert "nothing applied" not in out
    assert snapshot(flask_bob) == before


def test_flask_app_database_named_with_database_url_refuses_the_applied_revision(
        flask_bob: Path, capsys: Cap) -> None:
    before = snapshot(flask_bob)
    url = f"sqlite:///{flask_bob / 'instance' / 'app.db'}"
    code, out, _err = run(capsys, "--rebase", "--yes", "--database-url", url)
    assert code == 1
    assert f"  - {BOB_REV} is applied to the database: moving it would leave the database" in out
    assert snapshot(flask_bob) == before


def test_flask_app_no_db_check_takes_responsibility_and_proceeds(flask_bob: Path, capsys: Cap) -> None:
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check")
    assert code == 0, out
    assert f"down_revision = '{ALICE_REV}'" in bob_file(flask_bob).read_text()


def test_dry_run_predicts_the_applied_refusal(bob_applied: Path, capsys: Cap) -> None:
    url = f"sqlite:///{bob_applied / 'bob.db'}"
    code, out, _err = run(capsys, "--rebase", "--dry-run", "--database-url", url)
    assert code == 1
    assert f"{BOB_REV} is applied to the database" in out
    assert "advice for " in out and "  run: ahq-history merge-heads\n" in out


@pytest.fixture
def bob_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The two-developer story, with Bob's revision applied to bob.db by Alembic itself."""
    from alembic import command

    clone = story(tmp_path)
    config = config_for(clone)
    config.set_main_option("sqlalchemy.url", f"sqlite:///{clone / 'bob.db'}")  # type: ignore[attr-defined]
    command.upgrade(config, BOB_REV)  # type: ignore[arg-type]
    monkeypatch.chdir(clone)
    return clone


# -- a pull or a rebase that stopped half-way -----------------------------------------------------


def _both_write_readme(tmp_path: Path, *, remote: bool = True, rebase: bool = False) -> Path:
    """Alice pushes her revision and a README; Bob commits his revision and another README, then pulls:
    git stops on the README (not a version file). Without `remote`, Bob pulls from the origin's path, so
    no remote-tracking branch says what is published."""
    alice, bob = team(tmp_path)
    new_revision(alice, "add phones", ALICE_REV, table="phones")
    (alice / "README").write_text("Alice\n")
    commit_all(alice, "phones", ALICE)
    git(alice, "push", "-q", "origin", "main")
    new_revision(bob, "add audit log", BOB_REV, table="audit_log")
    (bob / "README").write_text("Bob\n")
    commit_all(bob, "audit log", BOB)
    source = "origin"
    if not remote:
        git(bob, "remote", "remove", "origin")
        source = str(tmp_path / "origin.git")
    pulled = subprocess.run(["git", "pull", "-q", "--rebase" if rebase else "--no-rebase", "--no-edit",
                             source, "main"], cwd=bob, capture_output=True, text=True)
    assert pulled.returncode != 0, pulled.stdout  # stopped on the README
    return bob


def test_interrupted_pull_rebase_refuses_to_touch_the_incoming_revision(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    bob = _both_write_readme(tmp_path)
    monkeypatch.chdir(bob)
    before = alice_file(bob).read_bytes()
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check", ALICE_REV)
    assert code == 1
    assert f"  - {ALICE_REV} is published" in out
    assert "note: a git merge is in progress: the revisions it brings in count as published" in out
    assert alice_file(bob).read_bytes() == before


def test_interrupted_pull_without_remote_tracking_branches_counts_merge_head_as_published(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    bob = _both_write_readme(tmp_path, remote=False)
    monkeypatch.chdir(bob)
    before = snapshot(bob)
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check", ALICE_REV)
    assert code == 1
    assert f"  - {ALICE_REV} is published" in out
    assert snapshot(bob) == before


def test_interrupted_pull_re_parents_only_bobs_own_revision(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    bob = _both_write_readme(tmp_path)
    monkeypatch.chdir(bob)
    before = alice_file(bob).read_bytes()
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check")
    assert code == 0, out
    assert alice_file(bob).read_bytes() == before
    assert f"down_revision: Union[str, Sequence[str], None] = '{ALICE_REV}'" in bob_file(bob).read_text()


def test_rebase_in_progress_counts_the_onto_commit_as_published(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    bob = _both_write_readme(tmp_path, remote=False, rebase=True)  # only rebase-merge/onto names Alice's
    monkeypatch.chdir(bob)
    before = snapshot(bob)
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check", ALICE_REV)
    assert code == 1
    assert f"  - {ALICE_REV} is published" in out
    assert "note: a git rebase is in progress" in out
    assert snapshot(bob) == before


def test_a_version_file_still_in_conflict_stops_merge_heads(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    alice, bob = team(tmp_path)
    (base,) = (alice / "migrations" / "versions").glob(f"{BASE}_*.py")
    base.write_text(base.read_text().replace("'users'", "'members'"))
    commit_all(alice, "rename users", ALICE)
    git(alice, "push", "-q", "origin", "main")
    (bob / base.relative_to(alice)).unlink()
    commit_all(bob, "drop the base revision", BOB)
    pulled = subprocess.run(["git", "pull", "-q", "--no-edit", "origin", "main"], cwd=bob,
                            capture_output=True)
    assert pulled.returncode != 0  # modify/delete: the file is back, without markers, but unmerged
    monkeypatch.chdir(bob)
    before = snapshot(bob)
    code, _out, err = run(capsys, "--yes")
    assert code == 1
    assert err.startswith(f"ahq-history: a git merge is in progress and these version files are still in "
                          f"conflict: migrations/versions/{base.name}; nothing was written")
    assert snapshot(bob) == before


# -- what a write says --------------------------------------------------------------------------------


def test_the_default_message_names_each_side_and_who_added_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    monkeypatch.chdir(story(tmp_path))
    code, out, _err = run(capsys, "--dry-run")
    assert code == 0
    assert '"""merge add phones (Alice Archer) and add audit log (Bob Builder)\n' in out


def test_after_a_merge_it_says_to_add_the_new_file_then_upgrade(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    clone = story(tmp_path)
    monkeypatch.chdir(clone)
    code, out, _err = run(capsys, "--yes", "--rev-id", "c0ffee000001", "-m", "join")
    assert code == 0
    assert out.splitlines()[-3:] == [
        "The new merge revision file is not committed yet: add it to git, then upgrade the database.",
        "Next: git add migrations/versions/c0ffee000001_join.py && alembic upgrade head",
        "Verify: ahq-history verify  (upgrade, downgrade and upgrade again on a scratch database)"]


def test_after_a_merge_on_a_server_database_verify_names_a_scratch_server(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    clone = story(tmp_path)
    monkeypatch.chdir(clone)
    monkeypatch.setenv("DATABASE_URL", "postgresql://app@127.0.0.1:1/app")  # named, never connected to
    code, out, err = run(capsys, "--yes", "--rev-id", "c0ffee000001", "-m", "join")
    assert code == 0, out + err
    assert out.splitlines()[-1] == ("Verify: ahq-history verify --scratch-server URL  (upgrade, downgrade "
                                    "and upgrade again on a scratch database)")


def test_after_a_rebase_it_names_the_files_to_commit_and_that_only_this_work_tree_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Cap) -> None:
    clone = story(tmp_path)
    monkeypatch.chdir(clone)
    path = bob_file(clone).relative_to(clone).as_posix()
    code, out, _err = run(capsys, "--rebase", "--yes", "--no-db-check")
    assert code == 0
    assert out.splitlines()[-2:] == [
        f"The migration branch was rewritten only in this work tree: 1 file changed ({path}), nothing was "
        "committed or pushed; commit it, then upgrade the database.",
        f"Next: git add {path} && git commit -m 'Re-parent migrations onto {ALICE_REV}' && "
        "alembic upgrade head"]
    assert git(clone, "status", "--porcelain").strip() == f"M {path}"
