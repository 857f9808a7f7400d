"""Where Alembic itself runs the project's code before it writes a merge (`revision_environment = true`:
env.py; Flask-Migrate's multi-database template: the running application), `merge-heads` refuses with exit 1
and names the command that does run it; nothing is written and nothing of the project runs."""

from __future__ import annotations

import json
import shlex
from pathlib import Path

import pytest

from tests.support.clirun import run_main
from tests.support.flaskapp import FLASK_APP, flask
from tests.support.mergeproject import forked, set_option, snapshot

ENV_SENTINEL = "open({path!r}, 'w').write('env.py ran')\n"


def merge_heads_json(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, dict]:  # type: ignore[type-arg]
    code, out, _err = run_main(capsys, "-c", str(config), "merge-heads", "--json", *args)
    return code, json.loads(out)


@pytest.fixture
def env_first(tmp_path: Path) -> Path:
    """An Alembic project with two heads, `revision_environment = true`, and an env.py that leaves a
    sentinel file when it runs."""
    root = forked(tmp_path / "proj")
    set_option(root, "revision_environment = true")
    env = root / "migrations" / "env.py"
    env.write_text(ENV_SENTINEL.format(path=str(tmp_path / "sentinel")) + env.read_text())
    return root


@pytest.fixture
def multidb(tmp_path: Path) -> Path:
    """`flask db init --multidb` and two revisions on one base, made by `flask db revision`."""
    root = tmp_path / "app"
    root.mkdir()
    (root / "app.py").write_text(FLASK_APP)
    flask(root, "db", "init", "--multidb")
    flask(root, "db", "revision", "-m", "create users", "--rev-id", "f0000000base")
    flask(root, "db", "revision", "-m", "add phones", "--rev-id", "f00000000one")
    flask(root, "db", "revision", "-m", "add audit", "--rev-id", "f00000000two", "--head", "f0000000base",
          "--splice")
    return root


@pytest.mark.parametrize("mode", ["--yes", "--dry-run"])
def test_revision_environment_is_refused_without_running_env_py(
        env_first: Path, capsys: pytest.CaptureFixture[str], mode: str) -> None:
    before = snapshot(env_first)
    code, answer = merge_heads_json(capsys, env_first / "alembic.ini", mode)
    assert code == 1
    assert answer["error"] == {
        "kind": "RefusedError", "exit_code": 1,
        "message": "alembic.ini sets revision_environment = true: Alembic runs env.py (which may import the "
                   "application and add values to the template) before it writes a revision, and ahq-history "
                   "never runs it; nothing was written",
        "hint": "write the merge with `alembic merge -m 'merge add phones and add audit log' a000000alice "
                "b00000000bob`, which runs env.py"}
    assert snapshot(env_first) == before
    assert not (env_first.parent / "sentinel").exists()


@pytest.mark.parametrize("mode", ["--yes", "--dry-run"])
def test_flask_migrate_multidb_template_is_refused_without_importing_the_app(
        multidb: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, mode: str,
) -> None:
    (multidb / "app.py").write_text(f"open({str(multidb.parent / 'sentinel')!r}, 'w')\n" + FLASK_APP)
    monkeypatch.chdir(multidb)
    before = snapshot(multidb)
    code, answer = merge_heads_json(capsys, multidb / "migrations" / "alembic.ini", mode)
    assert code == 1
    assert answer["error"]["message"] == (
        "migrations/script.py.mako asks the running Flask application for its databases (current_app, as "
        "Flask-Migrate's multi-database template does), and ahq-history never imports the application; "
        "nothing was written")
    assert answer["error"]["hint"] == ("write the merge inside the application: `flask db merge -m "
                                       "'merge add phones and add audit' f00000000one f00000000two`")
    assert snapshot(multidb) == before
    assert not (multidb.parent / "sentinel").exists()


def test_the_command_named_by_the_multidb_refusal_writes_the_merge(
        multidb: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _code, answer = merge_heads_json(capsys, multidb / "migrations" / "alembic.ini", "--yes")
    command = shlex.split(answer["error"]["hint"].split("`")[1])
    assert command[:3] == ["flask", "db", "merge"]
    flask(multidb, *command[1:])
    assert "(head)" in flask(multidb, "db", "heads")
    assert len(flask(multidb, "db", "heads").splitlines()) == 1
