from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from teamchat.models.base import MYSQL_TABLE, DirectoryBase, Id


class User(DirectoryBase):
    __tablename__ = "users"
    __table_args__ = MYSQL_TABLE

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    # Stored lower-cased: usernames are case-insensitive and unique per installation.
    username: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    # None: an imported user who cannot log in until an admin sets a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    avatar_url: Mapped[str | None] = mapped_column(String(2048))
    created_at: Mapped[int] = mapped_column(BigInteger)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class DeviceSession(DirectoryBase):
    """One row per device login; the token itself is never stored, only its SHA-256."""

    __tablename__ = "device_sessions"
    __table_args__ = (Index("ix_device_sessions_user", "user_id"), MYSQL_TABLE)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(BigInteger)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    device: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    last_used_at: Mapped[int] = mapped_column(BigInteger)
