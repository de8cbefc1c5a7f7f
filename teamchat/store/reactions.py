"""Queries on reactions (shard database)."""

from __future__ import annotations

from sqlalchemy import delete, select
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
