"""`python -m backend.verify_schema`: at head and matching the models (0), drifted (1), unreachable (2)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from backend import verify_schema
from backend.app.config import database_url

ROOT = Path(__file__).resolve().parents[2]
HEAD = "707645e9a405"
BEFORE_HEAD = "6f9911b9c19a"


def run(*args: str, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, env=env, capture_output=True, text=True)


def upgrade(url: str, target: str = "head") -> None:
    done = run("flask", "--app", "backend.run", "db", "upgrade", target, url=url)
    assert done.returncode == 0, done.stdout + done.stderr


def execute(url: str, *statements: str) -> None:
    engine = sa.create_engine(database_url({"DATABASE_URL": url}))
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file upgraded to head by the real command; each test gets a copy."""
    path = tmp_path_factory.mktemp("template") / "head.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_at_head(migrated_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "automatehq.db"
    shutil.copy(migrated_template, path)
    return f"sqlite:///{path}"


def verify(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """Run the command's `main()` in this process against `url`: exit code, stdout, stderr."""
    monkeypatch.setenv("DATABASE_URL", url)
    code = verify_schema.main([])
    out, err = capsys.readouterr()
    return code, out, err


def test_database_at_head_matching_the_models_exits_0(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = verify(sqlite_at_head, monkeypatch, capsys)
    path = sqlite_at_head.removeprefix("sqlite:///")
    assert (code, err) == (0, "")
    assert out == (
        f"Database: sqlite:///{path}\nRevision: {HEAD} (head)\nSchema matches the models (7 tables).\n"
    )


def test_extra_table_and_missing_column_exit_1_naming_them(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(
        sqlite_at_head,
        "CREATE TABLE legacy_exports (id INTEGER PRIMARY KEY)",
        "ALTER TABLE users DROP COLUMN phone",
    )
    code, out, _ = verify(sqlite_at_head, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[1:] == [
        f"Revision: {HEAD} (head)",
        "The database differs from the models (2 differences):",
        "  table legacy_exports: in the database, not in the models",
        "  table users:",
        "    column phone: in the models, missing from the database",
    ]


def test_missing_table_is_named(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(sqlite_at_head, "DROP TABLE workflow_run_steps")
    code, out, _ = verify(sqlite_at_head, monkeypatch, capsys)
    assert code == 1
    assert "  table workflow_run_steps: in the models, missing from the database" in out.splitlines()


def test_missing_table_with_indexes_counts_what_it_lists(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # workflow_run_steps has indexes: autogenerate reports them apart from the table itself.
    execute(sqlite_at_head, "DROP TABLE workflow_run_steps", "ALTER TABLE users DROP COLUMN phone")
    code, out, _ = verify(sqlite_at_head, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[2:] == [
        "The database differs from the models (2 differences):",
        "  table users:",
        "    column phone: in the models, missing from the database",
        "  table workflow_run_steps: in the models, missing from the database",
    ]


def test_extra_column_and_index_are_named_under_their_table(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(
        sqlite_at_head,
        "ALTER TABLE workflows ADD COLUMN color VARCHAR(7)",
        "CREATE INDEX ix_workflows_name ON workflows (name)",
    )
    code, out, _ = verify(sqlite_at_head, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[-3:] == [
        "  table workflows:",
        "    column color: in the database, not in the models",
        "    index ix_workflows_name (name): in the database, not in the models",
    ]


def test_database_behind_the_head_exits_1_with_the_upgrade_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    upgrade(url, BEFORE_HEAD)
    code, out, _ = verify(url, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[1] == (
        f"Revision: {BEFORE_HEAD}; the head is {HEAD}, 1 revision to apply. "
        "Run: flask --app backend.run db upgrade"
    )
    assert "    index ix_workflow_runs_status (status): in the models, missing from the database" in out


def test_database_holding_both_sides_of_the_fork_counts_what_is_left_to_apply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'fork.db'}"
    upgrade(url, "0e707616aa9c")  # add audit_log
    upgrade(url, "7ef425cfe1c7")  # add workflow_run_steps: alembic_version now has two rows
    code, out, _ = verify(url, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[1] == (
        f"Revision: 0e707616aa9c, 7ef425cfe1c7; the head is {HEAD}, 3 revisions to apply. "
        "Run: flask --app backend.run db upgrade"
    )


def test_database_at_a_revision_no_file_defines_exits_1(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    execute(sqlite_at_head, "UPDATE alembic_version SET version_num = 'c0ffee15bad1'")
    code, out, _ = verify(sqlite_at_head, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[1] == (
        "Revision: c0ffee15bad1; no file in migrations/versions defines c0ffee15bad1 (applied from another "
        f"branch?); the head is {HEAD}. `ahq-history status` tells where it lives."
    )


def test_missing_sqlite_file_exits_2_and_is_not_created(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "absent.db"
    code, out, err = verify(f"sqlite:///{path}", monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err == (
        f"verify_schema: SQLite file {path} does not exist; `flask --app backend.run db upgrade` creates it\n"
    )
    assert not path.exists()


def test_sqlite_file_is_opened_read_only(
    sqlite_at_head: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = Path(sqlite_at_head.removeprefix("sqlite:///"))
    before = path.read_bytes()
    assert verify(sqlite_at_head, monkeypatch, capsys)[0] == 0
    assert path.read_bytes() == before


def test_unreachable_server_exits_2_with_one_line_and_no_password() -> None:
    done = run("backend.verify_schema", url="postgresql://alice:s3cret@127.0.0.1:1/automatehq")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(
        "verify_schema: cannot connect to postgresql+psycopg2://alice:***@127.0.0.1:1/automatehq: "
    )
    assert "s3cret" not in done.stderr and "Traceback" not in done.stderr


def test_text_that_is_no_url_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = verify("not a url", monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err == "verify_schema: DATABASE_URL is not a database URL (dialect://user@host/db)\n"


def test_arguments_are_refused_with_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert verify_schema.main(["--fix"]) == 2
    assert "usage: python -m backend.verify_schema" in capsys.readouterr().err


@pytest.mark.postgresql
def test_drift_on_postgresql_names_table_column_type_and_nullability(
    postgresql_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(postgresql_url)
    execute(
        postgresql_url,
        "CREATE TABLE legacy_exports (id serial PRIMARY KEY)",
        "ALTER TABLE users DROP COLUMN phone",
        "ALTER TABLE workflows ALTER COLUMN name TYPE varchar(200)",
        "ALTER TABLE workflow_runs ALTER COLUMN started_at SET NOT NULL",
    )
    code, out, _ = verify(postgresql_url, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[2:] == [
        "The database differs from the models (4 differences):",
        "  table legacy_exports: in the database, not in the models",
        "  table users:",
        "    column phone: in the models, missing from the database",
        "  table workflow_runs:",
        "    column started_at: NOT NULL in the database, nullable in the models",
        "  table workflows:",
        "    column name: type is VARCHAR(200) in the database, VARCHAR(120) in the models",
    ]


@pytest.mark.mariadb
def test_drift_on_mariadb_names_the_table_and_column(
    mariadb_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    upgrade(mariadb_url)
    monkeypatch.setenv("DATABASE_URL", mariadb_url)
    assert verify_schema.main([]) == 0, capsys.readouterr()
    capsys.readouterr()
    execute(
        mariadb_url,
        "CREATE TABLE legacy_exports (id INTEGER PRIMARY KEY)",
        "ALTER TABLE users DROP COLUMN phone",
    )
    code, out, _ = verify(mariadb_url, monkeypatch, capsys)
    assert code == 1
    assert out.splitlines()[3:] == [
        "  table legacy_exports: in the database, not in the models",
        "  table users:",
        "    column phone: in the models, missing from the database",
    ]
