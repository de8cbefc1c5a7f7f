"""Queries on contact lists (directory database)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from teamchat.models import Contact


def get_contact(s: Session, owner_id: int, contact_id: int) -> Contact | None:
    return s.get(Contact, (owner_id, contact_id))


def add_contact(s: Session, owner_id: int, contact_id: int, now: int) -> bool:
    """Add to the owner's list; False if it was already there (perhaps put there by a
    concurrent request: the savepoint keeps the rest of the transaction usable)."""
    if get_contact(s, owner_id, contact_id) is not None:
        return False
    try:
        with s.begin_nested():
            s.add(Contact(owner_id=owner_id, contact_id=contact_id, created_at=now))
    except IntegrityError:
        return False
    return True


def remove_contact(s: Session, owner_id: int, contact_id: int) -> None:
    s.execute(delete(Contact).where(Contact.owner_id == owner_id, Contact.contact_id == contact_id))


def contact_ids(s: Session, owner_id: int) -> list[int]:
    return list(
        s.scalars(
            select(Contact.contact_id)
            .where(Contact.owner_id == owner_id)
            .order_by(Contact.created_at, Contact.contact_id)
        )
    )


def watcher_ids(s: Session, contact_id: int) -> list[int]:
    """Everyone who has the user in their contacts: who hears of their presence."""
    return list(s.scalars(select(Contact.owner_id).where(Contact.contact_id == contact_id)))
