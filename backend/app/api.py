"""A small JSON API: health and the workflows."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import Blueprint, abort, request
from werkzeug.exceptions import HTTPException

from backend.app.extensions import db
from backend.app.models import Workflow, WorkflowRun

api = Blueprint("api", __name__)

RECENT_RUNS = 20


@api.errorhandler(HTTPException)
def json_error(error: HTTPException) -> tuple[dict[str, Any], int]:
    """Errors as JSON, like every other answer of the API."""
    return {"error": error.name, "description": error.description}, error.code or 500


@api.get("/health")
def health() -> tuple[dict[str, Any], int]:
    """Whether the application can reach its database."""
    try:
        db.session.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as error:
        return {"status": "error", "database": str(error.__cause__ or error).splitlines()[0]}, 503
    return {"status": "ok", "database": "ok"}, 200


@api.get("/workflows")
def list_workflows() -> dict[str, Any]:
    """Workflows ordered by id, optionally those of one workspace (`?workspace_id=`)."""
    query = sa.select(Workflow).order_by(Workflow.id)
    workspace_id = request.args.get("workspace_id", type=int)
    if workspace_id is not None:
        query = query.where(Workflow.workspace_id == workspace_id)
    return {"workflows": [workflow.to_dict() for workflow in db.session.scalars(query)]}


@api.get("/workflows/<int:workflow_id>")
def get_workflow(workflow_id: int) -> dict[str, Any]:
    """One workflow with its most recent runs, newest first."""
    workflow = db.session.get(Workflow, workflow_id)
    if workflow is None:
        abort(404, description=f"workflow {workflow_id} not found")
    runs = db.session.scalars(
        sa.select(WorkflowRun)
        .where(WorkflowRun.workflow_id == workflow_id)
        .order_by(WorkflowRun.started_at.desc(), WorkflowRun.id.desc())
        .limit(RECENT_RUNS)
    )
    return {**workflow.to_dict(), "recent_runs": [run.to_dict() for run in runs]}
