"""Delete for me: per-user hides of messages (shard database)."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamchat.models import Hide, Message


def is_hidden(s: Session, user_id: int, message_id: int) -> bool:
    return s.get(Hide, (user_id, message_id)) is not None


def add(s: Session, user_id: int, message: Message, now: int) -> bool:
    """Hide the message for the user; False if it was hidden already (also when a
    concurrent request of the same user got there first)."""
    if is_hidden(s, user_id, message.id):
        return False
    try:
        with s.begin_nested():
            s.add(
                Hide(
                    user_id=user_id,
                    message_id=message.id,
                    channel_id=message.channel_id,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False
    return True
