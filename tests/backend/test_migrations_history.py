"""The AutomateHQ migration history: its shape, its review points, and real round trips on each database."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERSIONS = ROOT / "migrations" / "versions"

# The fork and its merge, as the story tells it (docs/MIGRATIONS.md refers to them).
FORK_PARENT = "36b80897619d"  # add workflow runs
FORK_SIDES = ("0e707616aa9c", "7ef425cfe1c7")  # add audit_log, add workflow_run_steps
MERGE = "9b083da5e8e9"


@dataclass(frozen=True)
class RevisionFile:
    path: Path
    revision: str
    parents: tuple[str, ...]
    docstring: str
    upgrade_body: list[ast.stmt]
    downgrade_body: list[ast.stmt]

    def header(self, name: str) -> str:
        match = re.search(rf"^{name}: ?(.*)$", self.docstring, re.M)
        assert match, f"{self.path.name}: no {name!r} line in the docstring"
        return match.group(1).strip()


def _read(path: Path) -> RevisionFile:
    tree = ast.parse(path.read_text(), str(path))
    values: dict[str, object] = {}
    functions: dict[str, list[ast.stmt]] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            values[node.targets[0].id] = ast.literal_eval(node.value)
        elif isinstance(node, ast.FunctionDef):
            functions[node.name] = node.body
    down = values["down_revision"]
    parents = () if down is None else (down,) if isinstance(down, str) else tuple(down)  # type: ignore[arg-type]
    return RevisionFile(
        path,
        str(values["revision"]),
        parents,
        ast.get_docstring(tree) or "",
        functions["upgrade"],
        functions["downgrade"],
    )


def revisions() -> dict[str, RevisionFile]:
    found = [_read(path) for path in sorted(VERSIONS.glob("*.py"))]
    return {rev.revision: rev for rev in found}


def _does_something(body: list[ast.stmt]) -> bool:
    """A function body with more than `pass`, a docstring or an ellipsis."""

    def trivial(stmt: ast.stmt) -> bool:
        return isinstance(stmt, ast.Pass) or (
            isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
        )

    return not all(trivial(stmt) for stmt in body)


def test_history_has_exactly_one_head() -> None:
    revs = revisions()
    parents = {parent for rev in revs.values() for parent in rev.parents}
    assert [rev for rev in revs if rev not in parents] == ["707645e9a405"]


def test_history_has_one_base() -> None:
    assert [rev.revision for rev in revisions().values() if not rev.parents] == ["1d80fe00f862"]


def test_every_parent_is_a_revision_of_the_history() -> None:
    revs = revisions()
    assert {parent for rev in revs.values() for parent in rev.parents} <= set(revs)


def test_one_merge_joins_two_revisions_made_on_the_same_parent() -> None:
    revs = revisions()
    merges = [rev for rev in revs.values() if len(rev.parents) > 1]
    assert [(merge.revision, merge.parents) for merge in merges] == [(MERGE, FORK_SIDES)]
    assert {revs[side].parents for side in FORK_SIDES} == {(FORK_PARENT,)}


def test_every_upgrade_that_changes_something_has_a_real_downgrade() -> None:
    for rev in revisions().values():
        if _does_something(rev.upgrade_body):
            assert _does_something(rev.downgrade_body), f"{rev.path.name}: downgrade() does nothing"


def test_merge_revision_changes_no_schema() -> None:
    merge = revisions()[MERGE]
    assert not _does_something(merge.upgrade_body) and not _does_something(merge.downgrade_body)


def test_every_revision_except_the_merge_changes_the_schema() -> None:
    idle = [rev.revision for rev in revisions().values() if not _does_something(rev.upgrade_body)]
    assert idle == [MERGE]


def test_revision_ids_are_twelve_hex_digits_and_name_their_files() -> None:
    for rev in revisions().values():
        assert re.fullmatch(r"[0-9a-f]{12}", rev.revision), rev.path.name
        assert rev.path.name.startswith(f"{rev.revision}_"), rev.path.name


def test_docstring_headers_agree_with_the_assignments() -> None:
    for rev in revisions().values():
        assert rev.header("Revision ID") == rev.revision
        assert rev.header("Revises") == ", ".join(rev.parents)


def test_each_revision_was_created_after_its_parents() -> None:
    revs = revisions()

    def created(rev: RevisionFile) -> datetime:
        return datetime.fromisoformat(rev.header("Create Date"))

    for rev in revs.values():
        for parent in rev.parents:
            assert created(revs[parent]) < created(rev), rev.path.name


def test_no_autogenerate_boilerplate_comments_are_left() -> None:
    for rev in revisions().values():
        assert "please adjust" not in rev.path.read_text(), rev.path.name


def test_alembic_agrees_on_heads_bases_and_the_merge() -> None:
    from backend.verify_schema import script_directory

    script = script_directory(ROOT / "migrations")
    assert script.get_heads() == ["707645e9a405"]
    assert script.get_bases() == ["1d80fe00f862"]
    merge = script.get_revision(MERGE)
    assert merge is not None and merge.is_merge_point
    parent = script.get_revision(FORK_PARENT)
    assert parent is not None and parent.is_branch_point


# Real commands, run as the team's guide writes them, against real databases.


def run(*args: str, url: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`python -m ARGS` with DATABASE_URL set, in `cwd` (a repository root)."""
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", *args], cwd=cwd, env=env, capture_output=True, text=True)


