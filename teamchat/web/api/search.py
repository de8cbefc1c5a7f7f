"""Search a workspace's history; list the messages that mention the caller."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from teamchat.errors import BadRequest
from teamchat.runtime import transaction
from teamchat.services import search
from teamchat.web.api import bp
from teamchat.web.api.inputs import clean_text, parse_id, query_int
from teamchat.web.api.session import auth_required, current_user

MAX_CURSOR = 512


def query_cursor() -> str | None:
    cursor = request.args.get("cursor") or None
    if cursor is not None and (len(cursor) > MAX_CURSOR or not cursor.isascii()):
        raise BadRequest("cursor is not one this list gave out", code="invalid_cursor")
    return cursor


@bp.get("/workspaces/<wid>/search")
@auth_required
def search_messages(wid: str) -> Any:
    """Search the messages of the channels the caller may read.

    Newest first by default (`sort=relevance` ranks by score); each hit has highlight
    spans; `notes` explain an empty answer (a name in a filter that matches nobody)."""
    workspace_id = parse_id(wid, "workspace_id")
    q = clean_text(request.args.get("q", ""), "q")
    limit = query_int("limit", default=search.DEFAULT_LIMIT, minimum=1, maximum=search.MAX_LIMIT)
    cursor = query_cursor()
    sort = search.check_sort(request.args.get("sort"))
    with transaction() as tx:
        result = search.search_messages(
            tx,
            current_user(),
            workspace_id,
            q,
            limit,  # type: ignore[arg-type]
            cursor,
            sort,
        )
    return jsonify(result)


@bp.get("/workspaces/<wid>/mentions")
@auth_required
def list_mentions(wid: str) -> Any:
    """Messages that mention the caller, newest first.

    By name, @channel/@all, or @here while the caller was online; only in channels the
    caller can still read, without messages deleted or hidden since."""
    workspace_id = parse_id(wid, "workspace_id")
    limit = query_int("limit", default=search.DEFAULT_LIMIT, minimum=1, maximum=search.MAX_LIMIT)
    cursor = query_cursor()
    with transaction() as tx:
        result = search.mentions(tx, current_user(), workspace_id, cursor, limit)  # type: ignore[arg-type]
    return jsonify(result)
