"""Moving a channel to another shard: copy, switch the directory entry, delete the source.

The source's counter row stays locked from the first read to the final delete, so no
change to the channel can slip in between; writers that waited on it find the channel
gone from that shard and get a 409 to retry, which then reaches the new shard.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from teamchat.errors import BadRequest, NotFound
from teamchat.models import (
    ChannelCounter,
    ChannelEvent,
    Hide,
    Mention,
    Message,
    Reaction,
    ReadPointer,
    SearchOutbox,
)
from teamchat.store import channels as channel_store
from teamchat.store.db import Databases

# Every shard table keyed by channel, the counter first (its lock guards the rest).
TABLES = (ChannelCounter, Message, Reaction, Hide, Mention, ReadPointer, ChannelEvent, SearchOutbox)
BATCH = 2000


@dataclass
class MoveReport:
    channel_id: int
    source: int
    target: int
    rows: dict[str, int]


def move_channel(dbs: Databases, channel_id: int, target: int) -> MoveReport:
    if not 0 <= target < dbs.shard_count:
        raise BadRequest(f"shard must be 0..{dbs.shard_count - 1}")
    # The directory first, then the shards: the lock order every transaction keeps.
    d = dbs.directory_session()
    src = dst = None
    rows: dict[str, int] = {}
    try:
        channel = channel_store.get_channel(d, channel_id)
        if channel is None:
            raise NotFound("no such channel")
        source = channel.shard
        if source == target:
            return MoveReport(channel_id, source, target, {})
        src = dbs.shard_session(source)
        dst = dbs.shard_session(target)
        counter = src.scalar(
            select(ChannelCounter).where(ChannelCounter.channel_id == channel_id).with_for_update()
        )
        if counter is None:
            raise NotFound("the channel has no data on its shard")
        for model in TABLES:
            table = model.__table__
            cols = [c for c in table.columns if c.name != "id" or model is not SearchOutbox]
            result = src.execute(select(*cols).where(table.c.channel_id == channel_id))
            count = 0
            while chunk := result.fetchmany(BATCH):
                dst.execute(insert(table), [dict(r._mapping) for r in chunk])
                count += len(chunk)
            rows[table.name] = count
        dst.commit()
        channel.shard = target
        d.commit()
        for model in reversed(TABLES):
            table = model.__table__
            src.execute(delete(table).where(table.c.channel_id == channel_id))
        src.commit()
    except BaseException:
        for session in (dst, src, d):
            if session is not None:
                session.rollback()
        raise
    finally:
        for session in (dst, src, d):
            if session is not None:
                session.close()
    return MoveReport(channel_id, source, target, rows)
