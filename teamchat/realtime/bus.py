"""Fan-out of event envelopes to every process that holds sockets."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from teamchat.config import Settings

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

Envelope = dict[str, Any]
Subscriber = Callable[[Envelope], None]


class EventBus(Protocol):
    def publish(self, envelope: Envelope) -> None: ...
    def subscribe(self, callback: Subscriber) -> Callable[[], None]: ...


class InProcessBus:
    """The embedded default: every subscriber lives in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[Subscriber] = []

    def publish(self, envelope: Envelope) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(envelope)
            except Exception:
                log.exception("event subscriber failed")

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self._lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe


def make_bus(settings: Settings, client: Redis | None) -> EventBus:
    if client is not None:
        from teamchat.realtime.redis_bus import RedisBus

        return RedisBus(client, settings.redis_prefix)
    return InProcessBus()
