"""Fan-out across processes through one Redis pub/sub channel.

Every process receives every envelope and delivers it to its own sockets only. The
listener thread reconnects after a lost connection and then reports a gap: whatever
was published meanwhile is gone from pub/sub (but not from the channel logs).
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from teamchat.realtime.bus import Envelope, GapListener, InProcessBus, Subscriber

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

READY_TIMEOUT = 10.0
MAX_BACKOFF = 5.0


class RedisBus:
    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.channel = prefix + "events"
        self._local = InProcessBus()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._stop = threading.Event()

    def publish(self, envelope: Envelope) -> None:
        self.client.publish(
            self.channel, json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        )

    def subscribe(
        self, callback: Subscriber, on_gap: GapListener | None = None
    ) -> Callable[[], None]:
        unsubscribe = self._local.subscribe(callback, on_gap)
        self._ensure_listener()
        # A socket must not say hello before its events can reach it.
        if not self._ready.wait(READY_TIMEOUT):
            log.warning("the Redis event bus is not subscribed yet; live events may be late")
        return unsubscribe

    def close(self) -> None:
        self._stop.set()
        self._local.close()
        if self._thread is not None:
            self._thread.join(timeout=3)

    def _ensure_listener(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._listen, name="teamchat-redis-bus", daemon=True
                )
                self._thread.start()

    def _listen(self) -> None:
        backoff = 0.1
        connected_before = False
        while not self._stop.is_set():
            pubsub = self.client.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self.channel)
                if connected_before:
                    self._local.gap()
                connected_before = True
                self._ready.set()
                backoff = 0.1
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    try:
                        envelope = json.loads(message["data"])
                    except (TypeError, ValueError):
                        log.exception("bad envelope on the bus")
                        continue
                    self._local.publish(envelope)
            except Exception:
                if self._stop.is_set():
                    break
                log.warning("Redis event bus disconnected; retrying in %.1fs", backoff)
                self._ready.clear()
                self._stop.wait(backoff)
                backoff = min(MAX_BACKOFF, backoff * 2)
            finally:
                with contextlib.suppress(Exception):
                    pubsub.close()
