"""Messages: post, edit, delete, history pages, single fetch, and how a message is shown.

Every change locks the channel (its counter row) before it reads the state it acts on,
so concurrent changes to one channel apply one after another, in sequence order.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from sqlalchemy.orm import Session

from teamchat.errors import BadRequest, Conflict, Forbidden, NotFound
from teamchat.ids import now_ms
from teamchat.models import Channel, Message, User
from teamchat.realtime import events as ev
from teamchat.services.fanout import log_and_publish
from teamchat.services.mentions import mention_rows, resolve_mentions
from teamchat.services.users import user_json
from teamchat.store import channels as channel_store
from teamchat.store import events as event_store
from teamchat.store import hides as hide_store
from teamchat.store import mentions as mention_store
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
    """NFC, no NUL, no lone surrogates, not blank, at most the limit in code points
    (counted after normalisation, which is what is stored)."""
    if "\x00" in text:
        raise BadRequest("text must not contain NUL characters", code="invalid_text")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadRequest("text contains a lone surrogate", code="invalid_text") from None
    text = unicodedata.normalize("NFC", text)
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
    if channel.kind == "dm":
        # Directory rows before the shard lock, the order every writer uses.
        _unhide_dm(tx, channel)
    s = tx.shard(channel.shard)
    message_store.lock_channel(s, channel.id)
    if cmid is not None:
        existing = message_store.by_client_msg_id(s, channel.id, user.id, cmid)
        if existing is not None:
            return one_message_json(tx, existing, channel.shard), False
    root = _thread_root(s, channel, thread_root_id) if thread_root_id is not None else None
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
    mention_store.add_all(s, mention_rows(m, who))
    outbox.add(s, m.id, channel.id)
    # A new message has no reactions yet and its author is the caller: no queries.
    body = message_json(m, user, [])
    log_and_publish(tx, channel, "message.posted", body, seq=seq)
    # Your own message is read by you.
    read_store.advance(s, channel.id, user.id, seq)
    if root is not None:
        root.reply_count += 1
        root.last_reply_at = now
        _changed(tx, channel, root)
    tx.enqueue("index.drain_outbox", shard=channel.shard)
    return body, True


def _thread_root(s: Session, channel: Channel, root_id: int) -> Message:
    root = message_store.reload(s, root_id)
    if root is None or root.channel_id != channel.id:
        raise NotFound("no such thread root in this channel", code="no_such_thread")
    if root.thread_root_id is not None:
        # A reply to a reply joins the root's thread, as in Slack.
        root = message_store.reload(s, root.thread_root_id)
        assert root is not None
    if root.deleted_at is not None:
        raise Conflict("cannot reply to a deleted message", code="message_deleted")
    return root


def _unhide_dm(tx: Tx, channel: Channel) -> None:
    """A 1:1 DM its member left comes back with the next message."""
    for member in channel_store.members(tx.directory, channel.id):
        if member.hidden:
            member.hidden = False


def _changed(tx: Tx, channel: Channel, m: Message) -> None:
    """A message changed in place: re-index it and tell the channel."""
    m.version += 1
    outbox.add(tx.shard(channel.shard), m.id, channel.id)
    log_and_publish(tx, channel, "message.edited", one_message_json(tx, m, channel.shard))


def _locked(tx: Tx, channel: Channel, m: Message) -> Message:
    """Lock the channel and read the message again as it is now."""
    s = tx.shard(channel.shard)
    message_store.lock_channel(s, channel.id)
    fresh = message_store.reload(s, m.id)
    if fresh is None:
        raise NotFound("no such message")
    return fresh


# -- edit ---------------------------------------------------------------------------


def do_edit_message(tx: Tx, user: User, message_id: int, text: str) -> dict[str, Any]:
    """The sender rewrites the text: mentions are recomputed, the message re-indexed.
    The same text again changes nothing and sends no event."""
    channel, m = access_message_by_id(tx, user.id, message_id)
    text = check_text(tx, text)
    if m.author_id != user.id:
        raise Forbidden("only the sender may edit a message", code="not_sender")
    m = _locked(tx, channel, m)
    if m.deleted_at is not None:
        raise Conflict("a deleted message cannot be edited", code="message_deleted")
    if m.text == text:
        return one_message_json(tx, m, channel.shard)
    spans, who = resolve_mentions(tx, channel, text)
    m.text = text
    m.edited_at = now_ms()
    m.mentions_json = json.dumps(spans, separators=(",", ":"))
    mention_store.replace_for_message(tx.shard(channel.shard), m.id, mention_rows(m, who))
    _changed(tx, channel, m)
    tx.enqueue("index.drain_outbox", shard=channel.shard)
    return one_message_json(tx, m, channel.shard)


# -- delete -------------------------------------------------------------------------

SCOPES = ("me", "everyone")


def do_delete_message(tx: Tx, user: User, message_id: int, scope: str) -> None:
    """Delete for me (a hide) or for everyone (a purge that leaves a tombstone)."""
    if scope not in SCOPES:
        raise BadRequest("scope must be 'me' or 'everyone'", code="invalid_scope")
    channel, m = access_message_by_id(tx, user.id, message_id)
    if scope == "me":
        _hide(tx, user, channel, m)
    else:
        _purge(tx, user, channel, m)


def _hide(tx: Tx, user: User, channel: Channel, m: Message) -> None:
    """Hidden for this user everywhere; only their own devices hear of it."""
    if hide_store.add(tx.shard(channel.shard), user.id, m, now_ms()):
        data = {"id": str(m.id), "channel_id": str(channel.id)}
        tx.publish(ev.to_users("message.hidden", [user.id], data, channel_id=channel.id))


def check_can_recall(tx: Tx, user: User, channel: Channel, m: Message) -> None:
    """The sender, or an admin of the channel's workspace."""
    if m.author_id == user.id:
        return
    member = workspace_store.membership(tx.directory, channel.workspace_id, user.id)
    if member is None or member.role != "admin":
        raise Forbidden(
            "only the sender or a workspace admin may delete a message for everyone",
            code="not_sender",
        )


