"""Publishing channel events: log them in the channel's sequence and queue them live."""

from __future__ import annotations

from typing import Any

from teamchat.models import Channel
from teamchat.realtime import events as ev
from teamchat.store import channels as channel_store
from teamchat.store import events as event_store
from teamchat.store.db import Tx


def log_and_publish(
    tx: Tx,
    channel: Channel,
    type_: str,
    data: Any,
    extra_user_ids: list[int] | None = None,
    seq: int | None = None,
) -> int:
    """Take the channel's next seq (unless given), append the event to the channel log,
    and queue the live frame for after commit, addressed to the current members."""
    s = tx.shard(channel.shard)
    if seq is None:
        seq = event_store.next_seq(s, channel.id)
    event_store.append(s, channel.id, seq, type_, data)
    members = channel_store.member_ids(tx.directory, channel.id)
    tx.publish(ev.to_channel(type_, channel.id, seq, data, members, extra_user_ids))
    return seq


def publish_live(
    tx: Tx, channel: Channel, type_: str, data: Any, extra_user_ids: list[int] | None = None
) -> None:
    """A live-only channel frame (read.updated, typing): not in the log, no seq."""
    members = channel_store.member_ids(tx.directory, channel.id)
    tx.publish(ev.to_channel(type_, channel.id, None, data, members, extra_user_ids))
