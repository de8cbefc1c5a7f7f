"""Read pointers and the unread and mention counts they give (shard database)."""

from __future__ import annotations

from sqlalchemy import and_, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamchat.models import Hide, Mention, Message, ReadPointer


def ensure_pointers(s: Session, channel_id: int, user_ids: list[int], seq: int) -> None:
    """Give members without a pointer one at `seq` (what they joined at is read)."""
    if not user_ids:
        return
    have = set(
        s.scalars(
            select(ReadPointer.user_id).where(
                ReadPointer.channel_id == channel_id, ReadPointer.user_id.in_(user_ids)
            )
        )
    )
    s.add_all(
        ReadPointer(channel_id=channel_id, user_id=uid, last_read_seq=seq)
        for uid in user_ids
        if uid not in have
    )
    s.flush()


def advance(s: Session, channel_id: int, user_id: int, seq: int) -> int:
    """Move the pointer forward to seq (never back); returns the pointer after."""
    return move(s, channel_id, user_id, seq)[0]


def move(s: Session, channel_id: int, user_id: int, seq: int) -> tuple[int, bool]:
    """Move the pointer forward to seq (never back): (pointer after, whether it moved).
    The conditional UPDATE decides, so of two concurrent moves only a real one counts."""
    result = s.execute(
        update(ReadPointer)
        .where(
            ReadPointer.channel_id == channel_id,
            ReadPointer.user_id == user_id,
            ReadPointer.last_read_seq < seq,
        )
        .values(last_read_seq=seq)
    )
    moved = bool(result.rowcount)  # type: ignore[attr-defined]
    if moved:
        return seq, True  # the UPDATE set it: no need to read it back
    current = pointer(s, channel_id, user_id)
    if current is not None:
        return int(current), moved
    try:
        with s.begin_nested():
            s.add(ReadPointer(channel_id=channel_id, user_id=user_id, last_read_seq=seq))
    except IntegrityError:
        # A concurrent request made the row first: move that one instead.
        return move(s, channel_id, user_id, seq)
    return seq, seq > 0


def pointer(s: Session, channel_id: int, user_id: int) -> int | None:
    return s.scalar(
        select(ReadPointer.last_read_seq).where(
            ReadPointer.channel_id == channel_id, ReadPointer.user_id == user_id
        )
    )


def pointers(s: Session, channel_id: int) -> dict[int, int]:
    rows = s.execute(
        select(ReadPointer.user_id, ReadPointer.last_read_seq).where(
            ReadPointer.channel_id == channel_id
        )
    )
    return {uid: seq for uid, seq in rows.tuples()}


def counts(s: Session, user_id: int, channel_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """channel id -> (unread, mentions, last_read_seq) for one user, in two queries.

    Unread counts top-level messages by others after the pointer, not deleted and
    not hidden by the user; mentions count the same way but include thread replies.
    """
    if not channel_ids:
        return {}
    rp = {
        cid: seq
        for cid, seq in s.execute(
            select(ReadPointer.channel_id, ReadPointer.last_read_seq).where(
                ReadPointer.user_id == user_id, ReadPointer.channel_id.in_(channel_ids)
            )
        ).tuples()
    }
    hidden = exists().where(Hide.user_id == user_id, Hide.message_id == Message.id)
    pointer = (
        select(ReadPointer.last_read_seq)
        .where(ReadPointer.channel_id == Message.channel_id, ReadPointer.user_id == user_id)
        .scalar_subquery()
    )
    unread = dict(
        s.execute(
            select(Message.channel_id, func.count())
            .where(
                Message.channel_id.in_(channel_ids),
                Message.seq > func.coalesce(pointer, 0),
                Message.author_id != user_id,
                Message.deleted_at.is_(None),
                Message.thread_root_id.is_(None),
                Message.kind != "system",
                ~hidden,
            )
            .group_by(Message.channel_id)
        ).all()
    )
    mention_pointer = (
        select(ReadPointer.last_read_seq)
        .where(ReadPointer.channel_id == Mention.channel_id, ReadPointer.user_id == user_id)
        .scalar_subquery()
    )
    mentioned = dict(
        s.execute(
            select(Mention.channel_id, func.count())
            .join(Message, Message.id == Mention.message_id)
            .where(
                Mention.user_id == user_id,
                Mention.channel_id.in_(channel_ids),
                Mention.seq > func.coalesce(mention_pointer, 0),
                Message.author_id != user_id,
                Message.deleted_at.is_(None),
                ~exists().where(
                    and_(Hide.user_id == user_id, Hide.message_id == Mention.message_id)
                ),
            )
            .group_by(Mention.channel_id)
        ).all()
    )
    return {
        cid: (int(unread.get(cid, 0)), int(mentioned.get(cid, 0)), int(rp.get(cid, 0)))
        for cid in channel_ids
    }
