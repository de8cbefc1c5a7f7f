"""Contacts: a user's own list of people to reach quickly, with their presence."""

from __future__ import annotations

from typing import Any

from teamchat.errors import BadRequest, NotFound
from teamchat.ids import now_ms
from teamchat.models import User
from teamchat.services.users import user_json
from teamchat.store import contacts as contact_store
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.db import Tx


def list_contacts(tx: Tx, user: User) -> list[dict[str, Any]]:
    ids = contact_store.contact_ids(tx.directory, user.id)
    users = user_store.get_users(tx.directory, ids)
    presence = tx.rt.presence.statuses([i for i in ids if i in users])
    rows = [{"user": user_json(users[i]), "presence": presence[i]} for i in ids if i in users]
    return sorted(rows, key=lambda r: r["user"]["username"])


def _visible_user(tx: Tx, viewer: User, user_id: int) -> User:
    """Someone the viewer may add: a user sharing a workspace with them. Anyone else
    gets the same 404 as an id that does not exist."""
    target = user_store.get_user(tx.directory, user_id)
    if target is None:
        raise NotFound("no such user")
    if not workspace_store.shares_workspace(tx.directory, viewer.id, user_id):
        raise NotFound("no such user")
    return target


def do_add_contact(tx: Tx, user: User, contact_id: int) -> tuple[dict[str, Any], bool]:
    """Add someone to the caller's contacts; returns (contact, created). Idempotent."""
    if contact_id == user.id:
        raise BadRequest("you cannot add yourself as a contact", code="self_contact")
    target = _visible_user(tx, user, contact_id)
    created = contact_store.add_contact(tx.directory, user.id, target.id, now_ms())
    presence = tx.rt.presence.status(target.id)
    return {"user": user_json(target), "presence": presence}, created


def do_remove_contact(tx: Tx, user: User, contact_id: int) -> None:
    """Remove someone from the caller's contacts; removing a stranger is a no-op."""
    contact_store.remove_contact(tx.directory, user.id, contact_id)
