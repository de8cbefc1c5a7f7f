"""Workspaces: create, list, add members."""

from __future__ import annotations

from typing import Any

from sqlalchemy.exc import IntegrityError

from teamchat.errors import BadRequest, NotFound
from teamchat.ids import now_ms
from teamchat.models import User, Workspace, WorkspaceMember
from teamchat.services.users import has_controls, user_json
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.access import access_workspace_by_id
from teamchat.store.db import Tx
from teamchat.timefmt import iso

ROLES = ("admin", "member")


def workspace_json(w: Workspace, role: str) -> dict[str, Any]:
    return {
        "id": str(w.id),
        "name": w.name,
        "role": role,
        "recall_window_seconds": w.recall_window_seconds,
        "created_at": iso(w.created_at),
    }


NAME_MAX = 80  # the length of the name and name_key columns


def check_workspace_name(raw: str) -> str:
    """Runs of spaces become one; controls and bidi overrides are refused, as in display
    names. The lower-cased key must fit its column too: lower() can lengthen ("İ" is two
    code points lower-cased), so a name is measured both ways."""
    stripped = raw.strip()
    if has_controls(stripped):
        raise BadRequest(
            "name must not contain control or bidi-override characters", code="invalid_name"
        )
    name = " ".join(stripped.split())
    if not name:
        raise BadRequest("name must not be empty", code="invalid_name")
    if len(name) > NAME_MAX or len(workspace_name_key(name)) > NAME_MAX:
        raise BadRequest(f"name is longer than {NAME_MAX} characters", code="too_long")
    return name


def workspace_name_key(name: str) -> str:
    """What imports find a workspace by; store.workspaces.workspaces_named compares the same."""
    return name.lower()


def do_create_workspace(
    tx: Tx, user: User, name: str, recall_window_seconds: int | None = None
) -> dict[str, Any]:
    # Names are display names: another workspace may have the same one, and whether
    # it does is not the caller's business.
    clean = check_workspace_name(name)
    now = now_ms()
    window = tx.rt.settings.recall_window_seconds
    w = Workspace(
        id=tx.rt.ids.next_id(),
        name=clean,
        name_key=workspace_name_key(clean),
        recall_window_seconds=window if recall_window_seconds is None else recall_window_seconds,
        created_by=user.id,
        created_at=now,
    )
    tx.directory.add(w)
    tx.directory.add(
        WorkspaceMember(workspace_id=w.id, user_id=user.id, role="admin", joined_at=now)
    )
    tx.directory.flush()
    return workspace_json(w, "admin")


def list_workspaces(tx: Tx, user: User) -> list[dict[str, Any]]:
    return [
        workspace_json(w, m.role)
        for w, m in workspace_store.workspaces_of_user(tx.directory, user.id)
    ]


def do_add_workspace_member(
    tx: Tx, admin: User, workspace_id: int, username: str, role: str = "member"
) -> tuple[dict[str, Any], bool]:
    """Add a user by username (admins only); returns (member, created). Adding someone
    already in the workspace changes nothing and returns their current role."""
    access_workspace_by_id(tx, admin.id, workspace_id, admin=True)
    if role not in ROLES:
        raise BadRequest(f"role must be one of {', '.join(ROLES)}", code="invalid_role")
    target = user_store.get_user_by_username(tx.directory, username)
    if target is None:
        raise NotFound("no such user")
    existing = workspace_store.membership(tx.directory, workspace_id, target.id)
    if existing is not None:
        return {"user": user_json(target), "role": existing.role}, False
    try:
        with tx.directory.begin_nested():
            tx.directory.add(
                WorkspaceMember(
                    workspace_id=workspace_id, user_id=target.id, role=role, joined_at=now_ms()
                )
            )
    except IntegrityError:  # a concurrent add of the same user won
        return {"user": user_json(target), "role": role}, False
    return {"user": user_json(target), "role": role}, True


def list_workspace_members(tx: Tx, user: User, workspace_id: int) -> list[dict[str, Any]]:
    access_workspace_by_id(tx, user.id, workspace_id)
    rows = workspace_store.members(tx.directory, workspace_id)
    users = user_store.get_users(tx.directory, [r.user_id for r in rows])
    presence = tx.rt.presence.statuses([r.user_id for r in rows])
    return [
        {"user": user_json(users[r.user_id]), "role": r.role, "presence": presence[r.user_id]}
        for r in rows
        if r.user_id in users
    ]
