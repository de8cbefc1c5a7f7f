"""Threads: a root message and its replies, shown together."""

from __future__ import annotations

from typing import Any

from teamchat.models import User
from teamchat.services.messages import messages_json, one_message_json
from teamchat.store import messages as message_store
from teamchat.store.access import access_message_by_id
from teamchat.store.db import Tx

MAX_REPLIES = 1000


def get_thread(
    tx: Tx, user: User, message_id: int, after: int = 0, limit: int = MAX_REPLIES
) -> dict[str, Any]:
    """The thread a message belongs to: its root, and the replies after a seq, oldest
    first. A reply's id opens its root's thread, so a permalink to a reply works."""
    channel, m = access_message_by_id(tx, user.id, message_id)
    if m.thread_root_id is not None:
        channel, m = access_message_by_id(tx, user.id, m.thread_root_id)
    s = tx.shard(channel.shard)
    replies, more = message_store.thread_replies(s, m.id, user.id, after=after, limit=limit)
    return {
        "root": one_message_json(tx, m, channel.shard),
        "replies": messages_json(tx, replies, channel.shard),
        "has_more": more,
    }
