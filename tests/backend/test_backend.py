"""The AutomateHQ backend: configuration, the application factory, the models and the JSON API."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.app import create_app
from backend.app.config import DEFAULT_DATABASE_URL, database_url
from backend.app.extensions import db
from backend.app.models import Membership, User, Workflow, WorkflowRun, WorkflowRunStep, Workspace

ROOT = Path(__file__).resolve().parents[2]


def test_default_database_is_the_sqlite_file_under_instance() -> None:
    assert database_url({}) == f"sqlite:///{ROOT / 'instance' / 'automatehq.db'}"


def test_tool_setting_in_pyproject_names_the_same_file_as_the_app() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ahq-history"]
    relative = settings["database-url"].removeprefix("sqlite:///")
    assert f"sqlite:///{ROOT / relative}" == DEFAULT_DATABASE_URL


def test_database_url_from_the_environment_wins() -> None:
    assert database_url({"DATABASE_URL": "sqlite:////srv/automatehq.db"}) == "sqlite:////srv/automatehq.db"


def test_blank_database_url_means_the_default() -> None:
    assert database_url({"DATABASE_URL": "  "}) == DEFAULT_DATABASE_URL


@pytest.mark.parametrize(
    ("given", "used"),
    [
        ("postgres://u@db/app", "postgresql+psycopg2://u@db/app"),
        ("postgresql://u@db/app", "postgresql+psycopg2://u@db/app"),
        ("mysql://u@db/app", "mysql+pymysql://u@db/app"),
        ("mariadb://u@db/app", "mariadb+pymysql://u@db/app"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
    ],
)
def test_url_without_a_driver_gets_the_driver_the_backend_extra_installs(given: str, used: str) -> None:
    assert database_url({"DATABASE_URL": given}) == used


def test_create_app_reads_database_url_when_called(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    assert create_app().config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'env.db'}"


def test_create_app_config_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlite:////nowhere/env.db")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert (app.config["SQLALCHEMY_DATABASE_URI"], app.testing) == ("sqlite://", True)


def test_migrations_folder_is_absolute_so_flask_finds_it_from_any_folder() -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.extensions["migrate"].directory == str(ROOT / "migrations")


def test_models_define_the_seven_tables_with_users_phone() -> None:
    assert set(db.metadata.tables) == {
        "users",
        "workspaces",
        "workspace_members",
        "workflows",
        "workflow_runs",
        "workflow_run_steps",
        "audit_log",
    }
    assert db.metadata.tables["users"].c.phone.nullable


def test_constraints_are_named_by_the_convention() -> None:
    steps = db.metadata.tables["workflow_run_steps"]
    assert {constraint.name for constraint in steps.constraints} == {
        "pk_workflow_run_steps",
        "uq_workflow_run_steps_run_id_position",
        "fk_workflow_run_steps_run_id_workflow_runs",
    }


@pytest.fixture
def app() -> Iterator[Flask]:
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    with app.app_context():
        db.create_all()
        yield app
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def add_workflow(name: str, workspace: Workspace, owner: User) -> Workflow:
    workflow = Workflow(
        name=name, workspace=workspace, created_by=owner, definition={"steps": ["fetch", "notify"]}
    )
    db.session.add(workflow)
    db.session.commit()
    return workflow


@pytest.fixture
def people(app: Flask) -> tuple[User, Workspace, Workspace]:
    maya = User(email="maya@automatehq.example", display_name="Maya Chen", phone="+44 20 7946 0000")
    ops = Workspace(name="Operations", slug="ops")
    sales = Workspace(name="Sales", slug="sales")
    db.session.add_all([maya, ops, sales])
    db.session.commit()
    return maya, ops, sales


def test_health_says_ok_when_the_database_answers(client: FlaskClient) -> None:
    response = client.get("/health")
    assert (response.status_code, response.json) == (200, {"status": "ok", "database": "ok"})


def test_health_says_503_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'x.db'}"})
    response = app.test_client().get("/health")
    assert response.status_code == 503
    assert response.json is not None and response.json["status"] == "error"


def test_workflows_lists_every_workflow_by_id(
    client: FlaskClient, people: tuple[User, Workspace, Workspace]
) -> None:
    maya, ops, sales = people
    add_workflow("Nightly export", ops, maya)
    add_workflow("Lead follow-up", sales, maya)
    response = client.get("/workflows")
    assert response.status_code == 200
    assert response.json is not None
    assert [(w["name"], w["workspace_id"]) for w in response.json["workflows"]] == [
        ("Nightly export", ops.id),
        ("Lead follow-up", sales.id),
    ]
    first = response.json["workflows"][0]
    assert (first["trigger"], first["is_active"], first["definition"]) == (
        "manual",
        True,
        {"steps": ["fetch", "notify"]},
    )


def test_workflows_filters_by_workspace(
    client: FlaskClient, people: tuple[User, Workspace, Workspace]
) -> None:
    maya, ops, sales = people
    add_workflow("Nightly export", ops, maya)
    add_workflow("Lead follow-up", sales, maya)
    response = client.get(f"/workflows?workspace_id={sales.id}")
    assert response.json is not None
    assert [w["name"] for w in response.json["workflows"]] == ["Lead follow-up"]


def test_one_workflow_comes_with_its_recent_runs_newest_first(
    client: FlaskClient, people: tuple[User, Workspace, Workspace]
) -> None:
    maya, ops, _ = people
    workflow = add_workflow("Nightly export", ops, maya)
    older = WorkflowRun(
        workflow=workflow, status="failed", started_at=datetime(2024, 6, 1, tzinfo=UTC), error="timeout"
    )
    newer = WorkflowRun(workflow=workflow, status="succeeded", started_at=datetime(2024, 6, 2, tzinfo=UTC))
    newer.steps = [WorkflowRunStep(position=1, name="fetch"), WorkflowRunStep(position=2, name="notify")]
    db.session.add_all([older, newer])
    db.session.commit()
    response = client.get(f"/workflows/{workflow.id}")
    assert response.status_code == 200
    assert response.json is not None
    assert response.json["name"] == "Nightly export"
    assert [(run["status"], run["error"]) for run in response.json["recent_runs"]] == [
        ("succeeded", None),
        ("failed", "timeout"),
    ]


def test_unknown_workflow_is_a_json_404(client: FlaskClient) -> None:
    response = client.get("/workflows/4242")
    assert response.status_code == 404
    assert response.json == {"error": "Not Found", "description": "workflow 4242 not found"}


def test_deleting_a_workspace_deletes_its_workflows_and_memberships(
    people: tuple[User, Workspace, Workspace],
) -> None:
    maya, ops, _ = people
    add_workflow("Nightly export", ops, maya)
    ops.members.append(Membership(user=maya, role="owner"))
    db.session.commit()
    db.session.delete(ops)
    db.session.commit()
    assert db.session.query(Workflow).count() == 0
    assert maya.memberships == []
