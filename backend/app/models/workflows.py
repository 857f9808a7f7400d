"""Workflows: a named automation in a workspace, with its trigger and step definitions."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.extensions import db

if TYPE_CHECKING:
    from backend.app.models.runs import WorkflowRun
    from backend.app.models.users import User
    from backend.app.models.workspaces import Workspace


class Workflow(db.Model):  # type: ignore[name-defined,misc]  # db.Model is built at run time
    """An automation: what starts it (`trigger`) and what it does (`definition`, a JSON document)."""

    __tablename__ = "workflows"
    __table_args__ = (sa.UniqueConstraint("workspace_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(sa.ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    description: Mapped[str | None] = mapped_column(sa.Text)
    trigger: Mapped[str] = mapped_column(sa.String(32), server_default="manual")
    definition: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(server_default=sa.text("true"))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP")
    )
    updated_at: Mapped[datetime | None] = mapped_column(sa.DateTime(timezone=True))

    workspace: Mapped[Workspace] = relationship(back_populates="workflows")
    created_by: Mapped[User | None] = relationship()
    runs: Mapped[list[WorkflowRun]] = relationship(back_populates="workflow", cascade="all, delete-orphan")

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape the API returns."""
        return {
            "id": self.id,
            "workspace_id": self.workspace_id,
            "name": self.name,
            "description": self.description,
            "trigger": self.trigger,
            "definition": self.definition,
            "is_active": self.is_active,
            "created_by_id": self.created_by_id,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }
