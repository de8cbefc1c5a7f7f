"""Queries on messages (shard database)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.orm import Session

from teamchat.errors import Conflict
from teamchat.models import ChannelCounter, ChannelEvent, Hide, Message
from teamchat.store.events import LOCKED_SEQS


def get_message(s: Session, message_id: int) -> Message | None:
    return s.get(Message, message_id)


def get_messages(s: Session, message_ids: list[int]) -> dict[int, Message]:
    if not message_ids:
        return {}
    return {m.id: m for m in s.scalars(select(Message).where(Message.id.in_(message_ids)))}


def by_client_msg_id(s: Session, channel_id: int, author_id: int, cmid: str) -> Message | None:
    return s.scalar(
        select(Message).where(
            Message.channel_id == channel_id,
            Message.author_id == author_id,
            Message.client_msg_id == cmid,
        )
    )


def lock_channel(s: Session, channel_id: int) -> None:
    """Lock the channel's counter row until commit. Every change to a channel's content
    takes this lock first, then touches message rows: one order, so no deadlocks, and
    checks made after it (deleted? already reacted?) hold until commit."""
    last_seq = s.scalar(
        select(ChannelCounter.last_seq)
        .where(ChannelCounter.channel_id == channel_id)
        .with_for_update()
    )
    if last_seq is None:
        # The channel moved to another shard while this request waited for the lock.
        raise Conflict("the channel moved; try again", code="channel_moved")
    # Nobody else can move the counter until commit: next_seq need not read it back.
    s.info.setdefault(LOCKED_SEQS, {})[channel_id] = int(last_seq)


def reload(s: Session, message_id: int) -> Message | None:
    """The row as committed now, replacing what the session read before a lock."""
    return s.scalar(
        select(Message).where(Message.id == message_id).execution_options(populate_existing=True)
    )


def add_message(s: Session, message: Message) -> None:
    s.add(message)
    s.flush()


def _visible(channel_id: int, viewer_id: int):  # type: ignore[no-untyped-def]
    """Top-level messages of the channel that the viewer has not hidden."""
    hidden = exists().where(Hide.user_id == viewer_id, Hide.message_id == Message.id)
    return select(Message).where(
        Message.channel_id == channel_id,
        Message.thread_root_id.is_(None),
        ~hidden,
    )


def page(
    s: Session,
    channel_id: int,
    viewer_id: int,
    *,
    before: int | None = None,
    after: int | None = None,
    limit: int = 50,
) -> tuple[list[Message], bool]:
    """Up to `limit` messages strictly before or after a seq, ascending, and whether
    more lie beyond in the same direction."""
    q = _visible(channel_id, viewer_id)
    if after is not None:
        q = q.where(Message.seq > after).order_by(Message.seq.asc())
    else:
        if before is not None:
            q = q.where(Message.seq < before)
        q = q.order_by(Message.seq.desc())
    rows = list(s.scalars(q.limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    if after is None:
        rows.reverse()
    return rows, more


def has_visible(
    s: Session,
    channel_id: int,
    viewer_id: int,
    *,
    before: int | None = None,
    after: int | None = None,
) -> bool:
    q = _visible(channel_id, viewer_id)
    if before is not None:
        q = q.where(Message.seq < before)
    if after is not None:
        q = q.where(Message.seq > after)
    return s.scalar(select(q.exists())) or False


def thread_replies(
    s: Session, root_id: int, viewer_id: int, after: int = 0, limit: int = 1000
) -> tuple[list[Message], bool]:
    """Replies after a seq, ascending, that the viewer has not hidden, and whether
    more follow."""
    hidden = exists().where(Hide.user_id == viewer_id, Hide.message_id == Message.id)
    rows = list(
        s.scalars(
            select(Message)
            .where(Message.thread_root_id == root_id, Message.seq > after, ~hidden)
            .order_by(Message.seq)
            .limit(limit + 1)
        )
    )
    return rows[:limit], len(rows) > limit


def scrub_events(s: Session, message: Message, payload: dict[str, Any]) -> int:
    """Replace the message's copies in its channel's log (posted and edited events)
    with `payload`, so a purged text does not come back in a replay. Those events
    start with the message's id: message JSON puts "id" first."""
    prefix = json.dumps({"id": str(message.id)}, separators=(",", ":"))[:-1] + ","
    result = s.execute(
        update(ChannelEvent)
        .where(
            ChannelEvent.channel_id == message.channel_id,
            ChannelEvent.seq >= message.seq,
            ChannelEvent.type.in_(("message.posted", "message.edited")),
            ChannelEvent.payload.startswith(prefix, autoescape=True),
        )
        .values(payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")))
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


def is_hidden(s: Session, viewer_id: int, message_id: int) -> bool:
    return s.get(Hide, (viewer_id, message_id)) is not None
