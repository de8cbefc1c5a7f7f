"""Writing imported messages in bulk: one sequence range per batch, many rows per
statement, each message with its event-log row, mention and reaction rows and a
search outbox row, all in the batch's one shard transaction."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import func, insert, select, update

from teamchat.ids import now_ms
from teamchat.importers.channels import append_events, reserve_seqs
from teamchat.models import Channel, Mention, Message, Reaction, SearchOutbox
from teamchat.services.messages import message_json, messages_json
from teamchat.store.db import Tx


@dataclass
class NewMessage:
    """A message to import. The importer picks the id, so replies can name a root
    written in the same batch."""

    id: int
    client_msg_id: str
    author_id: int
    text: str
    created_at: int
    kind: str = "message"
    edited_at: int | None = None
    thread_root_id: int | None = None
    # Display spans, as the API shows them: [{kind, user_id, start, end}].
    spans: list[dict[str, Any]] = field(default_factory=list)
    # Mention rows: user id -> kind (user|channel|all|here).
    mentioned: dict[int, str] = field(default_factory=dict)
    # (emoji, user id) pairs.
    reactions: list[tuple[str, int]] = field(default_factory=list)


def existing_client_ids(tx: Tx, channel: Channel, prefix: str) -> dict[str, int]:
    """client_msg_id -> message id for the channel's messages an import made before."""
    rows = tx.shard(channel.shard).execute(
        select(Message.client_msg_id, Message.id).where(
            Message.channel_id == channel.id, Message.client_msg_id.like(prefix + "%")
        )
    )
    return {cmid: mid for cmid, mid in rows.tuples() if cmid is not None}


def write_batch(
    tx: Tx, channel: Channel, batch: list[NewMessage], authors: dict[int, dict[str, Any]]
) -> int:
    """Append the batch after the channel's last seq, in list order; returns the
    number of mention rows. `authors` holds user_json by id for the event payloads.

    The messages are logged (message.posted) so a client resuming across the
    import replays them like any others, but not pushed live: thousands of old
    messages are no news to an open socket."""
    if not batch:
        return 0
    s = tx.shard(channel.shard)
    first = reserve_seqs(tx, channel, len(batch))
    now = now_ms()
    messages: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []
    reactions: list[dict[str, Any]] = []
    events: list[tuple[int, str, Any]] = []
    for k, m in enumerate(batch):
        seq = first + k
        row = {
            "id": m.id,
            "channel_id": channel.id,
            "seq": seq,
            "author_id": m.author_id,
            "kind": m.kind,
            "text": m.text,
            "created_at": m.created_at,
            "edited_at": m.edited_at,
            "deleted_at": None,
            "thread_root_id": m.thread_root_id,
            "reply_count": 0,
            "last_reply_at": None,
            "client_msg_id": m.client_msg_id,
            "mentions_json": json.dumps(m.spans, separators=(",", ":")),
            "version": 1,
        }
        messages.append(row)
        mentions.extend(
            {
                "message_id": m.id,
                "user_id": uid,
                "channel_id": channel.id,
                "seq": seq,
                "kind": kind,
                "created_at": m.created_at,
            }
            for uid, kind in m.mentioned.items()
            if uid != m.author_id
        )
        mine = [
            {
                "message_id": m.id,
                "user_id": uid,
                "emoji": emoji,
                "channel_id": channel.id,
                "created_at": m.created_at,
            }
            for emoji, uid in dict.fromkeys(m.reactions)
        ]
        reactions.extend(mine)
        # message_json reads attributes only: a namespace spares building ORM objects.
        shown = SimpleNamespace(**row)
        author = SimpleNamespace(**_user_fields(authors.get(m.author_id), m.author_id))
        events.append(
            (
                seq,
                "message.posted",
                message_json(shown, author, [SimpleNamespace(**r) for r in mine]),
            )  # type: ignore[arg-type]
        )
    s.execute(insert(Message.__table__), messages)
    if mentions:
        s.execute(insert(Mention.__table__), mentions)
    if reactions:
        s.execute(insert(Reaction.__table__), reactions)
    append_events(tx, channel, events)
    s.execute(
        insert(SearchOutbox.__table__),
        [{"message_id": m.id, "channel_id": channel.id, "created_at": now} for m in batch],
    )
    tx.enqueue("index.drain_outbox", shard=channel.shard)
    return len(mentions)


def _user_fields(shown: dict[str, Any] | None, user_id: int) -> dict[str, Any]:
    if shown is None:
        return {"id": user_id, "username": "", "display_name": "", "avatar_url": None}
    return {**shown, "id": int(shown["id"])}


def refresh_thread_roots(tx: Tx, channel: Channel, root_ids: set[int]) -> None:
    """Recount replies on thread roots that gained some, re-index them (is:thread),
    and log the change like a live reply does (message.edited)."""
    if not root_ids:
        return
    s = tx.shard(channel.shard)
    stats = dict(
        (root, (n, last))
        for root, n, last in s.execute(
            select(Message.thread_root_id, func.count(), func.max(Message.created_at))
            .where(Message.channel_id == channel.id, Message.thread_root_id.in_(root_ids))
            .group_by(Message.thread_root_id)
        ).tuples()
    )
    for root_id in sorted(root_ids):
        n, last = stats.get(root_id, (0, None))
        s.execute(
            update(Message)
            .where(Message.id == root_id)
            .values(reply_count=n, last_reply_at=last, version=Message.version + 1)
        )
    roots = list(s.scalars(select(Message).where(Message.id.in_(root_ids)).order_by(Message.seq)))
    first = reserve_seqs(tx, channel, len(roots))
    bodies = messages_json(tx, roots, channel.shard)
    append_events(tx, channel, [(first + k, "message.edited", b) for k, b in enumerate(bodies)])
    now = now_ms()
    s.execute(
        insert(SearchOutbox.__table__),
        [{"message_id": r.id, "channel_id": channel.id, "created_at": now} for r in roots],
    )
    tx.enqueue("index.drain_outbox", shard=channel.shard)


def drain_search(rt: Any, batch_size: int = 2000) -> int:
    """Index everything the outboxes hold now, with the indexing service's bulk path;
    returns the rows done. Needs an app context, like the indexing jobs."""
    from teamchat.services import indexing

    rt.search.ensure_index()
    done = 0
    for shard in range(rt.dbs.shard_count):
        while True:
            n = indexing.drain_shard(rt, shard, batch_size)
            done += n
            if n == 0:
                break
    return done
