"""`flask ahq ...` (ahq_history/flaskcli.py) in real Flask apps made by `flask db init`, through the
installed `flask.commands` entry point, against databases Flask-Migrate upgraded."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from tests.support.clirun import read_until
from tests.support.flaskapp import flask, flask_multidb, flask_team, run_flask
from tests.support.hookgit import ROOT, cli

BACKEND_HEAD = "707645e9a405"


@pytest.fixture(scope="module")
def multidb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return flask_multidb(tmp_path_factory.mktemp("multidb") / "app")


def test_status_reads_the_database_the_app_configures(tmp_path: Path) -> None:
    """The URL is only in the app (`sqlite:///app.db`, under the instance folder): the tool alone cannot
    name it, `flask ahq status` reads it."""
    alice, _bob = flask_team(tmp_path)
    flask(alice, "db", "upgrade")
    alone = cli(alice, "status")
    assert alone.returncode == 2, alone.stdout + alone.stderr
    done = run_flask(alice, "ahq", "status")
    assert done.returncode == 0, done.stderr
    assert (f"database  sqlite:///{alice}/instance/app.db  (from the Flask app's SQLALCHEMY_DATABASE_URI)\n"
            in done.stdout)
    assert "at        f0000000base\n" in done.stdout
    assert "state     at head: nothing to apply" in done.stdout


def test_status_reports_each_bind_of_the_multidb_template(multidb: Path) -> None:
    done = run_flask(multidb, "ahq", "status")
    assert done.returncode == 1, done.stderr  # the audit bind is behind
    default, audit = done.stdout.split("\nbind audit:\n")
    assert default.startswith("bind (default):\n")
    assert f"sqlite:///{multidb}/instance/main.db" in default
    assert "at        m00000second\n" in default
    assert "state     at head: nothing to apply" in default
    assert f"sqlite:///{multidb}/instance/audit.db" in audit
    assert "at        m0000000base\n" in audit
    assert "(from the Flask app's SQLALCHEMY_BINDS['audit'])" in audit
    assert "state     behind: 1 revision to apply" in audit


def test_status_json_holds_one_object_per_bind(multidb: Path) -> None:
    done = run_flask(multidb, "ahq", "status", "--json")
    payload = json.loads(done.stdout)
    assert done.returncode == payload["exit_code"] == 1
    assert payload["schema_version"] == 1
    assert {bind: report["state"] for bind, report in payload["binds"].items()} == {
        "": "at-heads", "audit": "behind"}


def test_migrations_directory_comes_from_the_app(multidb: Path) -> None:
    """`Migrate(directory="db_migrations")`: found through the app; alone, the tool finds no project."""
    assert cli(multidb, "history").returncode == 2
    done = run_flask(multidb, "ahq", "history", "--no-git")
    assert done.returncode == 0, done.stderr
    assert "m00000second" in done.stdout and "m0000000base" in done.stdout


def test_tui_marks_what_the_apps_database_applied(tmp_path: Path) -> None:
    """On a real terminal (a pty, 200 columns so the status line fits): the TUI reads the app's database,
    which the tool alone cannot name (it would show no database note)."""
    alice, _bob = flask_team(tmp_path)
    flask(alice, "db", "upgrade")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 200, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    proc = subprocess.Popen([sys.executable, "-m", "flask", "ahq", "tui", "--no-git", "--no-watch"],
                            cwd=alice, stdin=follower, stdout=follower, stderr=follower,
                            env={**env, "FLASK_APP": "app.py", "TERM": "xterm"})
    os.close(follower)
    shown = read_until(leader, b"database: 1 row(s)")
    os.write(leader, b"q")
    assert proc.wait(timeout=30) == 0
    os.close(leader)
    assert b"database: 1 row(s), \xe2\x9c\x93 = applied" in shown


def test_words_given_win_over_the_app(multidb: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    done = run_flask(multidb, "ahq", "status", "--database-url", f"sqlite:///{other}")
    assert done.returncode == 1, done.stderr
    assert "bind" not in done.stdout
    assert f"sqlite:///{other}" in done.stdout and "nothing applied" in done.stdout
    assert "(from --database-url)" in done.stdout


def test_help_is_the_tools_own(multidb: Path) -> None:
    done = run_flask(multidb, "ahq", "status", "--help")
    assert done.returncode == 0, done.stderr
    assert "usage: ahq-history status" in done.stdout and "--database-url URL" in done.stdout


def test_backend_status_reads_the_apps_database(tmp_path: Path) -> None:
    """The guide's `flask --app backend.run ...` from the repository root; alembic.ini names no URL."""
    assert "sqlalchemy.url" not in (ROOT / "migrations" / "alembic.ini").read_text()
    url = f"sqlite:///{tmp_path / 'backend.db'}"
    env = {"DATABASE_URL": url, "FLASK_APP": "backend.run"}
    upgraded = run_flask(ROOT, "--app", "backend.run", "db", "upgrade", env=env)
    assert upgraded.returncode == 0, upgraded.stderr
    done = run_flask(ROOT, "--app", "backend.run", "ahq", "status", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"database  {url}  (from the Flask app's SQLALCHEMY_DATABASE_URI)" in done.stdout
    assert f"at        {BACKEND_HEAD}\n" in done.stdout


def test_the_plugin_loads_with_click_alone() -> None:
    """Flask imports the plugin for every `flask` command: it must not load the tool, Flask or SQLAlchemy."""
    code = ("import sys, ahq_history.flaskcli; print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'alembic', 'git', 'networkx') or m.startswith('ahq_history.cli')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_the_standalone_command_works_without_flask(multidb: Path) -> None:
    """Flask is an optional extra: `ahq-history` with flask impossible to import."""
    ini = multidb / "db_migrations" / "alembic.ini"
    code = ("import sys; sys.modules['flask'] = None; from ahq_history.cli.main import main; "
            f"sys.exit(main(['-c', {str(ini)!r}, 'check']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=multidb)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 head" in done.stdout or "m00000second" in done.stdout
