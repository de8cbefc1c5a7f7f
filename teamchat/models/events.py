from __future__ import annotations

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from teamchat.models.base import MYSQL_TABLE, AutoId, LongText, ShardBase


class ChannelEvent(ShardBase):
    """The channel's event log: what a resuming client replays, in seq order."""

    __tablename__ = "channel_events"
    __table_args__ = MYSQL_TABLE

    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(LongText)  # JSON
    created_at: Mapped[int] = mapped_column(BigInteger)


class SearchOutbox(ShardBase):
    """A message whose search document must be (re)written; drained by the indexer."""

    __tablename__ = "search_outbox"
    __table_args__ = (Index("ix_search_outbox_message", "message_id"), MYSQL_TABLE)

    id: Mapped[int] = mapped_column(AutoId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)
