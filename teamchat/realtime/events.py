"""Event envelopes. A frame is what a socket receives: `{type, channel_id, seq, data}`.

An envelope says who may receive the frame: the members of a channel (checked
against current membership when delivered), or a list of users.
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


def frame(type_: str, channel_id: int | None, seq: int | None, data: Any) -> dict[str, Any]:
    return {
        "type": type_,
        "channel_id": str(channel_id) if channel_id is not None else None,
        "seq": seq,
        "data": data,
    }


def to_channel(
    type_: str, channel_id: int, seq: int | None, data: Any, member_ids: list[int],
    extra_user_ids: list[int] | None = None,
) -> dict[str, Any]:
    """For the channel's members as of the transaction that made the event (the socket
    tier never queries the database), plus extra_user_ids, e.g. a leaver who must still
    hear about their own leaving."""
    return {
        "channel_id": channel_id,
        "member_ids": list(member_ids),
        "user_ids": list(extra_user_ids or []),
        "frame": frame(type_, channel_id, seq, data),
    }


def to_users(
    type_: str, user_ids: list[int], data: Any, channel_id: int | None = None
) -> dict[str, Any]:
    return {
        "channel_id": None,
        "member_ids": [],
        "user_ids": list(user_ids),
        "frame": frame(type_, channel_id, None, data),
    }
