"""Messages: post, history pages, single fetch, and how a message is shown."""

from __future__ import annotations

import json
from typing import Any

from teamchat.errors import BadRequest, NotFound
from teamchat.ids import now_ms
from teamchat.models import Channel, Mention, Message, User
from teamchat.services.fanout import log_and_publish
from teamchat.services.mentions import candidate_names, find_mentions
from teamchat.services.users import user_json
from teamchat.store import channels as channel_store
from teamchat.store import events as event_store
from teamchat.store import messages as message_store
from teamchat.store import outbox
from teamchat.store import reactions as reaction_store
from teamchat.store import reads as read_store
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.access import access_channel_by_id, access_message_by_id
from teamchat.store.db import Tx
from teamchat.timefmt import iso

MAX_PAGE = 200


def check_text(tx: Tx, text: str) -> str:
    limit = tx.rt.settings.max_message_chars
    if len(text) > limit:
        raise BadRequest(
            f"text is {len(text)} characters; the limit is {limit}", code="message_too_long"
        )
    if not text.strip():
        raise BadRequest("text must not be empty", code="empty_message")
    return text


def check_client_msg_id(raw: str | None) -> str | None:
    if raw is None:
        return None
    if not 1 <= len(raw) <= 64 or not raw.isascii() or not raw.isprintable():
        raise BadRequest(
            "client_msg_id must be 1 to 64 printable ASCII characters", code="invalid_client_msg_id"
        )
    return raw


# -- how a message is shown ---------------------------------------------------------


def reactions_json(reactions: list[Any]) -> list[dict[str, Any]]:
    grouped: dict[str, list[str]] = {}
    for r in reactions:
        grouped.setdefault(r.emoji, []).append(str(r.user_id))
    return [{"emoji": e, "count": len(u), "user_ids": u} for e, u in grouped.items()]


def messages_json(tx: Tx, rows: list[Message], shard: int) -> list[dict[str, Any]]:
    """Hydrate rows with authors and reactions: one query each, whatever the page size."""
    authors = user_store.get_users(tx.directory, {m.author_id for m in rows})
    reactions = reaction_store.for_messages(tx.shard(shard), [m.id for m in rows])
    return [message_json(m, authors.get(m.author_id), reactions.get(m.id, [])) for m in rows]


def message_json(m: Message, author: User | None, reactions: list[Any]) -> dict[str, Any]:
    deleted = m.deleted_at is not None
    return {
        "id": str(m.id),
        "channel_id": str(m.channel_id),
        "seq": m.seq,
        "author": user_json(author) if author else {"id": str(m.author_id)},
        "text": "" if deleted else m.text,
        "kind": m.kind,
        "created_at": iso(m.created_at),
        "edited_at": iso(m.edited_at),
        "deleted": deleted,
        "mentions": [] if deleted else json.loads(m.mentions_json or "[]"),
        "reactions": [] if deleted else reactions_json(reactions),
        "thread_root_id": str(m.thread_root_id) if m.thread_root_id else None,
        "reply_count": m.reply_count,
        "client_msg_id": m.client_msg_id,
    }


def one_message_json(tx: Tx, m: Message, shard: int) -> dict[str, Any]:
    return messages_json(tx, [m], shard)[0]


# -- mentions -----------------------------------------------------------------------


