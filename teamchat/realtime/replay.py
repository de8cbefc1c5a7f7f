"""Resume: replay what a client missed from the channel event logs, then go live.

An entry point like a view: it checks access now (a channel the user can no longer
read is not replayed) and owns its short transactions, one per page of events, so a
gap of any length streams through without one long transaction.

The same path fills a gap in a live stream (a publish after commit that failed or was
lost): when a connection heard seq n but not the ones before it, it reads the log from
its last seq up to the highest one it heard, once it has checked, as resume does, that
the user may read the channel now (a frame addressed before a leave can arrive after
it); the log holds any leave in between.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import TYPE_CHECKING

from teamchat.errors import ApiError
from teamchat.realtime import events as ev
from teamchat.realtime.connection import Connection, Item, logged_item
from teamchat.runtime import transaction
from teamchat.store import events as event_store
from teamchat.store.access import access_channel_by_id

if TYPE_CHECKING:
    from teamchat.runtime import Runtime

log = logging.getLogger(__name__)

PAGE = 500
# Gap fills of all sockets of the process read the logs this many at a time, so a lost
# publish to a big channel does not become a burst of queries.
FILL_READERS = threading.BoundedSemaphore(4)


def start_resume(rt: Runtime, conn: Connection, channels: dict[int, int]) -> None:
    """Replay on a thread of its own, so the socket keeps reading pings meanwhile."""
    threading.Thread(
        target=_resume, args=(rt, conn, channels), name="teamchat-resume", daemon=True
    ).start()


def _resume(rt: Runtime, conn: Connection, channels: dict[int, int]) -> None:
    with conn.resume_lock:  # a second resume waits for the first
        starts = conn.begin_resume(channels)
        denied: list[str] = []
        try:
            shards = _readable(rt, conn.user_id, list(starts))
            for cid in starts:
                if cid not in shards:
                    denied.append(str(cid))
                    conn.forget(cid, starts[cid])
                    conn.finish_replay(cid, force=True)
                    continue
                if not _replay_channel(rt, conn, cid, shards[cid]):
                    return
        except Exception:
            log.exception("resume of user %s failed", conn.user_id)
            conn.close(1011, "resume failed: reconnect and try again")
            return
        finally:
            for cid in starts:  # after an error, whatever is left goes back to live
                conn.finish_replay(cid, force=True)
        seqs = conn.last_seqs(list(channels))
        resumed = ev.control(
            "resumed",
            {
                "channels": {str(c): s for c, s in seqs.items() if str(c) not in denied},
                "denied": denied,
            },
        )
        conn.send_control(json.dumps(resumed, separators=(",", ":")))


def _readable(rt: Runtime, user_id: int, channel_ids: list[int]) -> dict[int, int]:
    """The channels the user may read now, with their shards."""
    out: dict[int, int] = {}
    with transaction(rt) as tx:
        for cid in channel_ids:
            try:
                out[cid] = access_channel_by_id(tx, user_id, cid).shard
            except ApiError:
                continue
    return out


def _replay_channel(rt: Runtime, conn: Connection, cid: int, shard: int) -> bool:
    while True:
        after = conn.replayed_up_to(cid)
        with transaction(rt) as tx:
            rows = event_store.events_after(tx.shard(shard), cid, after, limit=PAGE)
            items = [_item(conn.user_id, cid, r.seq, r.type, r.payload) for r in rows]
        if not conn.replay(items):
            return False
        if len(rows) == PAGE:
            continue
        if conn.finish_replay(cid):
            return True
        # Live frames overflowed the buffer meanwhile: they are in the log, read on.


def _item(user_id: int, cid: int, seq: int, type_: str, payload: str) -> Item:
    data = json.loads(payload)
    text = json.dumps(ev.frame(type_, cid, seq, data), ensure_ascii=False, separators=(",", ":"))
    return logged_item(user_id, cid, seq, type_, text, data)


def start_fill(rt: Runtime, conn: Connection) -> None:
    """Fill the connection's gaps on a thread of its own (one per connection at most):
    a reader that is slow to take the frames holds up nobody else."""
    threading.Thread(target=_fill, args=(rt, conn), name="teamchat-gap-fill", daemon=True).start()


def _fill(rt: Runtime, conn: Connection) -> None:
    while (cid := conn.next_fill()) is not None:
        try:
            if not _fill_channel(rt, conn, cid):
                return
        except Exception:
            log.exception("filling a gap in channel %s for user %s failed", cid, conn.user_id)
            conn.finish_fill(cid, force=True)  # it waits again, and is tried again


def _fill_channel(rt: Runtime, conn: Connection, cid: int) -> bool:
    """False when the socket closed or stalled meanwhile."""
    read, _ = conn.fill_range(cid)
    while True:
        _, upto = conn.fill_range(cid)
        rows: list[Item] = []
        if read < upto:
            with FILL_READERS, transaction(rt) as tx:
                try:
                    # As resume does: the frames that made the gap may predate a leave.
                    shard = access_channel_by_id(tx, conn.user_id, cid).shard
                except ApiError:
                    conn.forget(cid, upto)
                    conn.finish_fill(cid, force=True)
                    return True
                found = event_store.events_after(
                    tx.shard(shard), cid, read, limit=min(PAGE, upto - read)
                )
                rows = [
                    _item(conn.user_id, cid, r.seq, r.type, r.payload)
                    for r in found
                    if r.seq <= upto
                ]
        if not conn.replay(rows):
            return False
        # Nothing in the log past `read`: what is still missing was never committed.
        give_up = read < upto and not rows
        if rows:
            read = rows[-1].seq
        if conn.finish_fill(cid, read, give_up=give_up):
            return True
