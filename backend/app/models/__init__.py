"""The models, one module per aggregate; importing this package registers every table on `db.metadata`."""

from __future__ import annotations

from backend.app.models.audit import AuditLogEntry
from backend.app.models.runs import WorkflowRun, WorkflowRunStep
from backend.app.models.users import User
from backend.app.models.workflows import Workflow
from backend.app.models.workspaces import Membership, Workspace

__all__ = ["AuditLogEntry", "Membership", "User", "Workflow", "WorkflowRun", "WorkflowRunStep", "Workspace"]
