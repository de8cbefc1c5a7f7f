"""Register, log in (one token per device), log out."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from teamchat.runtime import transaction
from teamchat.services import accounts
from teamchat.web.api import bp
from teamchat.web.api.inputs import get_str, json_body
from teamchat.web.api.session import auth_required
from teamchat.web.errors import no_content


@bp.post("/auth/register")
def register() -> Any:
    """Create an account and log this device in."""
    body = json_body()
    username = get_str(body, "username", max_len=64)
    password = get_str(body, "password", max_len=1024)
    display_name = get_str(body, "display_name", required=False, max_len=80)
    device = get_str(body, "device", required=False, max_len=200) or ""
    with transaction() as tx:
        result = accounts.do_register(tx, username, password, display_name, device)  # type: ignore[arg-type]
    return jsonify(result), 201


@bp.post("/auth/login")
def login() -> Any:
    """Log a device in; each login gets its own token."""
    body = json_body()
    username = get_str(body, "username", max_len=64)
    password = get_str(body, "password", max_len=1024)
    device = get_str(body, "device", required=False, max_len=200) or ""
    with transaction() as tx:
        result = accounts.check_login(
            tx,
            username,
            password,
            device,
            request.remote_addr or "-",  # type: ignore[arg-type]
        )
    return jsonify(result), 200


@bp.post("/auth/logout")
@auth_required
def logout() -> Any:
    """Log this device out; other devices stay logged in."""
    with transaction() as tx:
        accounts.do_logout(tx, g.user.id, g.session_id)
    return no_content()
