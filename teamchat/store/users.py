"""Queries on users and device sessions (directory database)."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from teamchat.models import DeviceSession, User


def get_user(s: Session, user_id: int) -> User | None:
    return s.get(User, user_id)


def get_users(s: Session, user_ids: list[int] | set[int]) -> dict[int, User]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    out: dict[int, User] = {}
    for i in range(0, len(ids), 1000):
        for user in s.scalars(select(User).where(User.id.in_(ids[i : i + 1000]))):
            out[user.id] = user
    return out


def get_user_by_username(s: Session, username: str) -> User | None:
    return s.scalar(select(User).where(User.username == username.lower()))


def get_users_by_usernames(s: Session, usernames: list[str]) -> dict[str, User]:
    names = list({u.lower() for u in usernames})
    if not names:
        return {}
    return {u.username: u for u in s.scalars(select(User).where(User.username.in_(names)))}


def add_user(s: Session, user: User) -> User:
    s.add(user)
    s.flush()
    return user


def add_session(s: Session, row: DeviceSession) -> None:
    s.add(row)
    s.flush()


def session_user_by_token_hash(s: Session, token_hash: str) -> tuple[int, User] | None:
    """The device session's id and its user, in one query: every request asks this."""
    row = s.execute(
        select(DeviceSession.id, User)
        .join(User, User.id == DeviceSession.user_id)
        .where(DeviceSession.token_hash == token_hash)
    ).first()
    return (int(row[0]), row[1]) if row is not None else None


def delete_session(s: Session, session_id: int) -> None:
    row = s.get(DeviceSession, session_id)
    if row is not None:
        s.delete(row)


def touch_session(s: Session, session_id: int, now: int) -> None:
    s.execute(update(DeviceSession).where(DeviceSession.id == session_id).values(last_used_at=now))
