"""Queries on workspaces and their members (directory database)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from teamchat.models import Workspace, WorkspaceMember


def get_workspace(s: Session, workspace_id: int) -> Workspace | None:
    return s.get(Workspace, workspace_id)


def workspaces_named(s: Session, name: str, limit: int = 10) -> list[Workspace]:
    """Workspaces of that name (case-insensitive), oldest first; names are not unique."""
    return list(
        s.scalars(
            select(Workspace)
            .where(Workspace.name_key == name.lower())
            .order_by(Workspace.created_at, Workspace.id)
            .limit(limit)
        )
    )


def membership(s: Session, workspace_id: int, user_id: int) -> WorkspaceMember | None:
    return s.get(WorkspaceMember, (workspace_id, user_id))


def workspaces_of_user(s: Session, user_id: int) -> list[tuple[Workspace, WorkspaceMember]]:
    rows = s.execute(
        select(Workspace, WorkspaceMember)
        .join(WorkspaceMember, WorkspaceMember.workspace_id == Workspace.id)
        .where(WorkspaceMember.user_id == user_id)
        .order_by(Workspace.created_at)
    )
    return [(w, m) for w, m in rows.tuples()]


def members(s: Session, workspace_id: int) -> list[WorkspaceMember]:
    return list(
        s.scalars(
            select(WorkspaceMember)
            .where(WorkspaceMember.workspace_id == workspace_id)
            .order_by(WorkspaceMember.joined_at, WorkspaceMember.user_id)
        )
    )


def member_ids(s: Session, workspace_id: int, user_ids: list[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        s.scalars(
            select(WorkspaceMember.user_id).where(
                WorkspaceMember.workspace_id == workspace_id,
                WorkspaceMember.user_id.in_(user_ids),
            )
        )
    )


def shares_workspace(s: Session, user_id: int, other_id: int) -> bool:
    """Whether two users are members of at least one common workspace."""
    mine = select(WorkspaceMember.workspace_id).where(WorkspaceMember.user_id == user_id)
    q = select(WorkspaceMember.workspace_id).where(
        WorkspaceMember.user_id == other_id, WorkspaceMember.workspace_id.in_(mine)
    )
    return s.scalar(q.limit(1)) is not None
