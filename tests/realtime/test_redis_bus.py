"""The Redis event bus keeps channel events whose publish failed and sends them once
Redis answers again; sockets drop what they already had from the log."""

from __future__ import annotations

import queue
import socket
import uuid

import pytest
import redis

from teamchat.realtime import events as ev
from teamchat.realtime.redis_bus import RedisBus
from tests.conftest import need_env


def _unreachable() -> redis.Redis:
    """A client of a port where nothing listens: every publish fails."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=1)


def test_a_channel_event_whose_publish_failed_goes_out_when_redis_answers() -> None:
    good = redis.Redis.from_url(need_env("TEAMCHAT_TEST_REDIS_URL"), decode_responses=True)
    bus = RedisBus(good, f"tctest:{uuid.uuid4().hex[:12]}:")
    heard: queue.Queue[dict] = queue.Queue()
    bus.subscribe(heard.put)
    try:
        bus.client = _unreachable()  # Redis refuses this process's publishes
        posted = ev.to_channel("message.posted", 5, 12, {"text": "kept"}, [1, 2])
        bus.publish(posted)  # kept, not raised
        # Live-only frames are stale by the time Redis answers: not kept.
        with pytest.raises(redis.ConnectionError):
            bus.publish(ev.to_channel("typing", 5, None, {"user_id": "1"}, [2]))
        with pytest.raises(queue.Empty):
            heard.get(timeout=1.5)
        bus.client = good  # Redis answers again
        assert heard.get(timeout=10) == posted
        bus.publish(after := ev.to_channel("message.posted", 5, 13, {"text": "next"}, [1, 2]))
        assert heard.get(timeout=10) == after
    finally:
        bus.close()
        good.close()
