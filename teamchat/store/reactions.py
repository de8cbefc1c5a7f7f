"""Queries on reactions (shard database)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamchat.models import Reaction


def for_messages(s: Session, message_ids: list[int]) -> dict[int, list[Reaction]]:
    out: dict[int, list[Reaction]] = {mid: [] for mid in message_ids}
    if not message_ids:
        return out
    rows = s.scalars(
        select(Reaction)
        .where(Reaction.message_id.in_(message_ids))
        .order_by(Reaction.created_at, Reaction.user_id)
    )
    for r in rows:
        out[r.message_id].append(r)
    return out


def get(s: Session, message_id: int, user_id: int, emoji: str) -> Reaction | None:
    return s.get(Reaction, (message_id, user_id, emoji))


def add_one(
    s: Session, message_id: int, channel_id: int, user_id: int, emoji: str, now: int
) -> bool:
    """Add the reaction; False if it is there already. A concurrent duplicate that wins
    the primary key is the same answer, not an error."""
    if get(s, message_id, user_id, emoji) is not None:
        return False
    try:
        with s.begin_nested():
            s.add(
                Reaction(
                    message_id=message_id,
                    user_id=user_id,
                    emoji=emoji,
                    channel_id=channel_id,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True


def delete_one(s: Session, message_id: int, user_id: int, emoji: str) -> bool:
    result = s.execute(
        delete(Reaction).where(
            Reaction.message_id == message_id,
            Reaction.user_id == user_id,
            Reaction.emoji == emoji,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def delete_all(s: Session, message_id: int) -> None:
    s.execute(delete(Reaction).where(Reaction.message_id == message_id))
