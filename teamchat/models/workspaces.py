from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from teamchat.models.base import MYSQL_TABLE, DirectoryBase, Id


class Workspace(DirectoryBase):
    __tablename__ = "workspaces"
    __table_args__ = MYSQL_TABLE

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(80))
    # Lower-cased name, indexed for imports that find their workspace by name. Not
    # unique: names are display names, and a taken name would leak that it exists.
    name_key: Mapped[str] = mapped_column(String(80), index=True)
    # Delete-for-everyone window; 0 means no limit.
    recall_window_seconds: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class WorkspaceMember(DirectoryBase):
    __tablename__ = "workspace_members"
    __table_args__ = (Index("ix_workspace_members_user", "user_id"), MYSQL_TABLE)

    workspace_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role: Mapped[str] = mapped_column(String(16))  # "admin" | "member"
    joined_at: Mapped[int] = mapped_column(BigInteger)
