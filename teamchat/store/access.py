"""Permission gates: the only way to fetch an object a user asked for by id.

A thing that exists but may not be seen gets the same NotFound as one that does
not exist, so nothing leaks.
"""

from __future__ import annotations

from teamchat.errors import Forbidden, NotFound
from teamchat.models import Channel, Message, Workspace, WorkspaceMember
from teamchat.store import channels as channel_store
from teamchat.store import messages as message_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.db import Tx


def access_workspace_by_id(
    tx: Tx, user_id: int, workspace_id: int, *, admin: bool = False
) -> tuple[Workspace, WorkspaceMember]:
    workspace = workspace_store.get_workspace(tx.directory, workspace_id)
    if workspace is None:
        raise NotFound("no such workspace")
    member = workspace_store.membership(tx.directory, workspace_id, user_id)
    if member is None:
        raise NotFound("no such workspace")
    if admin and member.role != "admin":
        raise Forbidden("only a workspace admin may do that", code="not_admin")
    return workspace, member


def can_read_channel(tx: Tx, user_id: int, channel: Channel) -> bool:
    if channel_store.get_member(tx.directory, channel.id, user_id) is not None:
        return True
    if channel.kind != "public":
        return False
    return workspace_store.membership(tx.directory, channel.workspace_id, user_id) is not None


def access_channel_by_id(tx: Tx, user_id: int, channel_id: int, *, member: bool = False) -> Channel:
    """The channel if the user may read it; with member=True, only if a member."""
    channel = channel_store.get_channel(tx.directory, channel_id)
    if channel is None:
        raise NotFound("no such channel")
    is_member = channel_store.get_member(tx.directory, channel_id, user_id) is not None
    if is_member:
        return channel
    if channel.kind != "public":
        raise NotFound("no such channel")
    if workspace_store.membership(tx.directory, channel.workspace_id, user_id) is None:
        raise NotFound("no such channel")
    if member:
        raise Forbidden("join the channel first", code="not_a_member")
    return channel


def access_message_by_id(
    tx: Tx, user_id: int, message_id: int, *, member: bool = False
) -> tuple[Channel, Message]:
    """The message and its channel if the user may read it and has not hidden it.

    The channel of a message id is not known before its shard is: look in every
    shard's primary key index (one point lookup each).
    """
    for shard in range(tx.dbs.shard_count):
        message = message_store.get_message(tx.shard(shard), message_id)
        if message is not None:
            break
    else:
        raise NotFound("no such message")
    try:
        channel = access_channel_by_id(tx, user_id, message.channel_id, member=member)
    except NotFound:
        # The same answer as a missing message, so nothing leaks.
        raise NotFound("no such message") from None
    if channel.shard != shard:  # a stale copy left by an interrupted channel move
        raise NotFound("no such message")
    if message_store.is_hidden(tx.shard(shard), user_id, message_id):
        raise NotFound("no such message")
    return channel, message
