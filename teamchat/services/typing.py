"""Typing indicators: live only, to the channel's other members."""

from __future__ import annotations

from teamchat.realtime import events as ev
from teamchat.store import channels as channel_store
from teamchat.store.access import access_channel_by_id
from teamchat.store.db import Tx

# At most one typing frame per user per channel in this many seconds.
TYPING_EVERY_SECONDS = 3.0


def do_typing(tx: Tx, user_id: int, channel_id: int) -> None:
    """Tell the other members that the user is typing; only members may."""
    channel = access_channel_by_id(tx, user_id, channel_id, member=True)
    others = [m for m in channel_store.member_ids(tx.directory, channel.id) if m != user_id]
    if others:
        data = {"user_id": str(user_id)}
        tx.publish(ev.to_channel("typing", channel.id, None, data, others))
