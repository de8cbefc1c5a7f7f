"""Event envelopes. A frame is what a socket receives: `{type, channel_id, seq, data}`.

An envelope says who receives the frame, decided in the transaction that made it (the
socket tier never queries the database): the channel's members as of that transaction
plus a few extra users, or a list of users.
"""

from __future__ import annotations

from typing import Any

CHANNEL_TYPES = (
    "message.posted",
    "message.edited",
    "message.deleted",
    "reaction.added",
    "reaction.removed",
    "member.joined",
    "member.left",
    "channel.created",
)
LIVE_ONLY_TYPES = ("read.updated", "typing", "presence.changed", "message.hidden")
# For the hub, never sent: the sockets of a device session that ended close with 4401.
SESSION_ENDED_TYPE = "session.ended"
# What a socket whose send queue is full drops first: stale a second later anyway.
DROPPABLE_TYPES = frozenset(("typing", "presence.changed"))

Frame = dict[str, Any]
Envelope = dict[str, Any]


def frame(type_: str, channel_id: int | None, seq: int | None, data: Any) -> Frame:
    return {
        "type": type_,
        "channel_id": str(channel_id) if channel_id is not None else None,
        "seq": seq,
        "data": data,
    }


def to_channel(
    type_: str,
    channel_id: int,
    seq: int | None,
    data: Any,
    member_ids: list[int],
    extra_user_ids: list[int] | None = None,
) -> Envelope:
    """For the channel's members as of the transaction that made the event, plus
    extra_user_ids, e.g. a leaver who must still hear about their own leaving."""
    return {
        "channel_id": channel_id,
        "member_ids": list(member_ids),
        "user_ids": list(extra_user_ids or []),
        "frame": frame(type_, channel_id, seq, data),
    }


def to_users(type_: str, user_ids: list[int], data: Any, channel_id: int | None = None) -> Envelope:
    return {
        "channel_id": None,
        "member_ids": [],
        "user_ids": list(user_ids),
        "frame": frame(type_, channel_id, None, data),
    }


def session_ended(user_id: int, session_id: int) -> Envelope:
    """The device session was logged out: its sockets close, other devices hear nothing."""
    return to_users(SESSION_ENDED_TYPE, [user_id], {"session_id": str(session_id)})


def ended_session_id(envelope: Envelope) -> int | None:
    """The device session a session.ended envelope is about; None for other envelopes."""
    frame_ = envelope.get("frame") or {}
    if frame_.get("type") != SESSION_ENDED_TYPE:
        return None
    try:
        return int((frame_.get("data") or {})["session_id"])
    except (KeyError, TypeError, ValueError):
        return None


def recipients(envelope: Envelope) -> set[int]:
    """Who the envelope is for: a channel's members and extra users, or its users."""
    return {int(u) for u in envelope.get("member_ids") or ()} | {
        int(u) for u in envelope.get("user_ids") or ()
    }


def subject_user_id(data: Any) -> int | None:
    """The user a member.joined / member.left event is about."""
    if not isinstance(data, dict):
        return None
    user = data.get("user")
    raw = user.get("id") if isinstance(user, dict) else data.get("user_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def control(type_: str, data: Any = None, **top: Any) -> Frame:
    """A frame of the socket protocol itself (hello, pong, resumed, error)."""
    return {"type": type_, "channel_id": None, "seq": None, **top, "data": data}


def error_frame(code: str, message: str, **extra: Any) -> Frame:
    return control("error", {"error": {"code": code, "message": message}, **extra})
