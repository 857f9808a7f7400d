"""The audit log: who did what to which object, and when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from backend.app.extensions import db


class AuditLogEntry(db.Model):  # type: ignore[name-defined,misc]  # db.Model is built at run time
    """One recorded action. Entries outlive the users and workspaces they mention (SET NULL)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        sa.Index(None, "workspace_id", "created_at"),
        sa.Index(None, "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workspaces.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    target_type: Mapped[str] = mapped_column(sa.String(64))
    target_id: Mapped[str | None] = mapped_column(sa.String(64))
    details: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP")
    )
