"""The per-app container of long-lived parts: databases, ids, bus, jobs, search.

Built by create_app and kept on `app.extensions["teamchat"]`; nothing here runs at import.
"""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import current_app

from teamchat.config import Settings
from teamchat.ids import MAX_NODE, Snowflake
from teamchat.store.db import Databases

if TYPE_CHECKING:
    from redis import Redis

    from teamchat.jobs import JobQueue
    from teamchat.ratelimit import RateLimiter
    from teamchat.realtime.bus import EventBus
    from teamchat.realtime.presence import Presence

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    settings: Settings
    dbs: Databases
    ids: Snowflake
    redis: Redis | None
    bus: EventBus
    jobs: JobQueue
    presence: Presence
    limiter: RateLimiter
    _search: Any = None
    closers: list[Any] = field(default_factory=list)

    @property
    def search(self) -> Any:
        """The search engine, created on first use (it may talk to the network)."""
        if self._search is None:
            from teamchat.searching import make_engine

            self._search = make_engine(self.settings)
        return self._search

    def close(self) -> None:
        for closer in reversed(self.closers):
            try:
                closer()
            except Exception:
                log.exception("closing runtime part failed")
        self.dbs.dispose()


def build_runtime(settings: Settings) -> Runtime:
    from teamchat.jobs import make_job_queue
    from teamchat.ratelimit import make_rate_limiter
    from teamchat.realtime.bus import make_bus
    from teamchat.realtime.presence import make_presence

    if not settings.directory_url:
        settings.data_path.mkdir(parents=True, exist_ok=True)
    dbs = Databases(settings.resolved_directory_url(), settings.resolved_shard_urls())
    redis_client = None
    if settings.redis_url:
        import redis

        redis_client = redis.Redis.from_url(settings.redis_url, decode_responses=True)
    ids = Snowflake(_node_id(settings, redis_client))
    bus = make_bus(settings, redis_client)
    rt = Runtime(
        settings=settings,
        dbs=dbs,
        ids=ids,
        redis=redis_client,
        bus=bus,
        jobs=make_job_queue(settings),
        presence=make_presence(settings, redis_client, bus),
        limiter=make_rate_limiter(settings, redis_client),
    )
    return rt


def _node_id(settings: Settings, redis_client: Redis | None) -> int:
    if settings.node_id >= 0:
        return settings.node_id
    if redis_client is not None:
        # Processes sharing a Redis take distinct node ids in turn.
        return int(redis_client.incr(settings.redis_prefix + "node_id")) % (MAX_NODE + 1)
    return (os.getpid() ^ random.getrandbits(10)) % (MAX_NODE + 1)


def current_runtime() -> Runtime:
    return current_app.extensions["teamchat"]


def transaction(rt: Runtime | None = None) -> Any:
    """`with transaction() as tx:` in an entry point; events and jobs go out after commit."""
    rt = rt or current_runtime()
    return rt.dbs.transaction(rt)
