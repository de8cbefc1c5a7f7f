"""Writing imported messages in bulk: one sequence range per batch, many rows per
statement, each message with its mention and reaction rows and a search outbox
row, all in the batch's one shard transaction.

Imported messages take their seqs like any message, but they are neither written
to the channel's event log nor pushed live: history is no news to an open socket,
and replaying a 200,000-message import to a resuming client would only flood it.
A resuming client skips the gap (seqs stay unique and increasing; the channel list
gives the new last_seq and counts); a socket open during the import takes the skipped
seqs for a gap once, finds none of them in the log, and carries on.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, select, update
from sqlalchemy.orm import Session

from teamchat.ids import now_ms
from teamchat.importers.channels import reserve_seqs
from teamchat.models import Channel, Mention, Message, Reaction, SearchOutbox
from teamchat.store.db import Tx

MESSAGE_COLUMNS = (
    "id",
    "channel_id",
    "seq",
    "author_id",
    "kind",
    "text",
    "created_at",
    "edited_at",
    "deleted_at",
    "thread_root_id",
    "reply_count",
    "last_reply_at",
    "client_msg_id",
    "mentions_json",
    "version",
)
MENTION_COLUMNS = ("message_id", "user_id", "channel_id", "seq", "kind", "created_at")
REACTION_COLUMNS = ("message_id", "user_id", "emoji", "channel_id", "created_at")
OUTBOX_COLUMNS = ("message_id", "channel_id", "created_at")
# NUL, which the databases and search engines refuse, and UTF-16 surrogates, which a
# JSON escape can carry alone but no UTF-8 column can store.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(text: str, repaired: Counter[str]) -> str:
    """`text` as it can be stored, repaired as the IRC importer repairs bytes: NULs
    removed, lone surrogates replaced with U+FFFD; each repair counted in `repaired`."""
    if _UNSTORABLE.search(text) is None:
        return text
    if "\x00" in text:
        repaired["nul_bytes_removed"] += text.count("\x00")
        text = text.replace("\x00", "")
    text, n = _SURROGATE.subn("\ufffd", text)
    if n:
        repaired["lone_surrogates_replaced"] += n
    return text


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


def bulk_insert(
    s: Session, table: Table, columns: Sequence[str], rows: list[tuple[Any, ...]]
) -> None:
    """One executemany of plain tuples: the driver batches them into multi-row
    INSERTs, without SQLAlchemy handling each row (it is most of the cost otherwise)."""
    if not rows:
        return
    conn = s.connection()
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in columns)}) "
        f"VALUES ({', '.join([mark] * len(columns))})"
    )
    conn.exec_driver_sql(sql, rows)  # type: ignore[arg-type]


def existing_client_ids(tx: Tx, channel: Channel, prefix: str) -> dict[str, int]:
    """client_msg_id -> message id for the channel's messages an import made before."""
    rows = tx.shard(channel.shard).execute(
        select(Message.client_msg_id, Message.id).where(
            Message.channel_id == channel.id, Message.client_msg_id.like(prefix + "%")
        )
    )
    return {cmid: mid for cmid, mid in rows.tuples() if cmid is not None}


def write_batch(tx: Tx, channel: Channel, batch: list[NewMessage]) -> int:
    """Append the batch after the channel's last seq, in list order; returns the
    number of mention rows."""
    if not batch:
        return 0
    s = tx.shard(channel.shard)
    first = reserve_seqs(tx, channel, len(batch))
    now = now_ms()
    cid = channel.id
    messages: list[tuple[Any, ...]] = []
    mentions: list[tuple[Any, ...]] = []
    reactions: list[tuple[Any, ...]] = []
    for seq, m in enumerate(batch, first):
        spans = json.dumps(m.spans, separators=(",", ":")) if m.spans else "[]"
        messages.append(
            (m.id, cid, seq, m.author_id, m.kind, m.text, m.created_at, m.edited_at, None,
             m.thread_root_id, 0, None, m.client_msg_id, spans, 1)
        )  # fmt: skip
        mentions.extend(
            (m.id, uid, cid, seq, kind, m.created_at)
            for uid, kind in m.mentioned.items()
            if uid != m.author_id
        )
        reactions.extend(
            (m.id, uid, emoji, cid, m.created_at) for emoji, uid in dict.fromkeys(m.reactions)
        )
    bulk_insert(s, Message.__table__, MESSAGE_COLUMNS, messages)  # type: ignore[arg-type]
    bulk_insert(s, Mention.__table__, MENTION_COLUMNS, mentions)  # type: ignore[arg-type]
    bulk_insert(s, Reaction.__table__, REACTION_COLUMNS, reactions)  # type: ignore[arg-type]
    outbox = [(m.id, cid, now) for m in batch]
    bulk_insert(s, SearchOutbox.__table__, OUTBOX_COLUMNS, outbox)  # type: ignore[arg-type]
    tx.enqueue("index.drain_outbox", shard=channel.shard)
    return len(mentions)


def refresh_thread_roots(tx: Tx, channel: Channel, root_ids: set[int]) -> None:
    """Recount replies on thread roots that gained some, and re-index them (is:thread)."""
    if not root_ids:
        return
    s = tx.shard(channel.shard)
    stats = {
        root: (n, last)
        for root, n, last in s.execute(
            select(Message.thread_root_id, func.count(), func.max(Message.created_at))
            .where(Message.channel_id == channel.id, Message.thread_root_id.in_(root_ids))
            .group_by(Message.thread_root_id)
        ).tuples()
    }
    for root_id in sorted(root_ids):
        n, last = stats.get(root_id, (0, None))
        s.execute(
            update(Message)
            .where(Message.id == root_id)
            .values(reply_count=n, last_reply_at=last, version=Message.version + 1)
        )
    now = now_ms()
    outbox = [(r, channel.id, now) for r in sorted(root_ids)]
    bulk_insert(s, SearchOutbox.__table__, OUTBOX_COLUMNS, outbox)  # type: ignore[arg-type]
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
