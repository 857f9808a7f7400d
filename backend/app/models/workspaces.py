"""Workspaces (a team's shared space) and the membership of users in them."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backend.app.extensions import db

if TYPE_CHECKING:
    from backend.app.models.users import User
    from backend.app.models.workflows import Workflow


class Workspace(db.Model):  # type: ignore[name-defined,misc]  # db.Model is built at run time
    """A team's space: its members and its workflows."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP")
    )

    members: Mapped[list[Membership]] = relationship(back_populates="workspace", cascade="all, delete-orphan")
    workflows: Mapped[list[Workflow]] = relationship(back_populates="workspace", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Workspace {self.id} {self.slug}>"


class Membership(db.Model):  # type: ignore[name-defined,misc]  # db.Model is built at run time
    """A user's membership in a workspace, with a role (owner, admin, member)."""

    __tablename__ = "workspace_members"

    workspace_id: Mapped[int] = mapped_column(
        sa.ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(sa.String(20), server_default="member")
    joined_at: Mapped[datetime] = mapped_column(
        sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP")
    )

    workspace: Mapped[Workspace] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")
