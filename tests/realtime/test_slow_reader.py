"""A reader that stops reading fills only its own bounded queue: the others keep getting
their frames, it is closed with 1013 (typing and presence go first, channel events
never), and a resume gives it every channel event once."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import pytest

from teamchat.realtime.sendqueue import Close, SendQueue
from tests.realtime.conftest import Cluster
from tests.realtime.live import Client, channel_frames, clients, is_type

SEND_QUEUE = 8
# Enough to fill the kernel's buffers of a reader whose receive buffer is small, and
# the send queue after them; the test stops as soon as the stalled socket is dropped.
MAX_POSTS = 1500
BIG = "x" * 15_000


@pytest.fixture(scope="package")
def small_queues(start_cluster: Callable[..., Cluster]) -> Cluster:
    return start_cluster(1, ws_send_queue=SEND_QUEUE)


def _offline(user: dict[str, Any]) -> Callable[[dict[str, Any]], bool]:
    return is_type("presence.changed", user_id=user["user"]["id"], presence="offline")


def test_a_stalled_reader_is_closed_and_resumes_every_event_once(small_queues: Cluster) -> None:
    cluster = small_queues
    http = cluster.http(0)
    alice, bob, carol = http.user(), http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob, carol), alice, [bob, carol])
    # Alice watches bob: she hears when his only socket is gone.
    http.call("PUT", f"/api/v1/contacts/{bob['user']['id']}", token=alice["token"])
    start = http.last_seq(cid, bob)
    small_buffer = ((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),)
    with clients() as opened:
        opened.append(reader := Client(cluster.a.ws_url, alice["token"]))
        opened.append(typist := Client(cluster.a.ws_url, carol["token"]))
        # Bob's device keeps its heartbeat but reads nothing, not even the hello.
        opened.append(
            stalled := Client(cluster.a.ws_url, bob["token"], read=False, sockopt=small_buffer)
        )
        reader.next(is_type("presence.changed", user_id=bob["user"]["id"], presence="online"))
        posted: list[int] = []
        for i in range(MAX_POSTS):
            # Typing (dropped first when bob's queue is full) between channel events.
            typist.send({"type": "typing", "channel_id": cid})
            seq = http.send(cid, carol, f"#{i} {BIG}")["seq"]
            posted.append(seq)
            # The reading socket on the same process gets each one as it comes.
            reader.next(lambda f, s=seq: f.get("channel_id") == cid and f.get("seq") == s, 20)
            if any(_offline(bob)(f) for f in reader.seen):
                break
        else:
            pytest.fail(f"the stalled socket was still open after {MAX_POSTS} posts")
        assert posted == list(range(start + 1, start + len(posted) + 1))

        # Bob's device reads again: what the kernel held, then the close.
        stalled.start_reading()
        assert stalled.ended.wait(30)
        assert stalled.close_code == 1013
        first = []
        while not stalled.frames.empty():
            first.append(stalled.frames.get())
        assert first[0]["type"] == "hello"
        heard = [f["seq"] for f in channel_frames(first, cid)]
        assert heard == list(range(start + 1, start + len(heard) + 1))
        assert len(heard) < len(posted)  # the rest was still queued when it closed

        # It reconnects and resumes from the last seq it saw: the rest, once, in order.
        opened.append(again := Client(cluster.a.ws_url, bob["token"]))
        again.send({"type": "resume", "channels": {cid: heard[-1] if heard else start}})
        again.next(is_type("resumed"), timeout=60)
        last = http.send(cid, alice, "after the resume")["seq"]
        again.next(lambda f: f.get("seq") == last, timeout=20)
        resumed = [f["seq"] for f in channel_frames(again.seen, cid)]
        assert heard + resumed == list(range(start + 1, last + 1))


def test_a_full_queue_drops_typing_and_presence_before_channel_events() -> None:
    q = SendQueue(3)
    assert q.put("typing 1", True)
    assert q.put("event 1", False)
    assert q.put("presence 1", True)
    assert q.put("typing 2", True)  # full: a droppable frame is dropped itself
    assert q.put("event 2", False)  # full: makes room by dropping typing 1
    assert q.put("event 3", False)  # and then presence 1
    assert not q.put("event 4", False)  # full of channel events: the caller closes
    assert [q.get() for _ in range(3)] == ["event 1", "event 2", "event 3"]
    q.put("event 5", False)
    q.close(1013, "too slow")
    assert q.get() == Close(1013, "too slow")  # an abnormal close skips what is queued
