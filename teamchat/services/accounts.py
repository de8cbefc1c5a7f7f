"""Registration, login per device, logout, and token authentication."""

from __future__ import annotations

import hashlib
import secrets
from contextlib import suppress
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from teamchat.errors import BadRequest, Conflict, NotFound, RateLimited, Unauthorized
from teamchat.ids import now_ms
from teamchat.models import DeviceSession, User
from teamchat.realtime import events as ev
from teamchat.services.users import check_display_name, check_username, user_json
from teamchat.store import users as user_store
from teamchat.store.db import Tx

TOKEN_PREFIX = "tc_"
# Login attempts allowed per address per minute, as a multiple of the per-account limit.
IP_LIMIT_FACTOR = 10


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_cost: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost)


def hasher(tx: Tx) -> PasswordHasher:
    s = tx.rt.settings
    return _hasher(s.argon2_time_cost, s.argon2_memory_cost)


@lru_cache(maxsize=8)
def _decoy_hash(time_cost: int, memory_cost: int) -> str:
    return _hasher(time_cost, memory_cost).hash(secrets.token_urlsafe(16))


def _spend_verify_time(tx: Tx, password: str) -> None:
    """Verify against a decoy so an unknown name costs as long as a wrong password,
    and response times do not tell which usernames exist."""
    s = tx.rt.settings
    with suppress(VerificationError, InvalidHashError):
        hasher(tx).verify(_decoy_hash(s.argon2_time_cost, s.argon2_memory_cost), password)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password(password: str) -> str:
    if len(password) < 8:
        raise BadRequest("password must be at least 8 characters", code="weak_password")
    if len(password) > 1024:
        raise BadRequest("password must be at most 1024 characters", code="too_long")
    return password


def _new_session(tx: Tx, user_id: int, device: str) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = now_ms()
    user_store.add_session(
        tx.directory,
        DeviceSession(
            id=tx.rt.ids.next_id(),
            user_id=user_id,
            token_hash=hash_token(token),
            device=device[:200],
            created_at=now,
            last_used_at=now,
        ),
    )
    return token


def do_register(
    tx: Tx, username: str, password: str, display_name: str | None, device: str = ""
) -> dict[str, Any]:
    name = check_username(username)
    check_password(password)
    shown = check_display_name(display_name) if display_name else name
    if user_store.get_user_by_username(tx.directory, name) is not None:
        raise Conflict("that username is taken", code="username_taken")
    user = User(
        id=tx.rt.ids.next_id(),
        username=name,
        display_name=shown,
        password_hash=hasher(tx).hash(password),
        created_at=now_ms(),
        is_active=True,
    )
    try:
        user_store.add_user(tx.directory, user)
    except IntegrityError:
        # Two registrations raced for the same name; the loser gets the same answer.
        raise Conflict("that username is taken", code="username_taken") from None
    token = _new_session(tx, user.id, device)
    return {"user": user_json(user), "token": token}


def check_login(
    tx: Tx, username: str, password: str, device: str, client_ip: str
) -> dict[str, Any]:
    per_account = tx.rt.settings.login_attempts_per_minute
    # Limit per account and per address, so neither a guesser nor a spray gets far. An
    # address gets more: a whole office may log in from behind one NAT at nine o'clock.
    limits = (
        (f"login:user:{username.lower()}", per_account),
        (f"login:ip:{client_ip}", per_account * IP_LIMIT_FACTOR),
    )
    for key, limit in limits:
        wait = tx.rt.limiter.hit(key, limit, 60)
        if wait:
            raise RateLimited("too many login attempts; try again shortly", retry_after=wait)
    user = user_store.get_user_by_username(tx.directory, username)
    if user is None or not user.password_hash or not user.is_active:
        _spend_verify_time(tx, password)
        raise Unauthorized("wrong username or password", code="bad_credentials")
    try:
        hasher(tx).verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong username or password", code="bad_credentials") from None
    if hasher(tx).check_needs_rehash(user.password_hash):
        user.password_hash = hasher(tx).hash(password)
    token = _new_session(tx, user.id, device)
    return {"user": user_json(user), "token": token}


def do_set_password(tx: Tx, user_id: int, password: str) -> None:
    """Set or reset a password (the CLI's way to let an imported user log in)."""
    user = user_store.get_user(tx.directory, user_id)
    if user is None:
        raise NotFound("no such user")
    user.password_hash = hasher(tx).hash(check_password(password))


def authenticate(tx: Tx, token: str) -> tuple[User, int]:
    """The user and device-session id behind a bearer token, or 401."""
    found = user_store.session_user_by_token_hash(tx.directory, hash_token(token))
    if found is None or not found[1].is_active:
        raise Unauthorized("invalid or expired token", code="invalid_token")
    session_id, user = found
    return user, session_id


def do_logout(tx: Tx, user_id: int, session_id: int) -> None:
    """End one device session; its open sockets close after commit."""
    user_store.delete_session(tx.directory, session_id)
    tx.publish(ev.session_ended(user_id, session_id))
