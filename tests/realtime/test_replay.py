"""Resume: what a device missed comes back from the channel logs, in order, once, and
then live events follow without a gap."""

from __future__ import annotations

import threading
import urllib.parse
from typing import Any

from tests.realtime.conftest import Cluster
from tests.realtime.live import Client, Http, channel_frames, chatter, clients, is_type


def _resume(client: Client, channels: dict[str, int]) -> dict[str, Any]:
    client.send({"type": "resume", "channels": channels})
    return client.next(is_type("resumed"), timeout=60)


def test_a_resume_after_a_gap_replays_posts_edits_deletes_and_reactions_in_order(
    cluster: Cluster,
) -> None:
    http_a, http_b = cluster.http(0), cluster.http(1)
    alice, bob = http_a.user(), http_a.user()
    cid = http_a.channel(http_a.workspace(alice, bob), alice, [bob])
    seen = http_a.send(cid, alice, "before the gap")["seq"]

    # Bob is away: things happen through both processes.
    m1 = http_a.send(cid, alice, "first while away")
    m2 = http_b.send(cid, alice, "second while away")
    http_b.call("PATCH", f"/api/v1/messages/{m1['id']}", {"text": "first, edited"}, alice["token"])
    http_a.call("DELETE", f"/api/v1/messages/{m2['id']}?scope=everyone", token=alice["token"])
    thumbs = urllib.parse.quote("👍")
    http_b.call("PUT", f"/api/v1/messages/{m1['id']}/reactions/{thumbs}", token=alice["token"])
    m3 = http_a.send(cid, alice, "last while away")
    last = http_a.last_seq(cid, bob)

    with clients() as opened:
        opened.append(bob_b := Client(cluster.b.ws_url, bob["token"]))
        resumed = _resume(bob_b, {cid: seen})
        assert resumed["data"] == {"channels": {cid: last}, "denied": []}
        replayed = channel_frames(bob_b.seen, cid)
        assert [f["seq"] for f in replayed] == list(range(seen + 1, last + 1))
        assert [(f["type"], _message_id(f)) for f in replayed] == [
            ("message.posted", m1["id"]),
            ("message.posted", m2["id"]),
            ("message.edited", m1["id"]),
            ("message.deleted", m2["id"]),
            ("reaction.added", m1["id"]),
            ("message.posted", m3["id"]),
        ]
        assert replayed[2]["data"]["text"] == "first, edited"
        # Deleted for everyone: the text is gone from the log as well.
        assert replayed[1]["data"]["text"] == ""
        assert replayed[4]["data"]["emoji"] == "👍"

        # Then live, with nothing replayed twice.
        live = http_b.send(cid, alice, "after the resume")
        bob_b.next(lambda f: f.get("seq") == live["seq"])
        bob_b.drain(0.3)
        assert [f["seq"] for f in channel_frames(bob_b.seen, cid)] == list(
            range(seen + 1, live["seq"] + 1)
        )


def _message_id(frame: dict[str, Any]) -> str:
    data = frame["data"]
    return str(data.get("message_id") or data.get("id"))


def test_a_long_gap_is_replayed_whole(cluster: Cluster) -> None:
    """More events than one page of the log: paging loses and repeats nothing."""
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob])
    seen = http.last_seq(cid, bob)
    _post_many([(cluster.http(0), alice), (cluster.http(1), alice)], cid, 560)
    last = http.last_seq(cid, bob)
    assert last - seen == 1120
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        _resume(bob_a, {cid: seen})
        assert [f["seq"] for f in channel_frames(bob_a.seen, cid)] == list(
            range(seen + 1, last + 1)
        )


