"""Queries on channels and channel membership (directory database)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from teamchat.models import Channel, ChannelMember


def get_channel(s: Session, channel_id: int) -> Channel | None:
    return s.get(Channel, channel_id)


def get_channels(s: Session, channel_ids: list[int]) -> dict[int, Channel]:
    if not channel_ids:
        return {}
    return {c.id: c for c in s.scalars(select(Channel).where(Channel.id.in_(channel_ids)))}


def channel_by_name(s: Session, workspace_id: int, name: str) -> Channel | None:
    return s.scalar(
        select(Channel).where(
            Channel.workspace_id == workspace_id, Channel.name_key == name.lower()
        )
    )


def channel_by_dm_key(s: Session, dm_key: str) -> Channel | None:
    return s.scalar(select(Channel).where(Channel.dm_key == dm_key))


def get_member(s: Session, channel_id: int, user_id: int) -> ChannelMember | None:
    return s.get(ChannelMember, (channel_id, user_id))


def member_ids(s: Session, channel_id: int) -> list[int]:
    return list(
        s.scalars(
            select(ChannelMember.user_id)
            .where(ChannelMember.channel_id == channel_id)
            .order_by(ChannelMember.joined_at, ChannelMember.user_id)
        )
    )


def members(s: Session, channel_id: int) -> list[ChannelMember]:
    return list(
        s.scalars(
            select(ChannelMember)
            .where(ChannelMember.channel_id == channel_id)
            .order_by(ChannelMember.joined_at, ChannelMember.user_id)
        )
    )


def member_ids_by_channel(s: Session, channel_ids: list[int]) -> dict[int, list[int]]:
    """Members of several channels in one query (for DM and group names in lists)."""
    out: dict[int, list[int]] = {cid: [] for cid in channel_ids}
    if not channel_ids:
        return out
    rows = s.execute(
        select(ChannelMember.channel_id, ChannelMember.user_id)
        .where(ChannelMember.channel_id.in_(channel_ids))
        .order_by(ChannelMember.joined_at, ChannelMember.user_id)
    )
    for cid, uid in rows.tuples():
        out[cid].append(uid)
    return out


def existing_member_ids(s: Session, channel_id: int, user_ids: list[int]) -> set[int]:
    """Which of user_ids are members of the channel already."""
    if not user_ids:
        return set()
    return set(
        s.scalars(
            select(ChannelMember.user_id).where(
                ChannelMember.channel_id == channel_id, ChannelMember.user_id.in_(user_ids)
            )
        )
    )


def joined_channel_ids(s: Session, user_id: int, channel_ids: list[int]) -> set[int]:
    """Which of channel_ids the user is a member of."""
    if not channel_ids:
        return set()
    return set(
        s.scalars(
            select(ChannelMember.channel_id).where(
                ChannelMember.user_id == user_id, ChannelMember.channel_id.in_(channel_ids)
            )
        )
    )


def member_counts(s: Session, channel_ids: list[int]) -> dict[int, int]:
    if not channel_ids:
        return {}
    rows = s.execute(
        select(ChannelMember.channel_id, func.count())
        .where(ChannelMember.channel_id.in_(channel_ids))
        .group_by(ChannelMember.channel_id)
    )
    return {cid: n for cid, n in rows.tuples()}


def channels_of_user(s: Session, user_id: int, workspace_id: int | None = None) -> list[Channel]:
    """Channels the user is a member of (hidden 1:1 DMs excluded)."""
    q = (
        select(Channel)
        .join(ChannelMember, ChannelMember.channel_id == Channel.id)
        .where(ChannelMember.user_id == user_id, ChannelMember.hidden.is_(False))
    )
    if workspace_id is not None:
        q = q.where(Channel.workspace_id == workspace_id)
    return list(s.scalars(q.order_by(Channel.created_at)))


def readable_channel_ids(s: Session, user_id: int, workspace_id: int) -> list[int]:
    """Every channel the user may read now: the workspace's public channels, and the
    private channels and DMs where the user is a member (hidden 1:1 DMs included)."""
    public = select(Channel.id).where(
        Channel.workspace_id == workspace_id, Channel.kind == "public"
    )
    joined = (
        select(Channel.id)
        .join(ChannelMember, ChannelMember.channel_id == Channel.id)
        .where(Channel.workspace_id == workspace_id, ChannelMember.user_id == user_id)
    )
    return sorted(set(s.scalars(public)) | set(s.scalars(joined)))


def public_channels(s: Session, workspace_id: int) -> list[Channel]:
    return list(
        s.scalars(
            select(Channel)
            .where(Channel.workspace_id == workspace_id, Channel.kind == "public")
            .order_by(Channel.name_key)
        )
    )


def add_channel(s: Session, channel: Channel) -> None:
    s.add(channel)
    s.flush()


def add_members(s: Session, rows: list[ChannelMember]) -> None:
    s.add_all(rows)
    s.flush()


def remove_member(s: Session, channel_id: int, user_id: int) -> None:
    row = get_member(s, channel_id, user_id)
    if row is not None:
        s.delete(row)
        s.flush()


def user_ids_sharing_channels(s: Session, user_id: int) -> set[int]:
    """Everyone who shares a DM or group DM with the user (for presence)."""
    mine = (
        select(ChannelMember.channel_id)
        .join(Channel, Channel.id == ChannelMember.channel_id)
        .where(ChannelMember.user_id == user_id, Channel.kind.in_(("dm", "group")))
    )
    return set(
        s.scalars(select(ChannelMember.user_id).where(ChannelMember.channel_id.in_(mine)))
    ) - {user_id}
