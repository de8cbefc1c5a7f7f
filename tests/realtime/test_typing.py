"""Typing: live to the channel's other members only, at most one per 3 s per user."""

from __future__ import annotations

import time

from tests.realtime.conftest import Cluster
from tests.realtime.live import Client, clients, is_type, wait_until


def test_typing_reaches_the_other_members_only(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, bob, eve = http.user(), http.user(), http.user()
    wid = http.workspace(alice, bob, eve)
    cid = http.channel(wid, alice, [bob])  # public: eve may read it but is not in it
    with clients() as opened:
        opened.append(typist := Client(cluster.a.ws_url, alice["token"]))
        opened.append(typist_other_device := Client(cluster.b.ws_url, http.login(alice)))
        opened.append(member := Client(cluster.b.ws_url, bob["token"]))
        opened.append(reader := Client(cluster.a.ws_url, eve["token"]))
        typist.send({"type": "typing", "channel_id": cid})
        frame = member.next(is_type("typing"))
        assert frame == {
            "type": "typing",
            "channel_id": cid,
            "seq": None,
            "data": {"user_id": alice["user"]["id"]},
        }
        for other in (typist, typist_other_device, reader):
            assert [f for f in other.drain(0.5) if f["type"] == "typing"] == []


def test_typing_is_throttled_per_user_and_channel(cluster: Cluster) -> None:
    http = cluster.http(1)
    alice, bob = http.user(), http.user()
    wid = http.workspace(alice, bob)
    cid = http.channel(wid, alice, [bob])
    other = http.channel(wid, alice, [bob])
    with clients() as opened:
        opened.append(phone := Client(cluster.a.ws_url, alice["token"]))
        opened.append(laptop := Client(cluster.b.ws_url, http.login(alice)))
        opened.append(member := Client(cluster.a.ws_url, bob["token"]))
        started = time.monotonic()
        for device in (phone, laptop, phone, laptop):
            device.send({"type": "typing", "channel_id": cid})
        phone.send({"type": "typing", "channel_id": other})

        # One for each channel, whatever the load; then no more, however long we wait.
        def both_heard() -> bool:
            member.drain(0.2)
            return {cid, other} <= {f["channel_id"] for f in member.seen if f["type"] == "typing"}

        wait_until(both_heard, timeout=10)
        member.drain(1.0)
        typing = [f["channel_id"] for f in member.seen if f["type"] == "typing"]
        assert sorted(typing) == sorted([cid, other])
        # Past the 3 s window, with room for a slow server to have started it late.
        time.sleep(max(0.0, 4.5 - (time.monotonic() - started)))
        laptop.send({"type": "typing", "channel_id": cid})
        member.next(is_type("typing"), timeout=5)


def test_typing_where_you_are_not_a_member_is_an_error(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, eve = http.user(), http.user()
    wid = http.workspace(alice, eve)
    public = http.channel(wid, alice, [])
    private = http.channel(wid, alice, [], private=True)
    with clients() as opened:
        opened.append(outsider := Client(cluster.a.ws_url, eve["token"]))
        opened.append(owner := Client(cluster.b.ws_url, alice["token"]))
        outsider.send({"type": "typing", "channel_id": public})
        err = outsider.next(is_type("error"))
        assert err["data"]["error"]["code"] == "not_a_member"
        outsider.send({"type": "typing", "channel_id": private})
        err = outsider.next(is_type("error"))
        assert err["data"]["error"]["code"] == "not_found"
        assert [f for f in owner.drain(0.5) if f["type"] == "typing"] == []