def _post_many(posters: list[tuple[Http, dict[str, Any]]], cid: str, each: int) -> None:
    def run(h: Http, who: dict[str, Any]) -> None:
        for i in range(each):
            h.send(cid, who, f"message {i}")

    threads = [threading.Thread(target=run, args=p) for p in posters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def test_events_made_during_the_replay_follow_it_without_gap_or_repeat(
    cluster: Cluster,
) -> None:
    http_a, http_b = cluster.http(0), cluster.http(1)
    alice, bob, carol = http_a.user(), http_a.user(), http_a.user()
    cid = http_a.channel(http_a.workspace(alice, bob, carol), alice, [bob, carol])
    seen = http_a.last_seq(cid, bob)
    _post_many([(http_a, alice)], cid, 150)

    with clients() as opened:
        with chatter(cid, (http_a, alice), (http_b, carol), label="live"):
            # Reconnects while messages keep coming, through both processes; each
            # resumes first thing, as a client does (its first ping would end the wait
            # for a resume, and the live frames would go out from there).
            second_token = http_b.login(bob)
            for url, token in ((cluster.a.ws_url, bob["token"]), (cluster.b.ws_url, second_token)):
                opened.append(device := Client(url, token))
                _resume(device, {cid: seen})
            for device in opened:
                for _ in range(10):
                    device.next(is_type("message.posted", channel_id=cid), timeout=20)
        last = http_a.send(cid, alice, "the end")["seq"]
        for device in opened:
            device.next(lambda f, s=last: f.get("seq") == s, timeout=20)
            device.drain(0.3)
            assert [f["seq"] for f in channel_frames(device.seen, cid)] == list(
                range(seen + 1, last + 1)
            )


def test_only_channels_the_user_can_read_now_are_replayed(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    wid = http.workspace(alice, bob)
    secret = http.channel(wid, alice, [bob], private=True)
    other = http.channel(wid, alice, [], private=True)  # bob was never in it
    kept = http.channel(wid, alice, [bob])
    seen = http.last_seq(secret, bob)
    http.call("POST", f"/api/v1/channels/{secret}/leave", token=bob["token"])
    http.send(secret, alice, "after bob left")
    http.send(other, alice, "never for bob")
    posted = http.send(kept, alice, "for bob")
    with clients() as opened:
        opened.append(bob_b := Client(cluster.b.ws_url, bob["token"]))
        resumed = _resume(bob_b, {secret: seen, other: 0, kept: posted["seq"] - 1})
        assert sorted(resumed["data"]["denied"]) == sorted([secret, other])
        assert resumed["data"]["channels"] == {kept: posted["seq"]}
        assert channel_frames(bob_b.seen, secret) == []
        assert channel_frames(bob_b.seen, other) == []
        assert [f["data"]["text"] for f in channel_frames(bob_b.seen, kept)] == ["for bob"]


def test_a_replay_stops_at_the_users_own_leave(cluster: Cluster) -> None:
    """A public channel stays readable after leaving, but like a live socket the replay
    ends with the user's own member.left."""
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob])
    seen = http.send(cid, alice, "seen")["seq"]
    http.send(cid, alice, "missed")
    http.call("POST", f"/api/v1/channels/{cid}/leave", token=bob["token"])
    http.send(cid, alice, "after the leave")
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        _resume(bob_a, {cid: seen})
        frames = channel_frames(bob_a.seen, cid)
        assert [f["type"] for f in frames] == ["message.posted", "member.left"]
        assert frames[0]["data"]["text"] == "missed"


def test_channels_not_named_in_the_resume_are_live_only(cluster: Cluster) -> None:
    http = cluster.http(1)
    alice, bob = http.user(), http.user()
    wid = http.workspace(alice, bob)
    named, unnamed = http.channel(wid, alice, [bob]), http.channel(wid, alice, [bob])
    seen = http.last_seq(named, bob)
    http.send(named, alice, "missed in named")
    http.send(unnamed, alice, "missed in unnamed")
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        _resume(bob_a, {named: seen})
        http.send(unnamed, alice, "live in unnamed")
        bob_a.next(is_type("message.posted", text="live in unnamed"))
        texts = [f["data"].get("text") for f in bob_a.seen if f["type"] == "message.posted"]
        assert texts == ["missed in named", "live in unnamed"]
