"""Workspaces and their members."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from teamchat.runtime import transaction
from teamchat.services import workspaces
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_int, get_str, json_body, parse_id
from teamchat.web.api.session import auth_required, current_user


@bp.post("/workspaces")
@auth_required
def create_workspace() -> Any:
    """Create a workspace; the caller becomes its admin."""
    body = json_body()
    name = get_str(body, "name", max_len=200)
    window = get_int(body, "recall_window_seconds", required=False, maximum=10 * 365 * 86400)
    with transaction() as tx:
        result = workspaces.do_create_workspace(tx, current_user(), name, window)  # type: ignore[arg-type]
    return jsonify(result), 201


@bp.get("/workspaces")
@auth_required
def list_workspaces() -> Any:
    """The caller's workspaces."""
    with transaction() as tx:
        result = workspaces.list_workspaces(tx, current_user())
    return jsonify({"workspaces": result})


@bp.post("/workspaces/<wid>/members")
@auth_required
def add_workspace_member(wid: str) -> Any:
    """Add a user by username (admins only): 201, or 200 if they were already a member."""
    workspace_id = parse_id(wid, "workspace_id")
    body = json_body()
    username = get_str(body, "username", max_len=64)
    with transaction() as tx:
        result, created = workspaces.do_add_workspace_member(
            tx,
            current_user(),
            workspace_id,
            username,  # type: ignore[arg-type]
        )
    return jsonify(result), 201 if created else 200


@bp.get("/workspaces/<wid>/members")
@auth_required
def list_workspace_members(wid: str) -> Any:
    """The workspace's members with presence."""
    workspace_id = parse_id(wid, "workspace_id")
    with transaction() as tx:
        result = workspaces.list_workspace_members(tx, current_user(), workspace_id)
    return jsonify({"members": result})
