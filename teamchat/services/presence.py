"""Presence changes: who hears that a user came online, went away or went offline."""

from __future__ import annotations

from teamchat.realtime import events as ev
from teamchat.store import channels as channel_store
from teamchat.store import contacts as contact_store
from teamchat.store.db import Tx


def presence_audience(tx: Tx, user_id: int) -> list[int]:
    """Everyone who has the user in their contacts, everyone who shares a DM or group
    DM with them, and the user's own devices."""
    watchers = set(contact_store.watcher_ids(tx.directory, user_id))
    partners = channel_store.user_ids_sharing_channels(tx.directory, user_id)
    return sorted(watchers | partners | {user_id})


def do_announce_presence(tx: Tx, user_id: int, status: str) -> None:
    """One presence.changed per real change of status (the caller decided that)."""
    data = {"user_id": str(user_id), "presence": status}
    tx.publish(ev.to_users("presence.changed", presence_audience(tx, user_id), data))
