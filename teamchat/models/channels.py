from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from teamchat.models.base import MYSQL_TABLE, DirectoryBase, Id

KINDS = ("public", "private", "dm", "group")


class Channel(DirectoryBase):
    """Where a channel lives: its kind, workspace and shard. Content is on the shard."""

    __tablename__ = "channels"
    __table_args__ = (
        UniqueConstraint("workspace_id", "name_key", name="uq_channels_workspace_name"),
        Index("ix_channels_workspace_kind", "workspace_id", "kind"),
        MYSQL_TABLE,
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    workspace_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str | None] = mapped_column(String(80))
    # Lower-cased name for uniqueness; None for DMs (NULLs never collide).
    name_key: Mapped[str | None] = mapped_column(String(80))
    topic: Mapped[str] = mapped_column(String(250), default="")
    shard: Mapped[int] = mapped_column(Integer)
    # "wid:low_uid:high_uid" for a 1:1 DM, so creating it twice finds the same one.
    dm_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[int] = mapped_column(BigInteger)


class ChannelMember(DirectoryBase):
    __tablename__ = "channel_members"
    __table_args__ = (Index("ix_channel_members_user", "user_id"), MYSQL_TABLE)

    channel_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    joined_at: Mapped[int] = mapped_column(BigInteger)
    # A 1:1 DM its member left: hidden from their list until the next message.
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
