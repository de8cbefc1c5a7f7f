"""The API described as an OpenAPI 3.1 document, built from the app's own routes.

Every /api/v1 rule (and the health probes) appears, whoever added it: summary and
description from the view's docstring, path parameters from the rule, bearer security
where the view is wrapped by auth_required. Request and response shapes are named for
the endpoints listed in SHAPES; others answer a generic JSON object until listed.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, jsonify
from werkzeug.routing import Rule

from teamchat.web.api import bp

PREFIX = "/api/v1"
EXTRA_PATHS = ("/healthz", "/readyz")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
ERROR = {"$ref": "#/components/schemas/Error"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": props}


ID = {"type": "string", "pattern": "^[0-9]{1,19}$", "description": "64-bit id as a string"}
TIME = {"type": "string", "format": "date-time", "description": "UTC, milliseconds"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
STR = {"type": "string"}
INT = {"type": "integer"}
BOOL = {"type": "boolean"}

SCHEMAS: dict[str, Any] = {
    "Error": _obj(["error"], error=_obj(["code", "message"], code=STR, message=STR)),
    "User": _obj(
        ["id", "username", "display_name", "avatar_url"],
        id=ID,
        username=STR,
        display_name=STR,
        avatar_url=STR,
    ),
    "AuthResult": _obj(["user", "token"], user=_ref("User"), token=STR),
    "Register": _obj(["username", "password"], username=STR, password=STR, display_name=STR),
    "Login": _obj(["username", "password"], username=STR, password=STR, device=STR),
    "UpdateMe": _obj([], display_name=STR, avatar_url=STR),
    "Workspace": _obj(
        ["id", "name", "role"],
        id=ID,
        name=STR,
        role={"enum": ["admin", "member"]},
        recall_window_seconds=INT,
        created_at=TIME,
    ),
    "CreateWorkspace": _obj(["name"], name=STR, recall_window_seconds=INT),
    "AddWorkspaceMember": _obj(["username"], username=STR),
    "Channel": _obj(
        ["id", "workspace_id", "kind"],
        id=ID,
        workspace_id=ID,
        name={"type": ["string", "null"]},
        kind={"enum": ["public", "private", "dm", "group"]},
        topic=STR,
        created_at=TIME,
        member_count=INT,
        dm_users={"type": "array", "items": _ref("User")},
        unread_count=INT,
        mention_count=INT,
        last_read_seq=INT,
        last_seq=INT,
    ),
    "CreateChannel": _obj(
        ["name"], name=STR, private=BOOL, member_ids={"type": "array", "items": ID}
    ),
    "UserIds": _obj(["user_ids"], user_ids={"type": "array", "items": ID}),
    "Reaction": _obj(
        ["emoji", "count", "user_ids"],
        emoji=STR,
        count=INT,
        user_ids={"type": "array", "items": ID},
    ),
    "Reactions": _obj(["reactions"], reactions={"type": "array", "items": _ref("Reaction")}),
    "MentionSpan": _obj(
        ["kind", "start", "end"],
        kind={"enum": ["user", "channel", "all", "here"]},
        user_id={"type": ["string", "null"]},
        start=INT,
        end=INT,
    ),
    "Message": _obj(
        ["id", "channel_id", "seq", "author", "text", "created_at"],
        id=ID,
        channel_id=ID,
        seq=INT,
        author=_ref("User"),
        text=STR,
        kind={"enum": ["message", "action", "system"]},
        created_at=TIME,
        edited_at=NULLABLE_TIME,
        deleted=BOOL,
        mentions={"type": "array", "items": _ref("MentionSpan")},
        reactions={"type": "array", "items": _ref("Reaction")},
        thread_root_id={"type": ["string", "null"]},
        reply_count=INT,
        client_msg_id={"type": ["string", "null"]},
    ),
    "PostMessage": _obj(
        ["text"],
        text={"type": "string", "maxLength": 16000},
        client_msg_id={"type": "string", "maxLength": 64},
        thread_root_id=ID,
    ),
    "EditMessage": _obj(["text"], text={"type": "string", "maxLength": 16000}),
    "MessagePage": _obj(
        ["messages", "has_more_before", "has_more_after"],
        messages={"type": "array", "items": _ref("Message")},
        has_more_before=BOOL,
        has_more_after=BOOL,
    ),
    "Thread": _obj(
        ["root", "replies", "has_more"],
        root=_ref("Message"),
        replies={"type": "array", "items": _ref("Message")},
        has_more=BOOL,
    ),
    "MarkRead": _obj(["seq"], seq={"type": "integer", "minimum": 0}),
    "ReadPointer": _obj(["last_read_seq"], last_read_seq=INT),
    "SearchResults": _obj(
        ["hits"],
        hits={
            "type": "array",
            "items": _obj(
                ["message"],
                message=_ref("Message"),
                highlights={"type": "array", "items": {"type": "array", "items": INT}},
            ),
        },
        next_cursor={"type": ["string", "null"]},
        total=INT,
    ),
    "Health": _obj(["status"], status=STR),
}

# endpoint -> (request schema, success status, response schema or None for no body)
SHAPES: dict[str, tuple[str | None, int, str | None]] = {
    "api.register": ("Register", 201, "AuthResult"),
    "api.login": ("Login", 200, "AuthResult"),
    "api.logout": (None, 204, None),
    "api.get_me": (None, 200, "User"),
    "api.patch_me": ("UpdateMe", 200, "User"),
    "api.create_workspace": ("CreateWorkspace", 201, "Workspace"),
    "api.add_workspace_member": ("AddWorkspaceMember", 201, None),
    "api.create_channel": ("CreateChannel", 201, "Channel"),
    "api.get_channel": (None, 200, "Channel"),
    "api.join_channel": (None, 200, "Channel"),
    "api.open_dm": ("UserIds", 201, "Channel"),
    "api.add_channel_members": ("UserIds", 200, None),
    "api.post_message": ("PostMessage", 201, "Message"),
    "api.list_messages": (None, 200, "MessagePage"),
    "api.get_message": (None, 200, "Message"),
    "api.edit_message": ("EditMessage", 200, "Message"),
    "api.delete_message": (None, 204, None),
    "api.get_thread": (None, 200, "Thread"),
    "api.add_reaction": (None, 200, "Reactions"),
    "api.remove_reaction": (None, 200, "Reactions"),
    "api.mark_read": ("MarkRead", 200, "ReadPointer"),
    "api.search_messages": (None, 200, "SearchResults"),
    "health.healthz": (None, 200, "Health"),
    "health.readyz": (None, 200, "Health"),
    "ws.live": (None, 101, None),
}
# What a success without a body means, where "Done" would not say it.
NO_BODY = {"ws.live": "Switching Protocols: the connection is a WebSocket from here on."}

SEQ_PARAM = {"type": "integer", "minimum": 0}
QUERY: dict[str, list[tuple[str, dict[str, Any], bool]]] = {
    "api.list_messages": [
        ("before", SEQ_PARAM, False),
        ("after", SEQ_PARAM, False),
        ("around", SEQ_PARAM, False),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 200}, False),
    ],
    "api.delete_message": [("scope", {"enum": ["me", "everyone"]}, True)],
    "api.get_thread": [
        ("after", SEQ_PARAM, False),
        ("limit", {"type": "integer", "minimum": 1, "maximum": 1000}, False),
    ],
    "api.search_messages": [
        ("q", STR, True),
        ("limit", {"type": "integer", "minimum": 1}, False),
        ("cursor", STR, False),
    ],
    "api.list_mentions": [("cursor", STR, False)],
    # Browsers cannot set headers on a WebSocket: the token may come in the query.
    "ws.live": [("token", STR, False)],
}

_ARG = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def openapi_path(rule: str) -> str:
    """`/channels/<cid>` -> `/channels/{cid}`."""
    return _ARG.sub(r"{\1}", rule)


def documented_rules(rules: list[Rule]) -> list[Rule]:
    return [r for r in rules if r.rule.startswith(PREFIX) or r.rule in EXTRA_PATHS]


def _operation(rule: Rule, method: str, view: Any) -> dict[str, Any]:
    doc = (view.__doc__ or "").strip()
    summary = doc.splitlines()[0].strip() if doc else rule.endpoint
    request_schema, status, response_schema = SHAPES.get(rule.endpoint, (None, 200, ""))
    op: dict[str, Any] = {
        "operationId": f"{rule.endpoint.split('.')[-1]}_{method.lower()}",
        "summary": summary,
        "tags": [rule.endpoint.split(".")[0]],
    }
    if doc and doc != summary:
        op["description"] = doc
    params = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": ID if name.endswith("id") else STR,
        }
        for name in sorted(rule.arguments)
    ]
    params += [
        {"name": name, "in": "query", "required": required, "schema": schema}
        for name, schema, required in QUERY.get(rule.endpoint, [])
    ]
    if params:
        op["parameters"] = params
    if request_schema:
        op["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(request_schema)}},
        }
    if response_schema is None:
        ok: dict[str, Any] = {"description": NO_BODY.get(rule.endpoint, "Done; no body.")}
    else:
        schema = _ref(response_schema) if response_schema else {"type": "object"}
        ok = {"description": "Success.", "content": {"application/json": {"schema": schema}}}
    errors = {"description": "An error.", "content": {"application/json": {"schema": ERROR}}}
    op["responses"] = {str(status): ok, "4XX": errors}
    auth = bool(getattr(view, "auth_required", False))
    op["security"] = [{"bearer": []}] if auth else []
    return op


def build_document() -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    rules = documented_rules(list(current_app.url_map.iter_rules()))
    for rule in sorted(rules, key=lambda r: r.rule):
        view = current_app.view_functions[rule.endpoint]
        item = paths.setdefault(openapi_path(rule.rule), {})
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            item[method.lower()] = _operation(rule, method, view)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "TeamChat API",
            "version": "1",
            "description": "Self-hosted team chat. Ids are strings; times ISO 8601 UTC (ms).",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


@bp.get("/openapi.json")
def openapi_document() -> Any:
    """This API as an OpenAPI 3.1 document."""
    return jsonify(build_document())
