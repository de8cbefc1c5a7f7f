"""Mention rows: who a message mentions, for mention counts and the mentions list
(shard database)."""

from __future__ import annotations

from sqlalchemy import delete
from sqlalchemy.orm import Session

from teamchat.models import Mention


def add_all(s: Session, rows: list[Mention]) -> None:
    s.add_all(rows)
    s.flush()


def delete_for_message(s: Session, message_id: int) -> None:
    s.execute(delete(Mention).where(Mention.message_id == message_id))


def replace_for_message(s: Session, message_id: int, rows: list[Mention]) -> None:
    """Rewrite the message's mention rows (an edit recomputes them from the new text)."""
    delete_for_message(s, message_id)
    add_all(s, rows)
