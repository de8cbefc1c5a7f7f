"""Queries on messages (shard database)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from teamchat.models import Hide, Message


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


def thread_replies(s: Session, root_id: int, viewer_id: int, limit: int = 1000) -> list[Message]:
    hidden = exists().where(Hide.user_id == viewer_id, Hide.message_id == Message.id)
    return list(
        s.scalars(
            select(Message)
            .where(Message.thread_root_id == root_id, ~hidden)
            .order_by(Message.seq)
            .limit(limit)
        )
    )


def is_hidden(s: Session, viewer_id: int, message_id: int) -> bool:
    return s.get(Hide, (viewer_id, message_id)) is not None
