"""Read pointers: how far each member has read a channel. They only move forward;
moves are pushed live to the channel, not logged (clients re-read them on resume)."""

from __future__ import annotations

from typing import Any

from teamchat.errors import BadRequest
from teamchat.models import User
from teamchat.services.fanout import publish_live
from teamchat.store import events as event_store
from teamchat.store import reads as read_store
from teamchat.store.access import access_channel_by_id
from teamchat.store.db import Tx


def do_mark_read(tx: Tx, user: User, channel_id: int, seq: int) -> dict[str, Any]:
    """Move the caller's pointer to seq. A lower seq leaves it where it is; a seq past
    the channel's last one is a client bug and refused."""
    channel = access_channel_by_id(tx, user.id, channel_id, member=True)
    s = tx.shard(channel.shard)
    last_seq = event_store.last_seqs(s, [channel.id]).get(channel.id, 0)
    if seq > last_seq:
        raise BadRequest(
            f"seq {seq} is past the channel's last seq {last_seq}", code="seq_out_of_range"
        )
    pointer, moved = read_store.move(s, channel.id, user.id, seq)
    if moved:
        data = {"user_id": str(user.id), "last_read_seq": pointer}
        publish_live(tx, channel, "read.updated", data)
    return {"last_read_seq": pointer}
