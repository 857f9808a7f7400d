"""Workflow runs (one execution of a workflow) and the steps each run went through."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.extensions import db

if TYPE_CHECKING:
    from backend.app.models.users import User
    from backend.app.models.workflows import Workflow

# Run and step states; stored as short strings (no native ENUM, whose type PostgreSQL keeps after a
# downgrade drops the table).
STATUSES = ("queued", "running", "succeeded", "failed", "cancelled")


class WorkflowRun(db.Model):  # type: ignore[name-defined,misc]  # db.Model is built at run time
    """One execution of a workflow, who or what triggered it, and how it ended."""

    __tablename__ = "workflow_runs"
    __table_args__ = (
        sa.Index(None, "workflow_id", "started_at"),
        sa.Index(None, "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow_id: Mapped[int] = mapped_column(sa.ForeignKey("workflows.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(sa.String(16), server_default="queued")
    triggered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(sa.Text)

    workflow: Mapped[Workflow] = relationship(back_populates="runs")
    triggered_by: Mapped[User | None] = relationship()
    steps: Mapped[list[WorkflowRunStep]] = relationship(
        back_populates="run", cascade="all, delete-orphan", order_by="WorkflowRunStep.position"
    )

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the API returns."""
        return {
            "id": self.id,
            "status": self.status,
            "triggered_by_id": self.triggered_by_id,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "error": self.error,
        }


class WorkflowRunStep(db.Model):  # type: ignore[name-defined,misc]  # db.Model is built at run time
    """One step of a run, in order (`position`), with its outcome and output."""

    __tablename__ = "workflow_run_steps"
    __table_args__ = (sa.UniqueConstraint("run_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_runs.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    name: Mapped[str] = mapped_column(sa.String(120))
    status: Mapped[str] = mapped_column(sa.String(16), server_default="queued")
    started_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))
    output: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)

    run: Mapped[WorkflowRun] = relationship(back_populates="steps")
