"""Fan-out across processes through one Redis pub/sub channel."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from teamchat.realtime.bus import Envelope, InProcessBus, Subscriber

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)


class RedisBus:
    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.channel = prefix + "events"
        self._local = InProcessBus()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def publish(self, envelope: Envelope) -> None:
        self.client.publish(self.channel, json.dumps(envelope, ensure_ascii=False))

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        self._ensure_listener()
        return self._local.subscribe(callback)

    def _ensure_listener(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._listen, name="teamchat-redis-bus", daemon=True
                )
                self._thread.start()

    def _listen(self) -> None:
        pubsub = self.client.pubsub(ignore_subscribe_messages=True)
        pubsub.subscribe(self.channel)
        for message in pubsub.listen():
            try:
                self._local.publish(json.loads(message["data"]))
            except Exception:
                log.exception("bad event on the bus")
