"""The caller's profile, and generated default avatars."""

from __future__ import annotations

import html
from typing import Any

from flask import Response, jsonify

from teamchat.errors import NotFound
from teamchat.runtime import transaction
from teamchat.services import users
from teamchat.store import users as user_store
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_str, json_body, parse_id
from teamchat.web.api.session import auth_required, current_user


@bp.get("/me")
@auth_required
def get_me() -> Any:
    """The caller."""
    return jsonify(users.user_json(current_user()))


@bp.patch("/me")
@auth_required
def patch_me() -> Any:
    """Change display name or avatar URL (an empty avatar_url restores the default)."""
    body = json_body()
    display_name = get_str(body, "display_name", required=False, max_len=80)
    avatar_url = get_str(body, "avatar_url", required=False, max_len=2048)
    with transaction() as tx:
        result = users.do_update_profile(tx, current_user(), display_name, avatar_url)
    return jsonify(result)


@bp.get("/users/<user_id>/avatar.svg")
def avatar_svg(user_id: str) -> Any:
    """A default avatar: the user's initials on a colour of their own."""
    uid = parse_id(user_id, "user_id")
    with transaction() as tx:
        user = user_store.get_user(tx.directory, uid)
        if user is None:
            raise NotFound("no such user")
        name = user.display_name or user.username
    initials = "".join(part[0] for part in name.split()[:2]).upper() or name[:1].upper()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="12" fill="{users.avatar_color(uid)}"/>'
        '<text x="32" y="41" font-family="sans-serif" font-size="26" fill="#fff" '
        f'text-anchor="middle">{html.escape(initials[:2])}</text></svg>'
    )
    resp = Response(svg, mimetype="image/svg+xml")
    resp.headers["Cache-Control"] = "public, max-age=3600"
    return resp
