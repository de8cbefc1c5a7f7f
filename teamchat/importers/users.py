"""Users from outside handles (IRC nicks, Slack names), written in bulk.

A handle always maps to the same username, whatever else is imported, so a
re-import finds the users it made. A handle that is already a valid username
keeps it (lower-cased); any other gets its invalid characters replaced and a
short hash of the handle appended, so `foo|away` and `foo_away` stay two people.
An imported user has no password: they cannot log in until an admin sets one.
A handle whose username already exists IS that user (like Mattermost's Slack
import merges by username).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import insert, select

from teamchat.ids import Snowflake, now_ms
from teamchat.models import User, WorkspaceMember
from teamchat.services.mentions import SPECIAL
from teamchat.services.users import USERNAME_RE
from teamchat.store import users as user_store
from teamchat.store.db import Tx

CHUNK = 500
# Words that mean something else after an @.
RESERVED = frozenset(SPECIAL) | {"everyone"}
_INVALID = re.compile(r"[^a-z0-9._-]")
_UNSAFE_NAME = re.compile("[\x00-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def username_for(handle: str) -> str:
    folded = handle.lower()
    if USERNAME_RE.fullmatch(folded) and folded not in RESERVED:
        return folded
    ascii_only = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode()
    base = _INVALID.sub("_", ascii_only).lstrip("._-")[:25].rstrip("._-") or "user"
    digest = hashlib.sha1(folded.encode("utf-8")).hexdigest()[:6]
    return f"{base}-{digest}"


def display_name_for(raw: str, fallback: str) -> str:
    """A display name the profile rules accept (no control or bidi characters)."""
    name = " ".join(_UNSAFE_NAME.sub("", raw).split())[:80]
    return name or fallback


def ensure_users(tx: Tx, ids: Snowflake, wanted: dict[str, str]) -> tuple[dict[str, int], int]:
    """username -> display name in; username -> user id out, and how many were new."""
    found: dict[str, int] = {}
    names = sorted(wanted)
    for i in range(0, len(names), CHUNK):
        chunk = names[i : i + CHUNK]
        rows = tx.directory.execute(select(User.username, User.id).where(User.username.in_(chunk)))
        for name, uid in rows.tuples():
            found[name] = uid
    now = now_ms()
    new = [
        {
            "id": ids.next_id(),
            "username": name,
            "display_name": display_name_for(wanted[name], name),
            "password_hash": None,
            "avatar_url": None,
            "created_at": now,
            "is_active": True,
        }
        for name in names
        if name not in found
    ]
    for i in range(0, len(new), CHUNK):
        tx.directory.execute(insert(User.__table__), new[i : i + CHUNK])
    found.update((row["username"], row["id"]) for row in new)
    return found, len(new)


def ensure_workspace_members(
    tx: Tx, workspace_id: int, user_ids: Iterable[int], role: str = "member"
) -> int:
    """Add the users who are not yet members; returns how many were added."""
    wanted = sorted(set(user_ids))
    have: set[int] = set()
    for i in range(0, len(wanted), CHUNK):
        have.update(
            tx.directory.scalars(
                select(WorkspaceMember.user_id).where(
                    WorkspaceMember.workspace_id == workspace_id,
                    WorkspaceMember.user_id.in_(wanted[i : i + CHUNK]),
                )
            )
        )
    now = now_ms()
    rows = [
        {"workspace_id": workspace_id, "user_id": u, "role": role, "joined_at": now}
        for u in wanted
        if u not in have
    ]
    for i in range(0, len(rows), CHUNK):
        tx.directory.execute(insert(WorkspaceMember.__table__), rows[i : i + CHUNK])
    return len(rows)


def named_users(tx: Tx, admin: str | None, members: Sequence[str]) -> tuple[int | None, list[int]]:
    """The ids of the admin and members an import was told about; all must exist."""
    wanted = [admin, *members] if admin else list(members)
    found = user_store.get_users_by_usernames(tx.directory, wanted)
    missing = [u for u in wanted if u.lower() not in found]
    if missing:
        raise ValueError(f"no such user: {', '.join(missing)}")
    admin_id = found[admin.lower()].id if admin else None
    return admin_id, [found[u.lower()].id for u in members]
