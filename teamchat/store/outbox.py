"""The search outbox (shard database): messages whose search document must be rewritten."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from teamchat.ids import now_ms
from teamchat.models import SearchOutbox


def add(s: Session, message_id: int, channel_id: int) -> None:
    s.add(SearchOutbox(message_id=message_id, channel_id=channel_id, created_at=now_ms()))


def add_many(s: Session, rows: list[tuple[int, int]]) -> None:
    now = now_ms()
    s.add_all(SearchOutbox(message_id=m, channel_id=c, created_at=now) for m, c in rows)


def batch(s: Session, limit: int) -> list[SearchOutbox]:
    return list(s.scalars(select(SearchOutbox).order_by(SearchOutbox.id).limit(limit)))


def remove(s: Session, ids: list[int]) -> None:
    if ids:
        s.execute(delete(SearchOutbox).where(SearchOutbox.id.in_(ids)))


def pending(s: Session) -> int:
    from sqlalchemy import func

    return int(s.scalar(select(func.count()).select_from(SearchOutbox)) or 0)
