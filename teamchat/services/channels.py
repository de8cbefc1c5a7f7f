"""Channels and DMs: create, list with counts, show, join, add members, leave."""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import Any

from sqlalchemy.exc import IntegrityError

from teamchat.errors import BadRequest, Conflict, NotFound
from teamchat.ids import now_ms
from teamchat.models import Channel, ChannelMember, User
from teamchat.realtime import events as ev
from teamchat.services.fanout import log_and_publish
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
DIRECT_KINDS = ("dm", "group")


def check_channel_name(raw: str) -> str:
    # Like Slack: lower case, spaces become hyphens.
    name = "-".join(raw.strip().lower().split())
    if not CHANNEL_NAME_RE.match(name) or name.strip("-_") == "":
        raise BadRequest(
            "channel name must be 1 to 80 letters, digits, '-' or '_'", code="invalid_name"
        )
    return name


def check_workspace_members(tx: Tx, workspace_id: int, user_ids: list[int]) -> None:
    outsiders = set(user_ids) - workspace_store.member_ids(tx.directory, workspace_id, user_ids)
    if outsiders:
        raise BadRequest("every member must belong to the workspace", code="not_in_workspace")


def pick_shard(tx: Tx, channel_id: int) -> int:
    # Snowflake low bits are a per-millisecond sequence: spread by a hash of the id.
    digest = hashlib.blake2b(channel_id.to_bytes(8, "big"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % tx.dbs.shard_count


def dm_key(workspace_id: int, user_id: int, other_id: int) -> str:
    low, high = sorted((user_id, other_id))
    return f"{workspace_id}:{low}:{high}"


# -- how a channel is shown ---------------------------------------------------------


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
    if dm_users is None and channel.kind in DIRECT_KINDS:
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


def _dm_users_by_channel(
    tx: Tx, channels: list[Channel], viewer_id: int
) -> dict[int, list[dict[str, Any]]]:
    """The other people in each DM and group DM, in two queries for the whole list."""
    direct = [c.id for c in channels if c.kind in DIRECT_KINDS]
    members = channel_store.member_ids_by_channel(tx.directory, direct)
    users = user_store.get_users(tx.directory, {u for ids in members.values() for u in ids})
    return {
        cid: [user_json(users[u]) for u in ids if u != viewer_id and u in users]
        for cid, ids in members.items()
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
    dm_users = _dm_users_by_channel(tx, channels, viewer_id)
    return [
        channel_json(
            tx,
            c,
            viewer_id,
            counts.get(c.id, (0, 0, 0)),
            last.get(c.id, 0),
            member_counts.get(c.id, 0),
            dm_users.get(c.id),
        )
        for c in channels
    ]


def _with_membership(body: dict[str, Any], is_member: bool) -> dict[str, Any]:
    """Mark whether the viewer is a member; a channel you are not in counts nothing."""
    body["is_member"] = is_member
    if not is_member:
        body["unread_count"] = 0
        body["mention_count"] = 0
    return body


def _announce(tx: Tx, channel: Channel, user_ids: list[int], seq: int | None = None) -> None:
    """channel.created to each of user_ids, as that user sees the channel (a DM is named
    by the other people in it). Their read pointers sit at the last seq: nothing unread.
    seq: the event's place in the channel log, for a new channel; none for a channel
    that only reappears for some (members added later, a hidden DM reopened)."""
    last_seq = event_store.last_seqs(tx.shard(channel.shard), [channel.id]).get(channel.id, 0)
    members = channel_store.member_ids(tx.directory, channel.id)
    users = user_store.get_users(tx.directory, members)
    for uid in user_ids:
        dm_users = None
        if channel.kind in DIRECT_KINDS:
            dm_users = [user_json(users[u]) for u in members if u != uid and u in users]
        body = channel_json(tx, channel, uid, (0, 0, last_seq), last_seq, len(members), dm_users)
        if seq is None:
            tx.publish(ev.to_users("channel.created", [uid], body, channel_id=channel.id))
        else:
            tx.publish(ev.to_channel("channel.created", channel.id, seq, body, [uid]))


def _announce_created(tx: Tx, channel: Channel) -> None:
    """A new channel's first events live as they are in its log: channel.created at
    seq 1 to each member, then each member.joined to all of them, so a client tracks
    the channel's seqs from the first one."""
    members = channel_store.member_ids(tx.directory, channel.id)
    logged = event_store.events_after(
        tx.shard(channel.shard), channel.id, 0, limit=len(members) + 1
    )
    for row in logged:
        if row.type == "channel.created":
            _announce(tx, channel, members, seq=row.seq)
        else:
            data = json.loads(row.payload)
            tx.publish(ev.to_channel(row.type, channel.id, row.seq, data, members))


# -- create -------------------------------------------------------------------------


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
        if dm_key is not None:
            raise  # the same 1:1 DM, made concurrently: the caller retries and finds it
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
    check_workspace_members(tx, workspace_id, member_ids)
    kind = "private" if private else "public"
    channel = create_channel_rows(tx, workspace_id, kind, clean, user.id, member_ids)
    _announce_created(tx, channel)
    return channel_json(tx, channel, user.id)


def do_open_dm(
    tx: Tx, user: User, workspace_id: int, user_ids: list[int]
) -> tuple[dict[str, Any], bool]:
    """One other person: their 1:1 DM, made on first use and found after (created is
    False then). Yourself alone: your notes-to-self DM. Several: a new group DM."""
    access_workspace_by_id(tx, user.id, workspace_id)
    if not user_ids:
        raise BadRequest("user_ids must name at least one person", code="missing_field")
    others = [u for u in user_ids if u != user.id]
    check_workspace_members(tx, workspace_id, others)
    if len(others) > 1:
        channel = create_channel_rows(tx, workspace_id, "group", None, user.id, others)
        _announce_created(tx, channel)
        return channel_json(tx, channel, user.id), True
    key = dm_key(workspace_id, user.id, others[0] if others else user.id)
    channel = channel_store.channel_by_dm_key(tx.directory, key)
    if channel is None:
        channel = create_channel_rows(tx, workspace_id, "dm", None, user.id, others, dm_key=key)
        _announce_created(tx, channel)
        return channel_json(tx, channel, user.id), True
    member = channel_store.get_member(tx.directory, channel.id, user.id)
    if member is not None and member.hidden:
        # Opening a DM you closed brings it back to your list (on every device).
        member.hidden = False
        tx.directory.flush()
        body = channel_json(tx, channel, user.id)
        tx.publish(ev.to_users("channel.created", [user.id], body, channel_id=channel.id))
    return channel_json(tx, channel, user.id), False


# -- list and show ------------------------------------------------------------------


def list_my_channels(tx: Tx, user: User, workspace_id: int) -> list[dict[str, Any]]:
    access_workspace_by_id(tx, user.id, workspace_id)
    channels = channel_store.channels_of_user(tx.directory, user.id, workspace_id)
    return channels_json(tx, channels, user.id)


def list_public_channels(tx: Tx, user: User, workspace_id: int) -> list[dict[str, Any]]:
    """Every public channel of the workspace, marked with whether the caller is in it."""
    access_workspace_by_id(tx, user.id, workspace_id)
    channels = channel_store.public_channels(tx.directory, workspace_id)
    joined = channel_store.joined_channel_ids(tx.directory, user.id, [c.id for c in channels])
    bodies = channels_json(tx, channels, user.id)
    return [_with_membership(b, c.id in joined) for c, b in zip(channels, bodies, strict=True)]


def get_channel(tx: Tx, user: User, channel_id: int) -> dict[str, Any]:
    channel = access_channel_by_id(tx, user.id, channel_id)
    is_member = channel_store.get_member(tx.directory, channel.id, user.id) is not None
    return _with_membership(channel_json(tx, channel, user.id), is_member)


def list_channel_members(tx: Tx, user: User, channel_id: int) -> list[dict[str, Any]]:
    """The members with their read pointers (for read receipts) and presence."""
    channel = access_channel_by_id(tx, user.id, channel_id)
    rows = channel_store.members(tx.directory, channel.id)
    users = user_store.get_users(tx.directory, [r.user_id for r in rows])
    rows = [r for r in rows if r.user_id in users]
    pointers = read_store.pointers(tx.shard(channel.shard), channel.id)
    presence = tx.rt.presence.statuses([r.user_id for r in rows])
    return [
        {
            "user": user_json(users[r.user_id]),
            "last_read_seq": pointers.get(r.user_id, 0),
            "presence": presence[r.user_id],
            "joined_at": iso(r.joined_at),
        }
        for r in rows
    ]


# -- membership ---------------------------------------------------------------------


def _add_members(tx: Tx, channel: Channel, user_ids: list[int]) -> list[int]:
    """Make users members; returns those who were not already. Each gets a read pointer
    at the channel's last seq (what was there when they joined counts as read), the
    channel announced to them, and a member.joined in the channel's log."""
    existing = channel_store.existing_member_ids(tx.directory, channel.id, user_ids)
    new = [u for u in user_ids if u not in existing]
    if not new:
        return []
    now = now_ms()
    channel_store.add_members(
        tx.directory, [ChannelMember(channel_id=channel.id, user_id=u, joined_at=now) for u in new]
    )
    s = tx.shard(channel.shard)
    seqs = [event_store.next_seq(s, channel.id) for _ in new]
    read_store.ensure_pointers(s, channel.id, new, seqs[-1])
    for uid in new:
        # Someone coming back starts from now too, not from where they left.
        read_store.advance(s, channel.id, uid, seqs[-1])
    # Announced first, so a sidebar learns of the channel before its member.joined.
    _announce(tx, channel, new)
    users = user_store.get_users(tx.directory, new)
    for uid, seq in zip(new, seqs, strict=True):
        log_and_publish(tx, channel, "member.joined", {"user": user_json(users[uid])}, seq=seq)
    return new


def do_join_channel(tx: Tx, user: User, channel_id: int) -> dict[str, Any]:
    """Join a public channel; joining one you are in changes nothing."""
    channel = access_channel_by_id(tx, user.id, channel_id)
    if channel_store.get_member(tx.directory, channel.id, user.id) is None:
        if channel.kind != "public":  # the gate lets non-members through only to public ones
            raise NotFound("no such channel")
        _add_members(tx, channel, [user.id])
    return _with_membership(channel_json(tx, channel, user.id), True)


def do_add_channel_members(
    tx: Tx, user: User, channel_id: int, user_ids: list[int]
) -> dict[str, Any]:
    """A member adds workspace members to a channel or group DM; a 1:1 DM stays 1:1."""
    channel = access_channel_by_id(tx, user.id, channel_id, member=True)
    if channel.kind == "dm":
        raise BadRequest(
            "a direct message stays between its two people; start a group chat instead",
            code="dm_is_one_to_one",
        )
    if not user_ids:
        raise BadRequest("user_ids must name at least one person", code="missing_field")
    check_workspace_members(tx, channel.workspace_id, user_ids)
    added = _add_members(tx, channel, user_ids)
    users = user_store.get_users(tx.directory, added)
    return {
        "channel": _with_membership(channel_json(tx, channel, user.id), True),
        "added": [user_json(users[u]) for u in added],
    }


def do_leave_channel(tx: Tx, user: User, channel_id: int) -> None:
    """Leave a channel. A 1:1 DM is only hidden until its next message; anything else
    loses the membership, and with it all access unless the channel is public."""
    channel = access_channel_by_id(tx, user.id, channel_id)
    member = channel_store.get_member(tx.directory, channel.id, user.id)
    if member is None:
        return  # a public channel the caller is not in: nothing to leave
    if channel.kind == "dm":
        if not member.hidden:
            member.hidden = True
            tx.directory.flush()
            # Not a membership change, so not in the log; the leaver's other devices
            # drop it from their lists.
            data = {"user": user_json(user), "hidden": True}
            tx.publish(ev.to_users("member.left", [user.id], data, channel_id=channel.id))
        return
    channel_store.remove_member(tx.directory, channel.id, user.id)
    # The leaver is no longer a member, but must hear of their own leaving.
    log_and_publish(tx, channel, "member.left", {"user": user_json(user)}, [user.id])
