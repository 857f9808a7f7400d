"""`ahq-history verify` and `merge-heads --verify`: real histories run by Alembic in a child process on
scratch databases (a temporary SQLite file, or a database created on a real PostgreSQL server)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.mergeproject import create_table, forked, new_revision, set_option

ROOT = Path(__file__).resolve().parents[2]
BACKEND_INI = ROOT / "migrations" / "alembic.ini"
BACKEND_HEADS = 8  # revisions in migrations/versions


def broken_downgrade(root: Path) -> Path:
    """`forked`, merged by nothing, plus a revision whose downgrade drops a table that does not exist."""
    forked(root)
    path = new_revision(root, "add invoices", "e0000broken", head="b00000000bob", table="invoices")
    path.write_text(path.read_text().replace("op.drop_table('invoices')", "op.drop_table('no_such_table')"))
    return path


def test_backend_history_passes_on_sqlite(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "-c", str(BACKEND_INI), "verify")
    assert code == 0, out + err
    assert "scratch: a temporary SQLite file" in out
    assert f"upgrade heads: ok ({BACKEND_HEADS} revisions: 1d80fe00f862," in out
    assert f"downgrade base: ok ({BACKEND_HEADS} revisions: 707645e9a405," in out
    assert out.rstrip().endswith("verified: every revision upgrades, downgrades and upgrades again")


def test_backend_history_passes_on_postgresql(capsys: pytest.CaptureFixture[str], postgresql_url: str
                                              ) -> None:
    import sqlalchemy as sa

    code, out, err = run_main(capsys, "-c", str(BACKEND_INI), "verify", "--scratch-server", postgresql_url)
    assert code == 0, out + err
    assert "verifying on postgresql, as asked" in out  # the backend's own default database is SQLite
    name = out.split("scratch: database ")[1].split()[0]
    assert name.startswith("ahq_verify_")
    engine = sa.create_engine(postgresql_url)
    with engine.connect() as connection:  # the run's database is gone, and only it was dropped
        names = connection.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
    engine.dispose()
    assert name not in names
    assert postgresql_url.rsplit("/", 1)[1] in names


def test_broken_downgrade_exits_1_naming_the_revision(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                      ) -> None:
    path = broken_downgrade(tmp_path / "app")
    code, out, _err = run_main(capsys, "-c", str(tmp_path / "app" / "alembic.ini"), "verify")
    assert code == 1
    assert "upgrade heads: ok (4 revisions" in out
    assert f"downgrade base: FAILED in revision e0000broken (downgrade, {path}) after 1 revision\n" in out
    assert "no such table: no_such_table" in out
    assert "upgrade heads: not run" in out
    assert out.rstrip().endswith("verify failed: revision e0000broken's downgrade() on the scratch database")


def test_github_format_annotates_the_failing_revision_file(tmp_path: Path,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = broken_downgrade(tmp_path / "app")
    line = path.read_text().splitlines().index("def downgrade() -> None:") + 1
    code, out, _err = run_main(capsys, "-c", str(tmp_path / "app" / "alembic.ini"), "verify",
                               "--format", "github")
    assert code == 1
    annotation = [text for text in out.splitlines() if text.startswith("::error ")]
    assert len(annotation) == 1
    assert annotation[0].startswith(f"::error file=migrations/versions/{path.name},line={line},"
                                    "title=ahq-history verify%3A downgrade of e0000broken::")
    assert "no such table: no_such_table" in annotation[0]


def test_json_names_the_failing_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    broken_downgrade(tmp_path / "app")
    code, out, _err = run_main(capsys, "-c", str(tmp_path / "app" / "alembic.ini"), "verify", "--json")
    report = json.loads(out)
    assert code == report["exit_code"] == 1
    assert [(s["command"], s["ok"], s["failed"]) for s in report["steps"]] == [
        ("upgrade heads", True, None), ("downgrade base", False, "e0000broken")]


def test_env_py_that_ignores_the_url_is_refused_and_its_database_untouched(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = forked(tmp_path / "app")
    other = tmp_path / "real.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
        connection.execute("INSERT INTO customers VALUES (1)")
    connection.close()
    before = hashlib.sha256(other.read_bytes()).hexdigest(), other.stat().st_mtime_ns
    env = root / "migrations" / "env.py"
    text = env.read_text()
    assert "engine_from_config(" in text
    env.write_text(text.replace("connectable = engine_from_config(",
                                f"connectable = __import__('sqlalchemy').create_engine('sqlite:///{other}')"
                                " or engine_from_config("))
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "verify")
    assert code == 2
    assert "refused: the connection env.py opened has no ahq_verify_marker table" in err
    assert "nothing was run" in err
    assert "upgrade heads: ok" not in out
    assert (hashlib.sha256(other.read_bytes()).hexdigest(), other.stat().st_mtime_ns) == before


def test_server_project_without_a_scratch_server_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = forked(tmp_path / "app")
    set_option(root, "sqlalchemy.url = postgresql://app:secret@db.example/app")
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "verify")
    assert code == 2
    assert "the project's database is postgresql (postgresql://app:***@db.example/app)" in err
    assert "--scratch-server" in err and "secret" not in out + err


def test_unreachable_scratch_server_is_one_line_without_the_password(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = forked(tmp_path / "app")
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "verify", "--scratch-server",
                              "postgresql://u:hunter2@127.0.0.1:1/postgres")
    assert code == 2
    assert err.startswith("ahq-history: cannot create a scratch database on postgresql")
    assert "hunter2" not in out + err and "Traceback" not in err


def test_merge_heads_verify_proves_the_merge(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = forked(tmp_path / "app")
    code, out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "merge-heads", "--yes", "--verify",
                              "--rev-id", "f00000merged")
    assert code == 0, out + err
    assert "Wrote migrations/versions/f00000merged" in out
    assert "upgrade heads: ok (4 revisions" in out
    assert "verified: every revision upgrades, downgrades and upgrades again" in out


def test_merge_heads_verify_fails_on_a_broken_side(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "app"
    broken_downgrade(root)
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "merge-heads", "--yes", "--verify")
    assert code == 1
    assert "FAILED in revision e0000broken" in out


def test_verify_needs_a_write(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = forked(tmp_path / "app")
    code, _out, err = run_main(capsys, "-c", str(root / "alembic.ini"), "merge-heads", "--dry-run",
                               "--verify")
    assert code == 2
    assert "--verify runs after a write" in err


def test_an_upgrade_that_fails_stops_before_the_downgrade(tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    root = forked(tmp_path / "app")
    path = new_revision(root, "add users again", "e000000dupe", head="a000000alice")
    create_table(path, "users")  # already created by the base: the upgrade fails
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "verify")
    assert code == 1
    assert "upgrade heads: FAILED in revision e000000dupe (upgrade," in out
    assert "table users already exists" in out
    assert "downgrade base: not run" in out


def test_flask_app_that_reads_database_url_is_verified(flask_project: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    app = flask_project / "app.py"
    app.write_text("import os\n" + app.read_text().replace(
        '"sqlite:///app.db"', 'os.environ.get("DATABASE_URL", "sqlite:///app.db")'))
    code, out, err = run_main(capsys, "-c", str(flask_project / "migrations" / "alembic.ini"), "verify")
    assert code == 0, out + err
    assert "upgrade heads: ok (3 revisions: f0000000base," in out
    assert "downgrade base: ok (3 revisions" in out


def test_flask_app_with_its_own_database_is_refused_and_it_untouched(
        flask_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    instance = flask_project / "instance"
    instance.mkdir(exist_ok=True)
    with sqlite3.connect(instance / "app.db") as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
    connection.close()
    before = (instance / "app.db").read_bytes()
    code, _out, err = run_main(capsys, "-c", str(flask_project / "migrations" / "alembic.ini"), "verify")
    assert code == 2
    assert "refused: the connection env.py opened has no ahq_verify_marker table" in err
    assert (instance / "app.db").read_bytes() == before


def test_a_hanging_step_is_killed_with_its_process_group_and_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import os
    import time

    root = tmp_path / "app"
    forked(root)
    pid_file = tmp_path / "sleeper.pid"
    path = new_revision(root, "hangs", "e0000hangs", head="b00000000bob")
    hang = (f"import subprocess, sys, time\n    sleeper = subprocess.Popen([sys.executable, '-c', "
            f"'import time; time.sleep(120)'])\n    open({str(pid_file)!r}, 'w').write(str(sleeper.pid))\n"
            "    time.sleep(120)")
    text = path.read_text()
    up, down = text.split("def downgrade")
    path.write_text(up[: up.rindex("pass")] + hang + up[up.rindex("pass") + 4:] + "def downgrade" + down)
    started = time.monotonic()
    code, out, _err = run_main(capsys, "-c", str(root / "alembic.ini"), "verify", "--step-timeout", "3")
    assert time.monotonic() - started < 60
    assert code == 1
    assert f"upgrade heads: FAILED in revision e0000hangs (upgrade, {path}) after " in out
    assert "timed out after 3 s: the child process was killed (--step-timeout sets the limit)" in out
    assert "downgrade base: not run" in out
    sleeper = int(pid_file.read_text())
    for _ in range(50):  # the grandchild was in the killed group: gone once init has reaped it
        try:
            os.kill(sleeper, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"the migration's own process {sleeper} outlived the timeout")


def test_step_timeout_must_be_a_positive_number(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    forked(tmp_path / "app")
    with pytest.raises(SystemExit) as exited:
        run_main(capsys, "-c", str(tmp_path / "app" / "alembic.ini"), "verify", "--step-timeout", "soon")
    assert exited.value.code == 2
    assert "argument --step-timeout: 'soon' is not a number of seconds above 0" in capsys.readouterr().err