def flask(*args: str, url: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """`flask --app backend.run ARGS`, as the guide writes it."""
    done = run("flask", "--app", "backend.run", *args, url=url, cwd=cwd)
    assert done.returncode == 0, f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done


def tables(url: str) -> set[str]:
    import sqlalchemy as sa

    from backend.app.config import database_url

    engine = sa.create_engine(database_url({"DATABASE_URL": url}))
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


MODEL_TABLES = {
    "users",
    "workspaces",
    "workspace_members",
    "workflows",
    "workflow_runs",
    "workflow_run_steps",
    "audit_log",
}


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgresql", marks=pytest.mark.postgresql),
        pytest.param("mariadb", marks=pytest.mark.mariadb),
    ]
)
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'automatehq.db'}"
    return str(request.getfixturevalue(f"{request.param}_url"))


def test_round_trip_upgrade_verify_downgrade_base_upgrade(any_database_url: str) -> None:
    url = any_database_url
    flask("db", "upgrade", url=url)
    assert tables(url) == MODEL_TABLES | {"alembic_version"}
    verified = run("backend.verify_schema", url=url)
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "Revision: 707645e9a405 (head)\nSchema matches the models (7 tables)." in verified.stdout

    flask("db", "downgrade", "base", url=url)
    assert tables(url) == {"alembic_version"}

    flask("db", "upgrade", url=url)
    assert "707645e9a405 (head)" in flask("db", "current", url=url).stdout
    assert run("backend.verify_schema", url=url).returncode == 0


def test_each_side_of_the_fork_upgrades_and_downgrades_on_its_own(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fork.db'}"
    flask("db", "upgrade", FORK_SIDES[1], url=url)  # Jonas's side: steps without the audit log
    assert "workflow_run_steps" in tables(url) and "audit_log" not in tables(url)
    flask("db", "upgrade", "heads", url=url)
    flask("db", "downgrade", FORK_SIDES[1], url=url)
    assert "audit_log" in tables(url) and "workflow_run_steps" in tables(url)


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The backend and its migrations copied to a folder of their own, for commands that may write files."""
    copy = tmp_path / "repo"
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "backend", copy / "backend", ignore=ignore)
    shutil.copytree(ROOT / "migrations", copy / "migrations", ignore=ignore)
    shutil.copy(ROOT / ".flaskenv", copy / ".flaskenv")
    return copy


def test_migrate_on_a_database_at_head_detects_no_change(repo_copy: Path) -> None:
    url = f"sqlite:///{repo_copy / 'head.db'}"
    flask("db", "upgrade", url=url, cwd=repo_copy)
    before = sorted(path.name for path in (repo_copy / "migrations" / "versions").glob("*.py"))
    done = flask("db", "migrate", "-m", "nothing to do", url=url, cwd=repo_copy)
    assert "No changes in schema detected." in done.stderr
    assert sorted(path.name for path in (repo_copy / "migrations" / "versions").glob("*.py")) == before


def test_short_flask_db_upgrade_finds_the_app_through_flaskenv(repo_copy: Path) -> None:
    url = f"sqlite:///{repo_copy / 'short.db'}"
    executable = shutil.which("flask", path=str(Path(sys.executable).parent))
    assert executable, "the flask command is not installed next to this Python"
    env = {k: v for k, v in os.environ.items() if k != "FLASK_APP"} | {"DATABASE_URL": url}
    done = subprocess.run(
        [executable, "db", "upgrade"], cwd=repo_copy, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "707645e9a405 (head)" in flask("db", "current", url=url, cwd=repo_copy).stdout
