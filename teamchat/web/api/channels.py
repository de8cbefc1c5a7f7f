"""Channels and DMs, and who is in them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from flask import jsonify
from sqlalchemy.exc import IntegrityError

from teamchat.runtime import transaction
from teamchat.services import channels
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_bool, get_id_list, get_str, json_body, parse_id
from teamchat.web.api.session import auth_required, current_user
from teamchat.web.errors import no_content

if TYPE_CHECKING:
    from teamchat.store.db import Tx

T = TypeVar("T")


def _run_retrying(action: Callable[[Tx], T]) -> T:
    """Run an action in a transaction; if a concurrent request won a unique key (the same
    1:1 DM, the same membership), run it once more: the second run sees the winner's rows."""
    try:
        with transaction() as tx:
            return action(tx)
    except IntegrityError:
        with transaction() as tx:
            return action(tx)


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
            name,  # type: ignore[arg-type]
            private,
            member_ids,
        )
    return jsonify(result), 201


@bp.post("/workspaces/<wid>/dms")
@auth_required
def open_dm(wid: str) -> Any:
    """One other user: the 1:1 DM with them (201 when new, 200 when it existed); several:
    a new group DM; only yourself: your notes-to-self DM."""
    workspace_id = parse_id(wid, "workspace_id")
    user_ids = get_id_list(json_body(), "user_ids", max_items=100)
    result, created = _run_retrying(
        lambda tx: channels.do_open_dm(tx, current_user(), workspace_id, user_ids)
    )
    return jsonify(result), 201 if created else 200


@bp.get("/workspaces/<wid>/channels")
@auth_required
def list_channels(wid: str) -> Any:
    """The caller's channels and DMs, with unread and mention counts."""
    workspace_id = parse_id(wid, "workspace_id")
    with transaction() as tx:
        result = channels.list_my_channels(tx, current_user(), workspace_id)
    return jsonify({"channels": result})


@bp.get("/workspaces/<wid>/channels/public")
@auth_required
def list_public_channels(wid: str) -> Any:
    """The workspace's public channels, each with is_member."""
    workspace_id = parse_id(wid, "workspace_id")
    with transaction() as tx:
        result = channels.list_public_channels(tx, current_user(), workspace_id)
    return jsonify({"channels": result})


@bp.get("/channels/<cid>")
@auth_required
def get_channel(cid: str) -> Any:
    """One channel the caller may read, with is_member."""
    channel_id = parse_id(cid, "channel_id")
    with transaction() as tx:
        result = channels.get_channel(tx, current_user(), channel_id)
    return jsonify(result)


@bp.post("/channels/<cid>/join")
@auth_required
def join_channel(cid: str) -> Any:
    """Join a public channel; returns the channel."""
    channel_id = parse_id(cid, "channel_id")
    result = _run_retrying(lambda tx: channels.do_join_channel(tx, current_user(), channel_id))
    return jsonify(result)


@bp.post("/channels/<cid>/members")
@auth_required
def add_channel_members(cid: str) -> Any:
    """Add workspace members to a channel or group DM the caller is in; returns
    {channel, added} (added: the users who were not members yet)."""
    channel_id = parse_id(cid, "channel_id")
    user_ids = get_id_list(json_body(), "user_ids")
    result = _run_retrying(
        lambda tx: channels.do_add_channel_members(tx, current_user(), channel_id, user_ids)
    )
    return jsonify(result)


@bp.post("/channels/<cid>/leave")
@auth_required
def leave_channel(cid: str) -> Any:
    """Leave a channel or group DM (losing access unless public), or hide a 1:1 DM."""
    channel_id = parse_id(cid, "channel_id")
    with transaction() as tx:
        channels.do_leave_channel(tx, current_user(), channel_id)
    return no_content()


@bp.get("/channels/<cid>/members")
@auth_required
def list_channel_members(cid: str) -> Any:
    """The members, each with last_read_seq and presence."""
    channel_id = parse_id(cid, "channel_id")
    with transaction() as tx:
        result = channels.list_channel_members(tx, current_user(), channel_id)
    return jsonify({"members": result})