def check_recall_window(tx: Tx, channel: Channel, m: Message) -> None:
    """Within the workspace's recall window (0 means no limit), for admins too."""
    workspace = workspace_store.get_workspace(tx.directory, channel.workspace_id)
    window = workspace.recall_window_seconds if workspace else 0
    if window and now_ms() - m.created_at > window * 1000:
        raise Forbidden(
            f"messages can be deleted for everyone only within {window} seconds of posting",
            code="recall_window_passed",
        )


def _purge(tx: Tx, user: User, channel: Channel, m: Message) -> None:
    """Empty the text, drop reactions and mentions, keep the seq as a tombstone, and
    scrub the text from the channel's log. Deleting again changes nothing."""
    s = tx.shard(channel.shard)
    check_can_recall(tx, user, channel, m)
    m = _locked(tx, channel, m)
    if m.deleted_at is not None:
        return
    check_recall_window(tx, channel, m)
    m.text = ""
    m.mentions_json = "[]"
    m.deleted_at = now_ms()
    m.version += 1
    reaction_store.delete_all(s, m.id)
    mention_store.delete_for_message(s, m.id)
    outbox.add(s, m.id, channel.id)
    s.flush()
    message_store.scrub_events(s, m, one_message_json(tx, m, channel.shard))
    data = {"id": str(m.id), "channel_id": str(channel.id), "scope": "everyone"}
    log_and_publish(tx, channel, "message.deleted", data)
    if m.thread_root_id is not None:
        # The root counts the replies that are still there, as Slack does.
        root = message_store.reload(s, m.thread_root_id)
        if root is not None:
            root.reply_count = max(0, root.reply_count - 1)
            _changed(tx, channel, root)
    tx.enqueue("index.drain_outbox", shard=channel.shard)


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
        short = limit - len(older) - len(newer)
        if short > 0 and more_before:
            # Near the newest end: fill the page from the older side instead (more
            # before means `older` is a full, non-empty half).
            extra, more_before = message_store.page(
                s, channel.id, user.id, before=older[0].seq, limit=short
            )
            older = extra + older
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
