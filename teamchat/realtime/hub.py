"""The sockets of this process: who is connected, and delivery of bus envelopes to them.

The hub never queries the database: an envelope names its recipients. One timer thread
lets go of frames that waited for a resume, hands a socket whose missing seq did not
come to the gap filler (which reads the channel log), closes sockets whose client went
silent, and drops the TCP connection of sockets stuck closing.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from teamchat.realtime.connection import Connection
from teamchat.realtime.events import Envelope, ended_session_id, recipients
from teamchat.realtime.presence import silence_limit

if TYPE_CHECKING:
    from teamchat.runtime import Runtime

log = logging.getLogger(__name__)

TICK_SECONDS = 0.1
# A socket that was told to close but whose writer is still blocked after this long
# (a peer that stopped reading) loses its TCP connection.
ABORT_AFTER_SECONDS = 5.0
NO_HEARTBEAT = 4408
# The device session behind the socket was logged out: the client should not reconnect.
SESSION_ENDED = 4401
GAP = 1012


class Hub:
    def __init__(self, rt: Runtime, fill: Callable[[Connection], None]) -> None:
        """fill(conn) starts filling the connection's gaps from the channel logs (on a
        thread of its own: the timer thread never waits for the database)."""
        self.rt = rt
        self._fill = fill
        self._silence = silence_limit(rt.settings)
        # A heartbeat reaches presence at most this often per socket.
        self._beat_every = max(0.2, self._silence / 4)
        self._lock = threading.Lock()
        self._by_user: dict[int, dict[str, Connection]] = {}
        self._due: set[Connection] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._started = False
        self._stop = threading.Event()

    # -- connections --------------------------------------------------------------------

    def connection(
        self, user_id: int, session_id: int, transport: object, resumes: bool = True
    ) -> Connection:
        return Connection(
            user_id,
            session_id,
            transport,  # type: ignore[arg-type]
            self.rt.settings.ws_send_queue,
            on_timer=self._timer_due,
            resumes=resumes,
        )

    def register(self, conn: Connection) -> None:
        """Deliver to this socket from now on (its hello is already queued), and count
        it as a device for presence."""
        self._start()
        with self._lock:
            self._by_user.setdefault(conn.user_id, {})[conn.id] = conn
            self._due.add(conn)
        self._presence(self.rt.presence.connect, conn)

    def unregister(self, conn: Connection) -> None:
        with self._lock:
            conns = self._by_user.get(conn.user_id)
            if conns is not None:
                conns.pop(conn.id, None)
                if not conns:
                    del self._by_user[conn.user_id]
            self._due.discard(conn)
        self._presence(self.rt.presence.disconnect, conn)

    def heard(self, conn: Connection) -> None:
        """The client sent something: it is alive."""
        now = time.monotonic()
        conn.last_heard = now
        if now - conn.last_beat >= self._beat_every:
            conn.last_beat = now
            self._presence(self.rt.presence.beat, conn)

    def set_away(self, conn: Connection, away: bool) -> None:
        conn.last_beat = time.monotonic()
        try:
            self.rt.presence.set_away(conn.user_id, conn.id, away)
        except Exception:
            log.exception("presence update failed")

    def connection_count(self) -> int:
        with self._lock:
            return sum(len(c) for c in self._by_user.values())

    def _presence(self, op: Callable[[int, str], None], conn: Connection) -> None:
        try:
            op(conn.user_id, conn.id)
        except Exception:  # presence is best effort; delivery goes on
            log.exception("presence update failed")

    # -- delivery -----------------------------------------------------------------------

    def dispatch(self, envelope: Envelope) -> None:
        """From the bus: hand the frame to the local sockets of its recipients."""
        members = {int(u) for u in envelope.get("member_ids") or ()}
        with self._lock:
            targets = [
                conn for uid in recipients(envelope) for conn in self._by_user.get(uid, {}).values()
            ]
        ended = ended_session_id(envelope)
        if ended is not None:
            for conn in targets:
                if conn.session_id == ended:
                    conn.close(SESSION_ENDED, "this device was logged out")
            return
        if not targets:
            return
        text = json.dumps(envelope["frame"], ensure_ascii=False, separators=(",", ":"))
        for conn in targets:
            try:
                conn.offer(envelope, text, conn.user_id in members)
            except Exception:
                log.exception("delivering to socket %s failed", conn.id)

    def _gap(self) -> None:
        """The bus lost envelopes: every client reconnects and resumes from the logs."""
        for conn in self._all():
            conn.close(GAP, "events may have been missed: reconnect and resume")

    def _all(self) -> list[Connection]:
        with self._lock:
            return [c for conns in self._by_user.values() for c in conns.values()]

    # -- the timer thread ---------------------------------------------------------------

    def _timer_due(self, conn: Connection) -> None:
        with self._lock:
            self._due.add(conn)

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            self._started = True
        # Subscribed before any hello goes out, so a client never misses what follows.
        self._unsubscribe = self.rt.bus.subscribe(self.dispatch, self._gap)
        self.rt.presence.start()
        threading.Thread(target=self._run, name="teamchat-hub", daemon=True).start()

    def _run(self) -> None:
        next_scan = 0.0
        while not self._stop.wait(TICK_SECONDS):
            now = time.monotonic()
            with self._lock:
                due = list(self._due)
            for conn in due:
                try:
                    if conn.expire(now):
                        self._fill(conn)
                except Exception:
                    log.exception("socket timer failed")
                if not conn.has_timers:
                    with self._lock:
                        if not conn.has_timers:
                            self._due.discard(conn)
            if now >= next_scan:
                next_scan = now + 1.0
                self._scan(now)

    def _scan(self, now: float) -> None:
        for conn in self._all():
            if conn.closed_at is not None:
                if now - conn.closed_at > ABORT_AFTER_SECONDS and not conn.writer_done.is_set():
                    conn.transport.abort()
            elif now - conn.last_heard > self._silence:
                log.info("socket %s of user %s went silent; closing", conn.id, conn.user_id)
                conn.close(NO_HEARTBEAT, f"no heartbeat for {self._silence:.0f} s")

    def close(self) -> None:
        self._stop.set()
        if self._unsubscribe is not None:
            self._unsubscribe()
        for conn in self._all():
            conn.close(1001, "server shutting down")
