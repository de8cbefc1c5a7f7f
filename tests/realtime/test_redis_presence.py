"""Presence state in Redis over long spans, made short by setting the keys as time
would have left them: versions that outlive their key, devices whose seen set expired."""

from __future__ import annotations

import queue
import time
import uuid
from collections.abc import Iterator

import pytest
import redis

from teamchat.config import Settings
from teamchat.realtime import presence
from teamchat.realtime.presence import Announcer
from teamchat.realtime.redis_presence import SWEEP_BATCH, RedisPresence
from tests.conftest import need_env

Told = queue.Queue[tuple[int, str]]
HOUR_MS = 3_600_000


@pytest.fixture
def client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(need_env("TEAMCHAT_TEST_REDIS_URL"), decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def store(client: redis.Redis) -> Iterator[tuple[RedisPresence, Told, str]]:
    prefix = f"tctest:{uuid.uuid4().hex[:12]}:"
    settings = Settings(redis_prefix=prefix, presence_timeout_seconds=60)
    p = RedisPresence(settings, client)
    told: Told = queue.Queue()
    p.set_listener(lambda user_id, status: told.put((user_id, status)))
    yield p, told, p.prefix
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)


def _redis_ms(client: redis.Redis) -> int:
    seconds, micros = client.time()
    return int(seconds) * 1000 + int(micros) // 1000


def test_a_change_after_the_version_key_expired_is_still_told(
    client: redis.Redis, store: tuple[RedisPresence, Told, str]
) -> None:
    p, told, prefix = store
    p.connect(7, "phone")
    assert told.get(timeout=10) == (7, "online")
    # A day without a change: the version key is gone, this process remembers it.
    client.delete(f"{prefix}version:7")
    told_at = _redis_ms(client)
    while _redis_ms(client) <= told_at:  # and time went on, if only by a millisecond
        time.sleep(0.001)
    p.disconnect(7, "phone")
    assert told.get(timeout=10) == (7, "offline")
    p.connect(7, "laptop")
    assert told.get(timeout=10) == (7, "online")


def test_the_sweeper_drops_devices_whose_seen_set_expired(
    client: redis.Redis, store: tuple[RedisPresence, Told, str]
) -> None:
    p, told, prefix = store
    long_ago = _redis_ms(client) - 10 * HOUR_MS
    # Every process was down for hours: the per-user keys expired, the device list not.
    orphans = {f"{1000 + i}:dev{i}": long_ago + i for i in range(SWEEP_BATCH + 20)}
    client.zadd(f"{prefix}devices", orphans)
    # And one user whose device went silent later than all of those.
    p.connect(9, "tablet")
    assert told.get(timeout=10) == (9, "online")
    client.zadd(f"{prefix}seen:9", {"tablet": long_ago + HOUR_MS})
    client.zadd(f"{prefix}devices", {"9:tablet": long_ago + HOUR_MS})

    p.sweep()  # the oldest batch: orphans only, which it forgets
    p.sweep()  # then the rest, with the silent tablet
    assert told.get(timeout=10) == (9, "offline")
    assert client.zcard(f"{prefix}devices") == 0


def test_a_live_device_is_kept_by_the_sweeper(
    client: redis.Redis, store: tuple[RedisPresence, Told, str]
) -> None:
    p, told, prefix = store
    client.zadd(f"{prefix}devices", {"1:gone": _redis_ms(client) - HOUR_MS})
    p.connect(2, "here")
    assert told.get(timeout=10) == (2, "online")
    p.sweep()
    assert client.zrange(f"{prefix}devices", 0, -1) == ["2:here"]
    assert p.status(2) == "online"


def test_the_announcer_forgets_old_users(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presence, "TOLD_MAX", 50)
    announcer = Announcer()
    told: Told = queue.Queue()
    announcer.listener = lambda user_id, status: told.put((user_id, status))
    for uid in range(200):
        announcer.put(uid, "online", 1_000 + uid)
    for _ in range(200):
        told.get(timeout=10)
    assert announcer.told_count() == 50
    # A later change of a forgotten user is told; an older one of a remembered user not.
    announcer.put(199, "away", 1)
    announcer.put(0, "away", 5_000)
    assert told.get(timeout=10) == (0, "away")
    assert told.empty()
