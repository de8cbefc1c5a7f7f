from __future__ import annotations

from sqlalchemy import BigInteger, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamchat.models.base import MYSQL_TABLE, Id, LongText, ShardBase


class ChannelCounter(ShardBase):
    """The channel's sequence counter; its row lock orders every change to the channel."""

    __tablename__ = "channel_counters"
    __table_args__ = MYSQL_TABLE

    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    workspace_id: Mapped[int] = mapped_column(BigInteger)


class Message(ShardBase):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("channel_id", "seq", name="uq_messages_channel_seq"),
        UniqueConstraint("channel_id", "author_id", "client_msg_id", name="uq_messages_client_msg"),
        Index("ix_messages_thread", "thread_root_id", "seq"),
        Index("ix_messages_author", "author_id", "created_at"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    author_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8), default="message")  # message|action|system
    text: Mapped[str] = mapped_column(LongText)
    created_at: Mapped[int] = mapped_column(BigInteger)
    edited_at: Mapped[int | None] = mapped_column(BigInteger)
    deleted_at: Mapped[int | None] = mapped_column(BigInteger)
    thread_root_id: Mapped[int | None] = mapped_column(BigInteger)
    reply_count: Mapped[int] = mapped_column(Integer, default=0)
    last_reply_at: Mapped[int | None] = mapped_column(BigInteger)
    client_msg_id: Mapped[str | None] = mapped_column(String(64))
    # The mentions parsed from text, as JSON [{kind, user_id, start, end}], for display.
    mentions_json: Mapped[str] = mapped_column(LongText, default="[]")
    # Bumped on every change the search index must see; the index keeps the highest.
    version: Mapped[int] = mapped_column(BigInteger, default=1)


class Reaction(ShardBase):
    __tablename__ = "reactions"
    __table_args__ = (Index("ix_reactions_channel", "channel_id"), MYSQL_TABLE)

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    emoji: Mapped[str] = mapped_column(String(64), primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class Hide(ShardBase):
    """Delete for me."""

    __tablename__ = "hides"
    __table_args__ = (Index("ix_hides_channel_user", "channel_id", "user_id"), MYSQL_TABLE)

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class Mention(ShardBase):
    """One row per (message, mentioned user); @channel/@all/@here expand at send time."""

    __tablename__ = "mentions"
    __table_args__ = (
        Index("ix_mentions_user_created", "user_id", "created_at"),
        Index("ix_mentions_channel_user_seq", "channel_id", "user_id", "seq"),
        MYSQL_TABLE,
    )

    message_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    channel_id: Mapped[int] = mapped_column(BigInteger)
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))  # user|channel|all|here
    created_at: Mapped[int] = mapped_column(BigInteger)


class ReadPointer(ShardBase):
    __tablename__ = "read_pointers"
    __table_args__ = MYSQL_TABLE

    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    last_read_seq: Mapped[int] = mapped_column(BigInteger, default=0)
