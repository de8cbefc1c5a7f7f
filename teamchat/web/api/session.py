"""Bearer-token authentication for API views."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import g, request

from teamchat.errors import Unauthorized
from teamchat.models import User
from teamchat.runtime import transaction
from teamchat.services.accounts import authenticate

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header[7:].strip() or None
    return None


def auth_required(view: F) -> F:
    """Sets g.user and g.session_id, or answers 401."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        token = bearer_token()
        if not token:
            raise Unauthorized("an Authorization: Bearer token is required", code="no_token")
        with transaction() as tx:
            g.user, g.session_id = authenticate(tx, token)
        return view(*args, **kwargs)

    wrapper.auth_required = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


def current_user() -> User:
    return g.user
