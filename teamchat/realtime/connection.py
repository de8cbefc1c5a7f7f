"""One socket's delivery state: exactly once, in channel order, nothing after a leave.

Frames reach a connection from the bus (live) and from the channel logs (replay). Per
channel it remembers the last seq it sent; a frame at or below it is a duplicate.
A frame that skips ahead waits briefly for the missing ones: two requests may publish
after commit in the other order. If they do not come (a publish failed or was lost),
the gap is filled from the channel log, as a resume does, and then live frames go on.
A user who left a channel gets nothing more from it but their own member.left, even
a frame made just before the leave and heard after.

After hello, sequenced frames wait for the client's resume (or its first other frame,
or RESUME_GRACE), so that a replay comes before the live frames of its channel. A
client that said at connect it will not resume (`resume=0`) has nothing to replay:
its frames go out at once.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from typing import NamedTuple, Protocol

from teamchat.realtime.events import DROPPABLE_TYPES, Envelope, subject_user_id
from teamchat.realtime.sendqueue import Close, SendQueue

log = logging.getLogger(__name__)

# How long a frame that skips a seq waits for the missing one before the gap is read
# from the channel log.
REORDER_WINDOW = 2.0
# How long sequenced frames wait after hello for the client's resume, so that a
# resume replays a channel before, never after, the live frames of that channel.
RESUME_GRACE = 2.0
# A replay leaves this share of the send queue to live frames.
REPLAY_SHARE = 0.5
# A replay waits this long for a client that does not read before closing it.
REPLAY_STALL_SECONDS = 30.0


class Transport(Protocol):
    def send(self, text: str) -> None: ...
    def close(self, code: int, reason: str) -> None: ...
    def abort(self) -> None:
        """Drop the TCP connection without a close handshake (a stuck peer)."""
        ...


class Item(NamedTuple):
    channel_id: int
    seq: int
    type: str
    text: str
    # Whether the user was a member as of this event; False when it reached them only
    # as an extra recipient, i.e. their own member.left.
    member: bool
    subject: int | None


class Connection:
    def __init__(
        self,
        user_id: int,
        session_id: int,
        transport: Transport,
        capacity: int,
        on_timer: Callable[[Connection], None] = lambda c: None,
        resumes: bool = True,
    ) -> None:
        """resumes: whether the client may send a resume; if not, nothing waits for one."""
        self.id = uuid.uuid4().hex
        self.user_id = user_id
        self.session_id = session_id
        self.transport = transport
        self.queue = SendQueue(capacity)
        self.writer_done = threading.Event()
        self.resume_lock = threading.Lock()
        now = time.monotonic()
        self.last_heard = now
        self.last_beat = now
        self.closed_at: float | None = None
        self._on_timer = on_timer
        self._lock = threading.Lock()
        self._last: dict[int, int] = {}
        self._left: dict[int, int] = {}
        self._held: dict[int, dict[int, Item]] = {}
        self._deadline: dict[int, float] = {}
        self._replaying: dict[int, list[Item]] = {}
        self._replay_overflow: set[int] = set()
        # Gap fills: channel -> highest seq heard live while its gap is read from the
        # log; the channels waiting for the filler; whether a filler thread runs.
        self._fill_upto: dict[int, int] = {}
        self._fills: list[int] = []
        self._filler = False
        # Sequenced frames that arrived before the client's resume; None once it came
        # (or when none will come).
        self._pending: list[Item] | None = [] if resumes else None
        self.resumes = resumes
        self._pending_until = now + RESUME_GRACE

    # -- the writer ---------------------------------------------------------------------

    def start_writer(self) -> None:
        threading.Thread(target=self._write, name=f"teamchat-ws-{self.id[:8]}", daemon=True).start()

    def _write(self) -> None:
        try:
            while True:
                item = self.queue.get()
                if isinstance(item, Close):
                    self.transport.close(item.code, item.reason)
                    break
                self.transport.send(item)
        except Exception as exc:  # the peer went away; the handler cleans up
            log.debug("socket %s writer stopped: %r", self.id, exc)
        finally:
            self.writer_done.set()
            self.close(1006, "")

    def close(self, code: int, reason: str) -> None:
        if self.closed_at is None:
            self.closed_at = time.monotonic()
        self.queue.close(code, reason)

    @property
    def closing(self) -> bool:
        return self.queue.closing

    def send_control(self, text: str) -> None:
        """hello, pong, errors, resumed: frames of the socket protocol itself."""
        self._send(text, False)

    def _send(self, text: str, droppable: bool) -> None:
        if not self.queue.put(text, droppable):
            log.info("socket %s of user %s cannot keep up; closing", self.id, self.user_id)
            self.close(1013, "too slow: reconnect and resume")

    # -- live frames --------------------------------------------------------------------

    def offer(self, envelope: Envelope, text: str, member: bool) -> None:
        """A frame from the bus; `member` says whether the user is among the envelope's
        member_ids (else they are one of its extra user_ids)."""
        f = envelope["frame"]
        type_ = f["type"]
        cid = envelope.get("channel_id")
        seq = f.get("seq")
        if cid is None:  # addressed to users, not a channel's stream
            self._send(text, type_ in DROPPABLE_TYPES)
            return
        cid = int(cid)
        with self._lock:
            if seq is None:
                # Live-only (typing, read.updated): nothing from a channel you left.
                if cid not in self._left:
                    self._send(text, type_ in DROPPABLE_TYPES)
                return
            item = Item(cid, int(seq), type_, text, member, _subject(type_, f.get("data")))
            if self._pending is not None:
                self._pending.append(item)
                if len(self._pending) > self.queue.capacity:
                    self._end_pending()
                return
            buffer = self._replaying.get(cid)
            if buffer is not None:
                if cid in self._fill_upto:  # the fill reads up to here, buffered or not
                    self._fill_upto[cid] = max(self._fill_upto[cid], item.seq)
                if cid in self._replay_overflow:
                    return  # the replay reads these from the log instead
                if len(buffer) >= self.queue.capacity:
                    buffer.clear()
                    self._replay_overflow.add(cid)
                    return
                buffer.append(item)
                return
            self._accept(item, time.monotonic())

    def _accept(self, item: Item, now: float) -> None:
        cid, seq = item.channel_id, item.seq
        left = self._left.get(cid)
        if left is not None:
            if not (self._rejoins(item) and seq > left):
                return
            del self._left[cid]
            self._last.pop(cid, None)
            self._held.pop(cid, None)
        last = self._last.get(cid)
        if last is not None and seq <= last:
            return
        if last is None or seq == last + 1:
            self._deliver(item, now)
            self._drain(cid, now)
            return
        self._held.setdefault(cid, {}).setdefault(seq, item)
        if cid not in self._deadline:
            self._deadline[cid] = now + REORDER_WINDOW
            self._on_timer(self)

    def _rejoins(self, item: Item) -> bool:
        return item.type == "member.joined" and item.member and item.subject == self.user_id

    def _deliver(self, item: Item, now: float) -> None:
        cid = item.channel_id
        self._last[cid] = item.seq
        self._send(item.text, False)
        if not item.member:
            self._left[cid] = item.seq
            # Whatever waits for its turn is from after the leave, unless it is a rejoin.
            rest = sorted(self._held.pop(cid, {}).values(), key=lambda i: i.seq)
            self._deadline.pop(cid, None)
            for other in rest:
                self._accept(other, now)

    def _drain(self, cid: int, now: float) -> None:
        """Send the held frames that are next in line."""
        while True:
            held = self._held.get(cid)
            last = self._last.get(cid)
            if held and last is not None:
                for s in [s for s in held if s <= last]:
                    del held[s]
                item = held.pop(last + 1, None)
                if item is not None:
                    self._deliver(item, now)
                    continue
            if not held:
                self._held.pop(cid, None)
                self._deadline.pop(cid, None)
            return

    # -- timers -------------------------------------------------------------------------

    @property
    def has_timers(self) -> bool:
        return self._pending is not None or bool(self._deadline)

    def expire(self, now: float) -> bool:
        """Stop waiting: for a resume after the grace, for a missing seq after the
        window (its channel is then filled from the log). True when the caller must
        start a filler thread for this connection (see teamchat.realtime.replay)."""
        with self._lock:
            if self._pending is not None and now >= self._pending_until:
                self._end_pending()
            for cid, deadline in list(self._deadline.items()):
                if deadline > now:
                    continue
                del self._deadline[cid]
                held = self._held.get(cid)
                if not held or cid in self._replaying:
                    continue
                del self._held[cid]
                # Live frames of the channel wait in a bounded buffer meanwhile.
                self._replaying[cid] = sorted(held.values(), key=lambda i: i.seq)
                self._fill_upto[cid] = max(held)
                self._fills.append(cid)
            if self._fills and not self._filler and not self.closing:
                self._filler = True
                return True
            return False

    # -- gap fills ----------------------------------------------------------------------

    def next_fill(self) -> int | None:
        """The next channel whose gap the filler reads from the log; None ends it."""
        with self._lock:
            if self._fills and not self.closing:
                return self._fills.pop(0)
            self._filler = False
            return None

    def fill_range(self, cid: int) -> tuple[int, int]:
        """The seqs still to read from the log: after the first, up to the second."""
        with self._lock:
            return self._last.get(cid, 0), self._fill_upto.get(cid, 0)

    def finish_fill(
        self, cid: int, read: int = 0, *, give_up: bool = False, force: bool = False
    ) -> bool:
        """Back to live once the log was read (up to `read`) as far as the highest seq
        heard meanwhile: False if more arrived (the caller reads on). give_up: the log
        has nothing more, so a seq still missing was never committed; what waits behind
        it goes out. force: the log could not be read; the gap waits, to be tried again."""
        with self._lock:
            upto = self._fill_upto.get(cid)
            if upto is None:
                return True
            if not (give_up or force) and upto > max(read, self._last.get(cid, 0)):
                return False
            del self._fill_upto[cid]
            self._replay_overflow.discard(cid)
            buffer = self._replaying.pop(cid, [])
            now = time.monotonic()
            for item in buffer:
                self._accept(item, now)
            held = self._held.get(cid)
            if give_up and held:
                self._last[cid] = min(held) - 1
                self._drain(cid, now)
            return True

    def forget(self, cid: int, upto: int) -> None:
        """The user may not read the channel now (a resume or a gap fill found so):
        drop whatever waits for it, and take nothing more from it up to `upto` and
        after, but a rejoin. A frame addressed to the user before they left can still
        be on its way; neither it nor the log behind it is theirs to see."""
        with self._lock:
            self._left[cid] = max(upto, self._left.get(cid, 0), self._last.get(cid, 0))
            self._held.pop(cid, None)
            self._deadline.pop(cid, None)
            buffer = self._replaying.get(cid)
            if buffer is not None:
                buffer.clear()
            self._replay_overflow.discard(cid)

    def end_pending(self) -> None:
        """The client spoke without resuming: what waited for a resume goes out now."""
        with self._lock:
            if self._pending is not None:
                self._end_pending()

    def _end_pending(self) -> None:
        pending, self._pending = self._pending or [], None
        now = time.monotonic()
        for item in pending:
            self._accept(item, now)

    # -- replay -------------------------------------------------------------------------

    def begin_resume(self, channels: dict[int, int]) -> dict[int, int]:
        """Start replaying these channels from the client's last seen seq: their live
        frames wait in a buffer meanwhile. Returns channel -> seq to replay after."""
        with self._lock:
            pending, self._pending = self._pending, None
            starts: dict[int, int] = {}
            for cid, after in channels.items():
                if cid in self._replaying:
                    continue  # an earlier resume is replaying it already
                start = max(after, self._last.get(cid, after))
                self._last[cid] = start
                held = sorted(self._held.pop(cid, {}).values(), key=lambda i: i.seq)
                self._deadline.pop(cid, None)
                self._replaying[cid] = held
                starts[cid] = start
            now = time.monotonic()
            for item in pending or []:
                buffer = self._replaying.get(item.channel_id)
                if buffer is not None:
                    buffer.append(item)
                else:
                    self._accept(item, now)
            return starts

    def replay(self, items: list[Item]) -> bool:
        """Send logged events in order, waiting for room in the queue. False when the
        socket closed or its reader stalled (then it is closed)."""
        room = max(1, int(self.queue.capacity * REPLAY_SHARE))
        for item in items:
            with self._lock:
                if not self._replay_takes(item):
                    continue
            if not self.queue.put_wait(item.text, room, REPLAY_STALL_SECONDS):
                if not self.closing:
                    self.close(1013, "too slow: reconnect and resume")
                return False
        return True

    def _replay_takes(self, item: Item) -> bool:
        cid = item.channel_id
        left = self._left.get(cid)
        if left is not None:
            if not (self._rejoins(item) and item.seq > left):
                return False
            del self._left[cid]
        if item.seq <= self._last.get(cid, 0):
            return False
        self._last[cid] = item.seq
        if not item.member:
            self._left[cid] = item.seq
        return True

    def replayed_up_to(self, cid: int) -> int:
        with self._lock:
            return self._last.get(cid, 0)

    def finish_replay(self, cid: int, *, force: bool = False) -> bool:
        """Back to live: the buffered frames past the replay go out. False when the
        buffer overflowed; the caller reads the log further and tries again."""
        with self._lock:
            buffer = self._replaying.get(cid)
            if buffer is None:
                return True
            if cid in self._replay_overflow and not force:
                self._replay_overflow.discard(cid)
                buffer.clear()
                return False
            self._replay_overflow.discard(cid)
            del self._replaying[cid]
            now = time.monotonic()
            for item in buffer:
                self._accept(item, now)
            return True

    def last_seqs(self, channel_ids: list[int]) -> dict[int, int]:
        with self._lock:
            return {cid: self._last.get(cid, 0) for cid in channel_ids}


def _subject(type_: str, data: object) -> int | None:
    return subject_user_id(data) if type_.startswith("member.") else None


def logged_item(user_id: int, cid: int, seq: int, type_: str, text: str, data: object) -> Item:
    """An event read back from the channel log; there is no member list, but the
    user's own member.left is the one event that reaches a non-member."""
    subject = _subject(type_, data)
    member = not (type_ == "member.left" and subject == user_id)
    return Item(cid, seq, type_, text, member, subject)
