"""At most one event per key per interval (typing indicators), in Redis when there is
one so that a user's devices on different processes share the budget."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Protocol

from teamchat.config import Settings

if TYPE_CHECKING:
    from redis import Redis


class Throttle(Protocol):
    def allow(self, key: str, seconds: float) -> bool:
        """True for the first call per key in any `seconds`; False until then."""
        ...


class MemoryThrottle:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._until: dict[str, float] = {}

    def allow(self, key: str, seconds: float) -> bool:
        now = time.monotonic()
        with self._lock:
            if len(self._until) > 100_000:
                self._until = {k: t for k, t in self._until.items() if t > now}
            if self._until.get(key, 0.0) > now:
                return False
            self._until[key] = now + seconds
            return True


class RedisThrottle:
    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix + "throttle:"

    def allow(self, key: str, seconds: float) -> bool:
        return bool(self.client.set(self.prefix + key, "1", nx=True, px=int(seconds * 1000)))


def make_throttle(settings: Settings, client: Redis | None) -> Throttle:
    if client is not None:
        return RedisThrottle(client, settings.redis_prefix)
    return MemoryThrottle()
