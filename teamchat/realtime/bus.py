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
GapListener = Callable[[], None]


class EventBus(Protocol):
    def publish(self, envelope: Envelope) -> None: ...

    def subscribe(
        self, callback: Subscriber, on_gap: GapListener | None = None
    ) -> Callable[[], None]:
        """Receive every envelope published from now on (the subscription is live when
        this returns); on_gap is called when some may have been missed (a lost
        connection to the broker), so sockets can make their clients resume."""
        ...

    def close(self) -> None: ...


class InProcessBus:
    """The embedded default: every subscriber lives in this process. Also the local
    end of RedisBus."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: list[tuple[Subscriber, GapListener | None]] = []

    def publish(self, envelope: Envelope) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback, _ in subscribers:
            try:
                callback(envelope)
            except Exception:
                log.exception("event subscriber failed")

    def gap(self) -> None:
        with self._lock:
            listeners = [g for _, g in self._subscribers if g is not None]
        for listener in listeners:
            try:
                listener()
            except Exception:
                log.exception("gap listener failed")

    def subscribe(
        self, callback: Subscriber, on_gap: GapListener | None = None
    ) -> Callable[[], None]:
        entry = (callback, on_gap)
        with self._lock:
            self._subscribers.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._subscribers:
                    self._subscribers.remove(entry)

        return unsubscribe

    def close(self) -> None:
        with self._lock:
            self._subscribers.clear()


def make_bus(settings: Settings, client: Redis | None) -> EventBus:
    if client is not None:
        from teamchat.realtime.redis_bus import RedisBus

        return RedisBus(client, settings.redis_prefix)
    return InProcessBus()
