"""Fixed-window rate limits, in Redis when there is one (shared by all processes)."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Protocol

from teamchat.config import Settings

if TYPE_CHECKING:
    from redis import Redis


class RateLimiter(Protocol):
    def hit(self, key: str, limit: int, window_seconds: int) -> int:
        """Count one hit; return 0 if allowed, else seconds until the window resets."""
        ...


class MemoryRateLimiter:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, int], int] = {}

    def hit(self, key: str, limit: int, window_seconds: int) -> int:
        now = time.time()
        window = int(now // window_seconds)
        with self._lock:
            if len(self._counts) > 100_000:
                self._counts = {k: v for k, v in self._counts.items() if k[1] >= window}
            count = self._counts.get((key, window), 0) + 1
            self._counts[(key, window)] = count
        if count > limit:
            return max(1, int((window + 1) * window_seconds - now))
        return 0


class RedisRateLimiter:
    def __init__(self, client: Redis, prefix: str) -> None:
        self.client = client
        self.prefix = prefix

    def hit(self, key: str, limit: int, window_seconds: int) -> int:
        now = time.time()
        window = int(now // window_seconds)
        rkey = f"{self.prefix}rl:{key}:{window}"
        pipe = self.client.pipeline()
        pipe.incr(rkey)
        pipe.expire(rkey, window_seconds + 1)
        count = int(pipe.execute()[0])
        if count > limit:
            return max(1, int((window + 1) * window_seconds - now))
        return 0


def make_rate_limiter(settings: Settings, client: Redis | None) -> RateLimiter:
    if client is not None:
        return RedisRateLimiter(client, settings.redis_prefix)
    return MemoryRateLimiter()
