"""Presence: online while a device holds a live socket, away when the client says so,
offline once the last device has been silent past the timeout."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Protocol

from teamchat.config import Settings

if TYPE_CHECKING:
    from redis import Redis

    from teamchat.realtime.bus import EventBus

ONLINE, AWAY, OFFLINE = "online", "away", "offline"


class Presence(Protocol):
    def status(self, user_id: int) -> str: ...
    def statuses(self, user_ids: list[int]) -> dict[int, str]: ...
    def start(self) -> None: ...


class MemoryPresence:
    """In-process presence for the embedded default (filled in by the socket hub)."""

    def __init__(self, settings: Settings, bus: EventBus) -> None:
        self.settings = settings
        self.bus = bus
        self._lock = threading.Lock()
        # user id -> connection id -> (last heartbeat, away flag)
        self._conns: dict[int, dict[str, tuple[float, bool]]] = {}

    def status(self, user_id: int) -> str:
        return self.statuses([user_id])[user_id]

    def statuses(self, user_ids: list[int]) -> dict[int, str]:
        cutoff = time.monotonic() - self.settings.presence_timeout_seconds
        out: dict[int, str] = {}
        with self._lock:
            for uid in user_ids:
                live = [away for seen, away in self._conns.get(uid, {}).values() if seen > cutoff]
                if not live:
                    out[uid] = OFFLINE
                else:
                    out[uid] = AWAY if all(live) else ONLINE
        return out

    def start(self) -> None:
        return None


def make_presence(settings: Settings, client: Redis | None, bus: EventBus) -> Presence:
    return MemoryPresence(settings, bus)
