"""Channels and DMs."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from teamchat.runtime import transaction
from teamchat.services import channels
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_bool, get_id_list, get_str, json_body, parse_id
from teamchat.web.api.session import auth_required, current_user


@bp.post("/workspaces/<wid>/channels")
@auth_required
def create_channel(wid: str) -> Any:
    """Create a public or private channel."""
    workspace_id = parse_id(wid, "workspace_id")
    body = json_body()
    name = get_str(body, "name", max_len=200)
    private = get_bool(body, "private")
    member_ids = get_id_list(body, "member_ids", required=False)
    with transaction() as tx:
        result = channels.do_create_channel(
            tx,
            current_user(),
            workspace_id,
            name,
            private,
            member_ids,  # type: ignore[arg-type]
        )
    return jsonify(result), 201


@bp.get("/workspaces/<wid>/channels")
@auth_required
def list_channels(wid: str) -> Any:
    """The caller's channels and DMs, with unread and mention counts."""
    workspace_id = parse_id(wid, "workspace_id")
    with transaction() as tx:
        result = channels.list_my_channels(tx, current_user(), workspace_id)
    return jsonify({"channels": result})


@bp.get("/channels/<cid>")
@auth_required
def get_channel(cid: str) -> Any:
    """One channel the caller may read."""
    channel_id = parse_id(cid, "channel_id")
    with transaction() as tx:
        result = channels.get_channel(tx, current_user(), channel_id)
    return jsonify(result)
