"""Users as the API shows them, and profile changes."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from teamchat.errors import BadRequest
from teamchat.models import User
from teamchat.store.db import Tx

USERNAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
# Mention keywords (@channel, @all, @here, @everyone) can never be someone's name.
RESERVED_USERNAMES = frozenset({"channel", "all", "here", "everyone"})
# Direction overrides, embeddings and isolates let a name disguise itself or what follows.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
AVATAR_COLORS = (
    "#e8912d",
    "#2d9ee0",
    "#4a9e5c",
    "#c4433f",
    "#8e5bd4",
    "#d45b9e",
    "#3b8686",
    "#b5892f",
    "#5b6fd4",
    "#7a7a7a",
)


def check_username(raw: str) -> str:
    # Only ASCII is lower-cased: a non-ASCII look-alike is refused, never folded.
    name = raw.lower() if raw.isascii() else raw
    if not USERNAME_RE.fullmatch(name):
        raise BadRequest(
            "username must be 1 to 32 of a-z, 0-9, '.', '_' or '-', "
            "starting with a letter or digit",
            code="invalid_username",
        )
    if name in RESERVED_USERNAMES:
        raise BadRequest(
            f"'{name}' is reserved for mentions; pick another username",
            code="username_reserved",
        )
    return name


def has_controls(text: str) -> bool:
    """Whether a name holds a control, a lone surrogate, a line or paragraph separator
    (Zl/Zp are line breaks in disguise) or a bidi override, embedding or isolate."""
    return any(
        unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in BIDI_CONTROLS for ch in text
    )


def check_display_name(raw: str) -> str:
    name = raw.strip()
    if not name:
        raise BadRequest("display_name must not be empty", code="invalid_display_name")
    if has_controls(name):
        raise BadRequest(
            "display_name must not contain control or bidi-override characters",
            code="invalid_display_name",
        )
    return name


def check_avatar_url(raw: str) -> str:
    if not raw.startswith(("https://", "http://", "/")) or any(c.isspace() for c in raw):
        raise BadRequest("avatar_url must be an http(s) URL", code="invalid_avatar_url")
    return raw


def avatar_color(user_id: int) -> str:
    return AVATAR_COLORS[user_id % len(AVATAR_COLORS)]


def user_json(user: User) -> dict[str, Any]:
    return {
        "id": str(user.id),
        "username": user.username,
        "display_name": user.display_name,
        "avatar_url": user.avatar_url or f"/api/v1/users/{user.id}/avatar.svg",
    }


def do_update_profile(
    tx: Tx, user: User, display_name: str | None, avatar_url: str | None
) -> dict[str, Any]:
    row = tx.directory.get(User, user.id)
    assert row is not None
    if display_name is not None:
        row.display_name = check_display_name(display_name)
    if avatar_url is not None:
        row.avatar_url = check_avatar_url(avatar_url) if avatar_url else None
    tx.directory.flush()
    return user_json(row)
