"""Workspaces, channels and memberships for imports: found again by name (or a
workspace by id), or created."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update

from teamchat.ids import Snowflake, now_ms
from teamchat.models import (
    Channel,
    ChannelCounter,
    ChannelEvent,
    ChannelMember,
    ReadPointer,
    Workspace,
    WorkspaceMember,
)
from teamchat.realtime import events as ev
from teamchat.services.channels import channel_json, check_channel_name, pick_shard
from teamchat.services.users import user_json
from teamchat.services.workspaces import check_workspace_name, workspace_name_key
from teamchat.store import channels as channel_store
from teamchat.store import events as event_store
from teamchat.store import reads as read_store
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.db import Tx

CHUNK = 500
# Who created what an import made when no admin was named: nobody in particular.
NOBODY = 0


def find_workspace(tx: Tx, name_or_id: str) -> Workspace | None:
    """The workspace with this id, else the one workspace of this name, else None.
    Names are not unique: when several share it, the id must be given."""
    wanted = check_workspace_name(name_or_id)
    # Any 64-bit number may be an id; beyond that it can only be a name.
    if wanted.isascii() and wanted.isdigit() and 0 < int(wanted) < 2**63:
        by_id = workspace_store.get_workspace(tx.directory, int(wanted))
        if by_id is not None:
            return by_id
    named = workspace_store.workspaces_named(tx.directory, wanted)
    if len(named) > 1:
        shown = ", ".join(str(w.id) for w in named)
        raise ValueError(
            f'{len(named)} workspaces are named "{named[0].name}" (ids {shown}): '
            "give the id of the one to use instead of the name"
        )
    return named[0] if named else None


def ensure_workspace(
    tx: Tx, ids: Snowflake, name_or_id: str, admin_id: int | None, recall_window_seconds: int
) -> tuple[Workspace, bool]:
    """The workspace with this id or this name (see find_workspace), created with that
    name if there is none; `admin_id` becomes its admin."""
    workspace = find_workspace(tx, name_or_id)
    created = workspace is None
    now = now_ms()
    if workspace is None:
        clean = check_workspace_name(name_or_id)
        workspace = Workspace(
            id=ids.next_id(),
            name=clean,
            name_key=workspace_name_key(clean),
            recall_window_seconds=recall_window_seconds,
            created_by=admin_id or NOBODY,
            created_at=now,
        )
        tx.directory.add(workspace)
        tx.directory.flush()
    if admin_id is not None:
        member = workspace_store.membership(tx.directory, workspace.id, admin_id)
        if member is None:
            tx.directory.add(
                WorkspaceMember(
                    workspace_id=workspace.id, user_id=admin_id, role="admin", joined_at=now
                )
            )
        else:
            member.role = "admin"
        tx.directory.flush()
    return workspace, created


def ensure_channel(
    tx: Tx,
    ids: Snowflake,
    workspace: Workspace,
    name: str,
    *,
    private: bool = False,
    creator_id: int | None = None,
    member_ids: Iterable[int] = (),
    created_at: int | None = None,
    topic: str = "",
) -> tuple[Channel, bool]:
    """The channel of that name in the workspace, created if missing, with every
    given member added (each join logged in the channel's sequence)."""
    clean = check_channel_name(name)
    channel = channel_store.channel_by_name(tx.directory, workspace.id, clean)
    created = channel is None
    if channel is None:
        channel = Channel(
            id=ids.next_id(),
            workspace_id=workspace.id,
            kind="private" if private else "public",
            name=clean,
            name_key=clean,
            topic=topic[:250],
            shard=0,
            dm_key=None,
            created_by=creator_id or NOBODY,
            created_at=created_at or now_ms(),
        )
        channel.shard = pick_shard(tx, channel.id)
        channel_store.add_channel(tx.directory, channel)
        s = tx.shard(channel.shard)
        event_store.create_counter(s, channel.id, workspace.id)
        created_data = {
            "id": str(channel.id),
            "name": clean,
            "kind": channel.kind,
            "workspace_id": str(workspace.id),
        }
        seq = reserve_seqs(tx, channel, 1)
        append_events(tx, channel, [(seq, "channel.created", created_data)])
    members = [creator_id] if creator_id else []
    members += [u for u in member_ids if u != creator_id]
    add_channel_members(tx, channel, members)
    if created and members:
        body = channel_json(tx, channel, members[0])
        tx.publish(ev.to_users("channel.created", members, body, channel_id=channel.id))
    return channel, created


def reserve_seqs(tx: Tx, channel: Channel, n: int) -> int:
    """Take n consecutive sequence numbers in one counter update; returns the first.
    The counter row stays locked until commit, as for a single post."""
    s = tx.shard(channel.shard)
    s.info.get(event_store.LOCKED_SEQS, {}).pop(channel.id, None)  # moves past a cached read
    s.execute(
        update(ChannelCounter)
        .where(ChannelCounter.channel_id == channel.id)
        .values(last_seq=ChannelCounter.last_seq + n)
    )
    last = s.scalar(select(ChannelCounter.last_seq).where(ChannelCounter.channel_id == channel.id))
    if last is None:
        raise LookupError(f"channel {channel.id} has no counter on shard {channel.shard}")
    return int(last) - n + 1


def append_events(tx: Tx, channel: Channel, items: list[tuple[int, str, Any]]) -> None:
    """Write (seq, type, data) rows to the channel's event log in one statement."""
    now = now_ms()
    rows = [
        {
            "channel_id": channel.id,
            "seq": seq,
            "type": type_,
            "payload": json.dumps(data, ensure_ascii=False, separators=(",", ":")),
            "created_at": now,
        }
        for seq, type_, data in items
    ]
    if rows:
        tx.shard(channel.shard).execute(insert(ChannelEvent.__table__), rows)


def add_channel_members(tx: Tx, channel: Channel, user_ids: Iterable[int]) -> int:
    """Add the users who are not members yet, each join an event in the log; their
    read pointers start at the join, like any member's. Returns how many joined."""
    have = set(channel_store.member_ids(tx.directory, channel.id))
    new = [u for u in dict.fromkeys(user_ids) if u not in have]
    if not new:
        return 0
    now = now_ms()
    rows = [
        {"channel_id": channel.id, "user_id": u, "joined_at": now, "hidden": False} for u in new
    ]
    for i in range(0, len(rows), CHUNK):
        tx.directory.execute(insert(ChannelMember.__table__), rows[i : i + CHUNK])
    users = user_store.get_users(tx.directory, new)
    first = reserve_seqs(tx, channel, len(new))
    items = [(first + k, "member.joined", {"user": user_json(users[u])}) for k, u in enumerate(new)]
    append_events(tx, channel, items)
    last = first + len(new) - 1
    read_store.ensure_pointers(tx.shard(channel.shard), channel.id, new, last)
    members = sorted(have | set(new))
    for seq, type_, data in items:
        tx.publish(ev.to_channel(type_, channel.id, seq, data, members))
    return len(new)


def mark_read(tx: Tx, channel: Channel, user_ids: list[int], seq: int) -> None:
    """Move these users' read pointers up to seq (never back)."""
    s = tx.shard(channel.shard)
    read_store.ensure_pointers(s, channel.id, user_ids, seq)
    for i in range(0, len(user_ids), CHUNK):
        s.execute(
            update(ReadPointer)
            .where(
                ReadPointer.channel_id == channel.id,
                ReadPointer.user_id.in_(user_ids[i : i + CHUNK]),
                ReadPointer.last_read_seq < seq,
            )
            .values(last_read_seq=seq)
        )