def resolve_mentions(
    tx: Tx, channel: Channel, text: str
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Spans for display, and who is mentioned: user id -> kind. Only people who can
    read the channel count; @channel/@all expand to members, @here to members online."""
    names = candidate_names(text)
    known = user_store.get_users_by_usernames(tx.directory, sorted(names)) if names else {}
    spans = find_mentions(text, lambda n: n in known)
    if not spans:
        return [], {}
    members = channel_store.member_ids(tx.directory, channel.id)
    member_set = set(members)
    readers = member_set
    if channel.kind == "public":
        named = [known[s.name].id for s in spans if s.kind == "user"]
        readers = member_set | workspace_store.member_ids(tx.directory, channel.workspace_id, named)
    who: dict[int, str] = {}
    shown: list[dict[str, Any]] = []
    for span in spans:
        uid = known[span.name].id if span.kind == "user" else None
        shown.append(
            {
                "kind": span.kind,
                "user_id": str(uid) if uid else None,
                "start": span.start,
                "end": span.end,
            }
        )
        if uid is not None and uid in readers:
            who[uid] = "user"
    for span in spans:
        if span.kind in ("channel", "all"):
            for uid in members:
                who.setdefault(uid, span.kind)
        elif span.kind == "here":
            online = tx.rt.presence.statuses(members)
            for uid in members:
                if online[uid] == "online":
                    who.setdefault(uid, "here")
    return shown, who


def mention_rows(m: Message, who: dict[int, str]) -> list[Mention]:
    """Mention rows for everyone named but the author."""
    return [
        Mention(
            message_id=m.id,
            user_id=uid,
            channel_id=m.channel_id,
            seq=m.seq,
            kind=kind,
            created_at=m.created_at,
        )
        for uid, kind in who.items()
        if uid != m.author_id
    ]


# -- post ---------------------------------------------------------------------------


def do_post_message(
    tx: Tx,
    user: User,
    channel_id: int,
    text: str,
    client_msg_id: str | None = None,
    thread_root_id: int | None = None,
    kind: str = "message",
) -> tuple[dict[str, Any], bool]:
    """Append a message; returns (message, created). A retry with the same
    client_msg_id returns the message already created."""
    channel = access_channel_by_id(tx, user.id, channel_id, member=True)
    text = check_text(tx, text)
    cmid = check_client_msg_id(client_msg_id)
    s = tx.shard(channel.shard)
    if cmid is not None:
        existing = message_store.by_client_msg_id(s, channel.id, user.id, cmid)
        if existing is not None:
            return one_message_json(tx, existing, channel.shard), False
    root: Message | None = None
    if thread_root_id is not None:
        root = message_store.get_message(s, thread_root_id)
        if root is None or root.channel_id != channel.id:
            raise NotFound("no such thread root in this channel")
        if root.thread_root_id is not None:
            # A reply to a reply joins the root's thread, as in Slack.
            root = message_store.get_message(s, root.thread_root_id)
            assert root is not None
        if root.deleted_at is not None:
            raise BadRequest("cannot reply to a deleted message", code="message_deleted")
    spans, who = resolve_mentions(tx, channel, text)
    seq = event_store.next_seq(s, channel.id)
    now = now_ms()
    m = Message(
        id=tx.rt.ids.next_id(),
        channel_id=channel.id,
        seq=seq,
        author_id=user.id,
        kind=kind,
        text=text,
        created_at=now,
        thread_root_id=root.id if root else None,
        reply_count=0,
        client_msg_id=cmid,
        mentions_json=json.dumps(spans, separators=(",", ":")),
        version=1,
    )
    message_store.add_message(s, m)
    s.add_all(mention_rows(m, who))
    outbox.add(s, m.id, channel.id)
    body = one_message_json(tx, m, channel.shard)
    log_and_publish(tx, channel, "message.posted", body, seq=seq)
    # Your own message is read by you.
    read_store.advance(s, channel.id, user.id, seq)
    if root is not None:
        root.reply_count += 1
        root.last_reply_at = now
        root.version += 1
        outbox.add(s, root.id, channel.id)
        log_and_publish(tx, channel, "message.edited", one_message_json(tx, root, channel.shard))
    if channel.kind == "dm":
        _unhide_dm(tx, channel)
    tx.enqueue("index.drain_outbox", shard=channel.shard)
    return body, True


def _unhide_dm(tx: Tx, channel: Channel) -> None:
    """A 1:1 DM its member left comes back with the next message."""
    for member in channel_store.members(tx.directory, channel.id):
        if member.hidden:
            member.hidden = False


# -- read ---------------------------------------------------------------------------


def history(
    tx: Tx,
    user: User,
    channel_id: int,
    before: int | None,
    after: int | None,
    around: int | None,
    limit: int,
) -> dict[str, Any]:
    if sum(x is not None for x in (before, after, around)) > 1:
        raise BadRequest("give at most one of before, after, around", code="invalid_cursor")
    limit = max(1, min(limit, MAX_PAGE))
    channel = access_channel_by_id(tx, user.id, channel_id)
    s = tx.shard(channel.shard)
    if around is not None:
        older, more_before = message_store.page(
            s, channel.id, user.id, before=around + 1, limit=limit // 2 + 1
        )
        newer, more_after = message_store.page(
            s, channel.id, user.id, after=around, limit=limit - len(older)
        )
        rows = older + newer
    elif after is not None:
        rows, more_after = message_store.page(s, channel.id, user.id, after=after, limit=limit)
        more_before = (
            bool(rows)
            and message_store.has_visible(s, channel.id, user.id, before=rows[0].seq)
            or (not rows and message_store.has_visible(s, channel.id, user.id, before=after + 1))
        )
    else:
        rows, more_before = message_store.page(s, channel.id, user.id, before=before, limit=limit)
        if before is None:
            more_after = False
        elif rows:
            more_after = message_store.has_visible(s, channel.id, user.id, after=rows[-1].seq)
        else:
            more_after = message_store.has_visible(s, channel.id, user.id, after=before - 1)
    return {
        "messages": messages_json(tx, rows, channel.shard),
        "has_more_before": more_before,
        "has_more_after": more_after,
    }


def get_message(tx: Tx, user: User, message_id: int) -> dict[str, Any]:
    channel, m = access_message_by_id(tx, user.id, message_id)
    return one_message_json(tx, m, channel.shard)
