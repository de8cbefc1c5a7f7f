"""The channel's sequence counter and event log (shard database)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from teamchat.errors import Conflict
from teamchat.ids import now_ms
from teamchat.models import ChannelCounter, ChannelEvent

# Session.info key: channel id -> its counter as read under this transaction's lock
# (teamchat.store.messages.lock_channel).
LOCKED_SEQS = "teamchat.locked_seqs"


def create_counter(s: Session, channel_id: int, workspace_id: int) -> None:
    s.add(ChannelCounter(channel_id=channel_id, last_seq=0, workspace_id=workspace_id))
    s.flush()


def next_seq(s: Session, channel_id: int) -> int:
    """Take the next sequence number. The UPDATE locks the counter row until commit,
    so within a channel commit order equals sequence order."""
    result = s.execute(
        update(ChannelCounter)
        .where(ChannelCounter.channel_id == channel_id)
        .values(last_seq=ChannelCounter.last_seq + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        # The channel moved to another shard while this request waited for its lock.
        raise Conflict("the channel moved; try again", code="channel_moved")
    locked = s.info.get(LOCKED_SEQS, {})
    if channel_id in locked:  # read under our lock (lock_channel): it is ours to count
        locked[channel_id] += 1
        return int(locked[channel_id])
    return int(
        s.scalar(select(ChannelCounter.last_seq).where(ChannelCounter.channel_id == channel_id))
    )


def last_seqs(s: Session, channel_ids: list[int]) -> dict[int, int]:
    if not channel_ids:
        return {}
    rows = s.execute(
        select(ChannelCounter.channel_id, ChannelCounter.last_seq).where(
            ChannelCounter.channel_id.in_(channel_ids)
        )
    )
    return {cid: seq for cid, seq in rows.tuples()}


def append(s: Session, channel_id: int, seq: int, type_: str, data: Any) -> None:
    s.add(
        ChannelEvent(
            channel_id=channel_id,
            seq=seq,
            type=type_,
            payload=json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            created_at=now_ms(),
        )
    )


def events_after(
    s: Session, channel_id: int, after_seq: int, limit: int = 1000
) -> list[ChannelEvent]:
    return list(
        s.scalars(
            select(ChannelEvent)
            .where(ChannelEvent.channel_id == channel_id, ChannelEvent.seq > after_seq)
            .order_by(ChannelEvent.seq)
            .limit(limit)
        )
    )
