"""Channels: create, list with counts, show."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from typing import Any

from sqlalchemy.exc import IntegrityError

from teamchat.errors import BadRequest, Conflict
from teamchat.ids import now_ms
from teamchat.models import Channel, ChannelMember, User
from teamchat.realtime import events as ev
from teamchat.services.users import user_json
from teamchat.store import channels as channel_store
from teamchat.store import events as event_store
from teamchat.store import reads as read_store
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.access import access_channel_by_id, access_workspace_by_id
from teamchat.store.db import Tx
from teamchat.timefmt import iso

CHANNEL_NAME_RE = re.compile(r"^[\w-]{1,80}$")


def check_channel_name(raw: str) -> str:
    # Like Slack: lower case, spaces become hyphens.
    name = "-".join(raw.strip().lower().split())
    if not CHANNEL_NAME_RE.match(name) or name.strip("-_") == "":
        raise BadRequest(
            "channel name must be 1 to 80 letters, digits, '-' or '_'", code="invalid_name"
        )
    return name


def pick_shard(tx: Tx, channel_id: int) -> int:
    # Snowflake low bits are a per-millisecond sequence: spread by a hash of the id.
    digest = hashlib.blake2b(channel_id.to_bytes(8, "big"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % tx.dbs.shard_count


def channel_json(
    tx: Tx,
    channel: Channel,
    viewer_id: int,
    counts: tuple[int, int, int] | None = None,
    last_seq: int | None = None,
    member_count: int | None = None,
    dm_users: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    if counts is None or last_seq is None:
        s = tx.shard(channel.shard)
        counts = read_store.counts(s, viewer_id, [channel.id])[channel.id]
        last_seq = event_store.last_seqs(s, [channel.id]).get(channel.id, 0)
    if member_count is None:
        member_count = channel_store.member_counts(tx.directory, [channel.id]).get(channel.id, 0)
    if dm_users is None and channel.kind in ("dm", "group"):
        others = [u for u in channel_store.member_ids(tx.directory, channel.id) if u != viewer_id]
        users = user_store.get_users(tx.directory, others)
        dm_users = [user_json(users[u]) for u in others if u in users]
    unread, mentions, last_read = counts
    return {
        "id": str(channel.id),
        "workspace_id": str(channel.workspace_id),
        "name": channel.name,
        "kind": channel.kind,
        "topic": channel.topic,
        "created_at": iso(channel.created_at),
        "member_count": member_count,
        "dm_users": dm_users or [],
        "unread_count": unread,
        "mention_count": mentions,
        "last_read_seq": last_read,
        "last_seq": last_seq,
    }


def channels_json(tx: Tx, channels: list[Channel], viewer_id: int) -> list[dict[str, Any]]:
    """Many channels with their counts: one counts query per shard, not per channel."""
    by_shard: dict[int, list[int]] = defaultdict(list)
    for c in channels:
        by_shard[c.shard].append(c.id)
    counts: dict[int, tuple[int, int, int]] = {}
    last: dict[int, int] = {}
    for shard, ids in by_shard.items():
        s = tx.shard(shard)
        counts.update(read_store.counts(s, viewer_id, ids))
        last.update(event_store.last_seqs(s, ids))
    member_counts = channel_store.member_counts(tx.directory, [c.id for c in channels])
    return [
        channel_json(
            tx,
            c,
            viewer_id,
            counts.get(c.id, (0, 0, 0)),
            last.get(c.id, 0),
            member_counts.get(c.id, 0),
        )
        for c in channels
    ]


def create_channel_rows(
    tx: Tx,
    workspace_id: int,
    kind: str,
    name: str | None,
    creator_id: int,
    member_ids: list[int],
    dm_key: str | None = None,
    created_at: int | None = None,
) -> Channel:
    """Write a new channel to the directory and its shard, with its first events.
    Callers have checked names and permissions."""
    now = created_at or now_ms()
    channel = Channel(
        id=tx.rt.ids.next_id(),
        workspace_id=workspace_id,
        kind=kind,
        name=name,
        name_key=name.lower() if name else None,
        topic="",
        shard=0,
        dm_key=dm_key,
        created_by=creator_id,
        created_at=now,
    )
    channel.shard = pick_shard(tx, channel.id)
    members = [creator_id] + [u for u in member_ids if u != creator_id]
    try:
        channel_store.add_channel(tx.directory, channel)
        channel_store.add_members(
            tx.directory,
            [ChannelMember(channel_id=channel.id, user_id=u, joined_at=now) for u in members],
        )
    except IntegrityError:
        raise Conflict("a channel with that name exists", code="name_taken") from None
    s = tx.shard(channel.shard)
    event_store.create_counter(s, channel.id, workspace_id)
    users = user_store.get_users(tx.directory, members)
    seq = event_store.next_seq(s, channel.id)
    created = {"id": str(channel.id), "name": name, "kind": kind, "workspace_id": str(workspace_id)}
    event_store.append(s, channel.id, seq, "channel.created", created)
    for uid in members:
        seq = event_store.next_seq(s, channel.id)
        data = {"user": user_json(users[uid])}
        event_store.append(s, channel.id, seq, "member.joined", data)
    read_store.ensure_pointers(s, channel.id, members, seq)
    return channel


def do_create_channel(
    tx: Tx, user: User, workspace_id: int, name: str, private: bool, member_ids: list[int]
) -> dict[str, Any]:
    access_workspace_by_id(tx, user.id, workspace_id)
    clean = check_channel_name(name)
    if channel_store.channel_by_name(tx.directory, workspace_id, clean) is not None:
        raise Conflict("a channel with that name exists", code="name_taken")
    outsiders = set(member_ids) - workspace_store.member_ids(tx.directory, workspace_id, member_ids)
    if outsiders:
        raise BadRequest("every member must belong to the workspace", code="not_in_workspace")
    kind = "private" if private else "public"
    channel = create_channel_rows(tx, workspace_id, kind, clean, user.id, member_ids)
    body = channel_json(tx, channel, user.id)
    members = channel_store.member_ids(tx.directory, channel.id)
    tx.publish(ev.to_users("channel.created", members, body, channel_id=channel.id))
    return body


def list_my_channels(tx: Tx, user: User, workspace_id: int) -> list[dict[str, Any]]:
    access_workspace_by_id(tx, user.id, workspace_id)
    channels = channel_store.channels_of_user(tx.directory, user.id, workspace_id)
    return channels_json(tx, channels, user.id)


def get_channel(tx: Tx, user: User, channel_id: int) -> dict[str, Any]:
    channel = access_channel_by_id(tx, user.id, channel_id)
    return channel_json(tx, channel, user.id)
