"""Messages: post, history, fetch, edit, delete, threads."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request
from sqlalchemy.exc import IntegrityError

from teamchat.errors import BadRequest
from teamchat.runtime import transaction
from teamchat.services import messages, threads
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_id, get_str, json_body, parse_id, query_int
from teamchat.web.api.session import auth_required, current_user
from teamchat.web.errors import no_content


@bp.post("/channels/<cid>/messages")
@auth_required
def post_message(cid: str) -> Any:
    """Post a message (201), or return the one a retried client_msg_id made (200)."""
    channel_id = parse_id(cid, "channel_id")
    body = json_body()
    text = get_str(body, "text")
    cmid = get_str(body, "client_msg_id", required=False, max_len=64)
    root = get_id(body, "thread_root_id", required=False)
    try:
        with transaction() as tx:
            result, created = messages.do_post_message(
                tx,
                current_user(),
                channel_id,
                text,
                cmid,
                root,  # type: ignore[arg-type]
            )
    except IntegrityError:
        if cmid is None:
            raise
        # A concurrent duplicate won the unique key: answer with its message.
        with transaction() as tx:
            result, created = messages.do_post_message(
                tx,
                current_user(),
                channel_id,
                text,
                cmid,
                root,  # type: ignore[arg-type]
            )
    return jsonify(result), 201 if created else 200


@bp.get("/channels/<cid>/messages")
@auth_required
def list_messages(cid: str) -> Any:
    """A page of history by sequence: before, after or around a seq; newest page by default."""
    channel_id = parse_id(cid, "channel_id")
    before = query_int("before", minimum=1)
    after = query_int("after", minimum=0)
    around = query_int("around", minimum=0)
    limit = query_int("limit", default=50, minimum=1, maximum=messages.MAX_PAGE)
    with transaction() as tx:
        result = messages.history(tx, current_user(), channel_id, before, after, around, limit)  # type: ignore[arg-type]
    return jsonify(result)


@bp.get("/messages/<mid>")
@auth_required
def get_message(mid: str) -> Any:
    """One message the caller may read."""
    message_id = parse_id(mid, "message_id")
    with transaction() as tx:
        result = messages.get_message(tx, current_user(), message_id)
    return jsonify(result)


@bp.patch("/messages/<mid>")
@auth_required
def edit_message(mid: str) -> Any:
    """Edit a message's text (the sender only)."""
    message_id = parse_id(mid, "message_id")
    body = json_body()
    text = get_str(body, "text")
    with transaction() as tx:
        result = messages.do_edit_message(tx, current_user(), message_id, text)  # type: ignore[arg-type]
    return jsonify(result)


@bp.delete("/messages/<mid>")
@auth_required
def delete_message(mid: str) -> Any:
    """Delete a message for the caller (scope=me) or for everyone (scope=everyone)."""
    message_id = parse_id(mid, "message_id")
    scope = request.args.get("scope")
    if not scope:
        raise BadRequest("query parameter scope is required: me or everyone", code="missing_field")
    with transaction() as tx:
        messages.do_delete_message(tx, current_user(), message_id, scope)
    return no_content()


@bp.get("/messages/<mid>/thread")
@auth_required
def get_thread(mid: str) -> Any:
    """A thread: its root and the replies after a seq, oldest first."""
    message_id = parse_id(mid, "message_id")
    after = query_int("after", default=0, minimum=0)
    limit = query_int("limit", default=threads.MAX_REPLIES, minimum=1, maximum=threads.MAX_REPLIES)
    with transaction() as tx:
        result = threads.get_thread(tx, current_user(), message_id, after, limit)  # type: ignore[arg-type]
    return jsonify(result)
