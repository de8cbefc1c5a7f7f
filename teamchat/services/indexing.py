"""Keeping the search index in step with the shards: draining the outbox, full reindex.

Run by Celery workers (indexer/) in production and by the in-process job thread in
the embedded default; both call `drain_outbox_job` and `sweep_job` inside an app
context. The database is the source of truth and every write carries the message's
version, so replays, overlapping drains and a drain racing a reindex are harmless.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from search.engine import Document
from search.normalize import fold
from search.scanner import Kind, scan
from teamchat.models import Message
from teamchat.runtime import Runtime, current_runtime, transaction
from teamchat.searching import ensure_index
from teamchat.store import channels as channel_store
from teamchat.store import messages as message_store
from teamchat.store import outbox
from teamchat.store import search as search_store
from teamchat.store.db import Tx

log = logging.getLogger(__name__)

# One job drains at most this many batches per shard, then hands the rest to a fresh
# job, so a huge backlog on one shard never starves the others.
MAX_BATCHES_PER_JOB = 50


@dataclass
class Writes:
    """What a set of message rows asks of the engine."""

    docs: list[Document] = field(default_factory=list)
    deletes: list[tuple[int, int]] = field(default_factory=list)  # (message_id, version)

    def __len__(self) -> int:
        return len(self.docs) + len(self.deletes)


def has_link(text: str) -> bool:
    """True when the text holds a URL as the search analyser sees one (`has:link`)."""
    return any(seg.kind is Kind.URL for seg in scan(fold(text).text))


def mentioned_user_ids(m: Message) -> list[int]:
    """People named with @username (from the spans stored at send or edit time)."""
    spans = json.loads(m.mentions_json or "[]")
    ids = {int(s["user_id"]) for s in spans if s.get("kind") == "user" and s.get("user_id")}
    return sorted(ids)


def build_writes(tx: Tx, shard: int, messages: list[Message]) -> Writes:
    """Documents for live messages and tombstones for deleted ones."""
    s = tx.shard(shard)
    out = Writes()
    live = [m for m in messages if m.deleted_at is None]
    out.deletes = [(m.id, m.version) for m in messages if m.deleted_at is not None]
    workspaces = search_store.workspace_ids(s, [m.channel_id for m in live])
    missing = sorted({m.channel_id for m in live} - workspaces.keys())
    if missing:  # older rows may lack a counter: the directory knows the workspace
        for cid, channel in channel_store.get_channels(tx.directory, missing).items():
            workspaces[cid] = channel.workspace_id
    reacted = search_store.reacted_ids(s, [m.id for m in live])
    for m in live:
        workspace_id = workspaces.get(m.channel_id)
        if workspace_id is None:
            log.warning("message %s: channel %s is unknown; not indexed", m.id, m.channel_id)
            continue
        out.docs.append(
            Document(
                message_id=m.id,
                channel_id=m.channel_id,
                workspace_id=workspace_id,
                author_id=m.author_id,
                text=m.text,
                created_at_ms=m.created_at,
                thread_root_id=m.thread_root_id,
                is_thread=m.thread_root_id is not None or m.reply_count > 0,
                has_link=has_link(m.text),
                has_reaction=m.id in reacted,
                mention_user_ids=mentioned_user_ids(m),
                version=m.version,
            )
        )
    return out


def write(engine: Any, writes: Writes, index_name: str | None = None) -> None:
    """Send the writes to the engine (bulk); raises EngineError if it is unreachable."""
    if writes.docs:
        engine.index(writes.docs, index_name=index_name)
    if writes.deletes:
        engine.delete(writes.deletes, index_name=index_name)


# -- the outbox ---------------------------------------------------------------------


def drain_shard(rt: Runtime, shard: int, batch_size: int | None = None) -> int:
    """Index what the shard's outbox asks for; returns how many outbox rows were done.

    Each batch: read rows and their messages (one short transaction), write to the
    engine, then delete exactly those rows (another). Rows added meanwhile stay for
    the next batch; if the engine fails, the batch's rows stay for the sweep.
    """
    size = batch_size or rt.settings.outbox_batch_size
    engine = rt.search
    done = 0
    for _ in range(MAX_BATCHES_PER_JOB):
        with transaction(rt) as tx:
            s = tx.shard(shard)
            rows = outbox.batch(s, size)
            done_rows = [(r.id, r.message_id, r.created_at) for r in rows]
            message_ids = sorted({r.message_id for r in rows})
            messages = list(message_store.get_messages(s, message_ids).values())
            writes = build_writes(tx, shard, messages)
        if not done_rows:
            return done
        write(engine, writes)
        with transaction(rt) as tx:
            search_store.remove_outbox_rows(tx.shard(shard), done_rows)
        done += len(done_rows)
        if len(done_rows) < size:
            return done
    rt.jobs.enqueue("index.drain_outbox", shard=shard)
    return done


def drain_outbox_job(shard: int | None = None) -> int:
    """Index every pending outbox row of one shard (or all); returns the rows done."""
    rt = current_runtime()
    shards = range(rt.dbs.shard_count) if shard is None else [shard]
    # Recreates the live index should the engine have lost it (a wiped node).
    ensure_index(rt.search)
    return sum(drain_shard(rt, s) for s in shards)


def sweep_job() -> int:
    """The periodic catch-up: whatever a lost job or an outage left in the outboxes."""
    return drain_outbox_job(None)


# -- full reindex -------------------------------------------------------------------


def reindex(
    rt: Runtime, batch_size: int | None = None, progress: Callable[[str], None] | None = None
) -> int:
    """Build a fresh index from the shards and swap it in while writes go on; returns
    the number of messages read.

    The library's protocol: once `create_new_index()` returns, every index/delete
    also goes to the new index, and the backfill reads each row after that. A change
    committed before the backfill reads its row is in the backfill; one committed
    after is drained by a job that reads it later still, so it picks its target
    indexes after the new one exists. Versions settle the overlap of the two.
    """
    size = batch_size or rt.settings.outbox_batch_size
    say = progress or (lambda _msg: None)
    engine = rt.search
    ensure_index(engine)
    name = engine.create_new_index()
    say(f"building index {name}")
    total = 0
    try:
        for shard in range(rt.dbs.shard_count):
            after = 0
            while True:
                with transaction(rt) as tx:
                    rows = search_store.messages_after(tx.shard(shard), after, size)
                    writes = build_writes(tx, shard, rows)
                if not rows:
                    break
                write(engine, writes, index_name=name)
                after = rows[-1].id
                total += len(rows)
            say(f"shard {shard}: {total} messages so far")
        engine.swap_alias(name)
    except BaseException:
        try:
            engine.drop_index(name)
        except Exception:
            log.exception("could not drop the abandoned index %s", name)
        raise
    say(f"index {name} is live with {total} messages")
    return total
