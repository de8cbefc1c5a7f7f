"""Queries for search: what the indexer reads from a shard, and what a searcher may see."""

from __future__ import annotations

from sqlalchemy import and_, bindparam, delete, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from teamchat.models import (
    Channel,
    ChannelCounter,
    ChannelMember,
    Hide,
    Mention,
    Message,
    Reaction,
    SearchOutbox,
)

# IN lists are chunked: MariaDB and SQLite both take far more, but packets stay small.
CHUNK = 1000


def _chunks(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + CHUNK] for i in range(0, len(ids), CHUNK)]


# -- indexing (shard database) ----------------------------------------------------------


def workspace_ids(s: Session, channel_ids: list[int]) -> dict[int, int]:
    """channel id -> workspace id, from the channel counters kept beside the messages."""
    out: dict[int, int] = {}
    for chunk in _chunks(sorted(set(channel_ids))):
        rows = s.execute(
            select(ChannelCounter.channel_id, ChannelCounter.workspace_id).where(
                ChannelCounter.channel_id.in_(chunk)
            )
        )
        out.update((cid, wid) for cid, wid in rows.tuples())
    return out


def reacted_ids(s: Session, message_ids: list[int]) -> set[int]:
    """The messages among `message_ids` that carry at least one reaction."""
    out: set[int] = set()
    for chunk in _chunks(message_ids):
        out.update(s.scalars(select(Reaction.message_id).where(Reaction.message_id.in_(chunk))))
    return out


def remove_outbox_rows(s: Session, rows: list[tuple[int, int, int]]) -> None:
    """Delete exactly these (id, message_id, created_at) outbox rows.

    Not by id alone: SQLite hands a deleted highest rowid out again, so while one
    drain works, another may empty the table and a new row may take an id the
    first one read; deleting that would lose the new change.
    """
    if not rows:
        return
    table = SearchOutbox.__table__
    stmt = delete(table).where(
        table.c.id == bindparam("row_id"),
        table.c.message_id == bindparam("mid"),
        table.c.created_at == bindparam("at"),
    )
    s.connection().execute(stmt, [{"row_id": i, "mid": m, "at": a} for i, m, a in rows])


def messages_after(s: Session, after_id: int, limit: int) -> list[Message]:
    """Messages of the shard in id order, for a full reindex (keyset paging)."""
    return list(
        s.scalars(select(Message).where(Message.id > after_id).order_by(Message.id).limit(limit))
    )


# -- what a searcher may see (shard database) -------------------------------------------


def hidden_ids(s: Session, user_id: int, channel_ids: list[int]) -> set[int]:
    """Messages the user deleted for themselves in these channels."""
    out: set[int] = set()
    for chunk in _chunks(channel_ids):
        out.update(
            s.scalars(
                select(Hide.message_id).where(Hide.user_id == user_id, Hide.channel_id.in_(chunk))
            )
        )
    return out


def mention_page(
    s: Session,
    user_id: int,
    channel_ids: list[int],
    before: tuple[int, int] | None,
    limit: int,
) -> list[tuple[int, Message]]:
    """(mentioned at, message), newest first, strictly before the (created_at,
    message_id) key: live messages in these channels that mention the user and that
    the user has not hidden."""
    if not channel_ids:
        return []
    hidden = exists().where(Hide.user_id == user_id, Hide.message_id == Mention.message_id)
    q = (
        select(Mention.created_at, Message)
        .join(Mention, Mention.message_id == Message.id)
        .where(
            Mention.user_id == user_id,
            Mention.channel_id.in_(channel_ids),
            Message.deleted_at.is_(None),
            ~hidden,
        )
    )
    if before is not None:
        at, mid = before
        q = q.where(
            or_(
                Mention.created_at < at,
                and_(Mention.created_at == at, Mention.message_id < mid),
            )
        )
    q = q.order_by(Mention.created_at.desc(), Mention.message_id.desc()).limit(limit)
    return [(at, m) for at, m in s.execute(q).tuples()]


# -- names in filters (directory database) ----------------------------------------------


def dm_between(s: Session, workspace_id: int, user_id: int, other_id: int) -> Channel | None:
    """The 1:1 DM of two users in a workspace, whatever its key looks like."""
    mine = aliased(ChannelMember)
    theirs = aliased(ChannelMember)
    q = (
        select(Channel)
        .join(mine, and_(mine.channel_id == Channel.id, mine.user_id == user_id))
        .join(theirs, and_(theirs.channel_id == Channel.id, theirs.user_id == other_id))
        .where(Channel.workspace_id == workspace_id, Channel.kind == "dm")
    )
    if user_id == other_id:
        # A DM with yourself has one member.
        solo = select(func.count()).where(ChannelMember.channel_id == Channel.id)
        q = q.where(solo.scalar_subquery() == 1)
    return s.scalars(q.limit(1)).first()
