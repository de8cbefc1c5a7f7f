from __future__ import annotations

from sqlalchemy import BigInteger, Index
from sqlalchemy.orm import Mapped, mapped_column

from teamchat.models.base import MYSQL_TABLE, DirectoryBase


class Contact(DirectoryBase):
    """A user's own contact list; one-way, like an address book."""

    __tablename__ = "contacts"
    __table_args__ = (Index("ix_contacts_contact", "contact_id"), MYSQL_TABLE)

    owner_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    contact_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
