"""Delivery: across processes, to every device once, in channel order, and nothing
more after a leave."""

from __future__ import annotations

import threading
from typing import Any

from tests.realtime.conftest import Cluster
from tests.realtime.live import Client, Http, channel_frames, chatter, clients, is_type


def test_a_message_posted_through_one_process_reaches_a_socket_on_another(
    cluster: Cluster,
) -> None:
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob])
    with clients() as opened:
        opened.append(bob_on_b := Client(cluster.b.ws_url, bob["token"]))
        posted = http.send(cid, alice, "hello from process A")
        frame = bob_on_b.next(is_type("message.posted"))
        assert frame["channel_id"] == cid
        assert frame["seq"] == posted["seq"]
        assert frame["data"]["text"] == "hello from process A"
        assert frame["data"]["author"]["id"] == alice["user"]["id"]


def test_people_outside_the_channel_hear_nothing(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, bob, eve = http.user(), http.user(), http.user()
    wid = http.workspace(alice, bob, eve)
    secret = http.channel(wid, alice, [bob], private=True)
    public = http.channel(wid, alice, [bob])
    with clients() as opened:
        opened.append(eve_a := Client(cluster.a.ws_url, eve["token"]))
        opened.append(bob_b := Client(cluster.b.ws_url, bob["token"]))
        http.send(secret, alice, "for bob only")
        http.send(public, alice, "for the members of the public channel")
        bob_b.next(is_type("message.posted", text="for the members of the public channel"))
        assert channel_frames(eve_a.drain(0.5), secret) == []
        assert channel_frames(eve_a.seen, public) == []


def _post_concurrently(
    posters: list[tuple[Http, dict[str, Any]]], cid: str, per_poster: int
) -> list[int]:
    """Each poster posts through its own process at the same time; returns the seqs."""
    seqs: list[int] = []
    lock = threading.Lock()

    def run(http: Http, who: dict[str, Any], n: int) -> None:
        for i in range(n):
            seq = http.send(cid, who, f"{who['user']['username']} #{i}")["seq"]
            with lock:
                seqs.append(seq)

    threads = [threading.Thread(target=run, args=(h, w, per_poster)) for h, w in posters]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(seqs)


def _wait_for_seq(client: Client, cid: str, seq: int) -> None:
    client.next(lambda f: f.get("channel_id") == cid and f.get("seq") == seq, timeout=20)


def test_every_device_gets_every_event_once_and_in_order(cluster: Cluster) -> None:
    http_a, http_b = cluster.http(0), cluster.http(1)
    alice, bob, carol = http_a.user(), http_a.user(), http_a.user()
    cid = http_a.channel(http_a.workspace(alice, bob, carol), alice, [bob, carol])
    bob_second_token = http_b.login(bob)
    with clients() as opened:
        opened.append(Client(cluster.a.ws_url, bob["token"]))
        opened.append(Client(cluster.b.ws_url, bob_second_token))
        opened.append(Client(cluster.b.ws_url, bob_second_token))
        start = http_a.last_seq(cid, bob)
        for c in opened:  # as a client does: resume, so no live frame waits for it
            c.send({"type": "resume", "channels": {cid: start}})
            c.next(is_type("resumed"))
        seqs = _post_concurrently([(http_a, alice), (http_b, carol), (http_b, alice)], cid, 15)
        assert seqs == list(range(start + 1, start + 46))
        for device in opened:
            _wait_for_seq(device, cid, seqs[-1])
            device.drain(0.3)
            got = [f["seq"] for f in channel_frames(device.seen, cid)]
            assert got == seqs, f"{device.hello['session_id']}: {got}"


def test_a_leaver_gets_their_own_member_left_and_nothing_after(cluster: Cluster) -> None:
    http_a, http_b = cluster.http(0), cluster.http(1)
    alice, bob, carol = http_a.user(), http_a.user(), http_a.user()
    cid = http_a.channel(http_a.workspace(alice, bob, carol), alice, [bob, carol], private=True)
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        opened.append(bob_b := Client(cluster.b.ws_url, http_b.login(bob)))
        opened.append(carol_b := Client(cluster.b.ws_url, carol["token"]))
        start = http_a.last_seq(cid, bob)
        for c in opened:
            c.send({"type": "resume", "channels": {cid: start}})
            c.next(is_type("resumed"))

        # Posts and typing race the leave, through both processes.
        with chatter(cid, (http_a, alice), (http_b, carol)):
            bob_a.next(is_type("message.posted"), timeout=20)
            http_b.call("POST", f"/api/v1/channels/{cid}/leave", token=bob["token"])
            carol_b.send({"type": "typing", "channel_id": cid})
            carol_b.next(is_type("member.left"), timeout=20)
            for _ in range(5):
                carol_b.next(is_type("message.posted"), timeout=20)
        last = http_a.send(cid, alice, "after everything")["seq"]
        _wait_for_seq(carol_b, cid, last)
        carol_seqs = [f["seq"] for f in channel_frames(carol_b.seen, cid)]
        assert carol_seqs == list(range(start + 1, last + 1))
        left = next(f for f in carol_b.seen if f["type"] == "member.left")
        assert left["data"]["user"]["id"] == bob["user"]["id"]

        for device in (bob_a, bob_b):
            device.drain(1.0)
            frames = [f for f in device.seen if f.get("channel_id") == cid]
            # Everything up to the leave, once and in order; the leave is the last word.
            seqs = [f["seq"] for f in frames if f["seq"] is not None]
            assert seqs == list(range(start + 1, left["seq"] + 1))
            assert frames[-1]["type"] == "member.left"
            assert frames[-1]["seq"] == left["seq"]


def test_a_member_who_comes_back_hears_the_channel_again(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob])
    with clients() as opened:
        opened.append(bob_b := Client(cluster.b.ws_url, bob["token"]))
        http.call("POST", f"/api/v1/channels/{cid}/leave", token=bob["token"])
        bob_b.next(is_type("member.left"))
        http.send(cid, alice, "while bob is away")
        http.call("POST", f"/api/v1/channels/{cid}/join", token=bob["token"])
        joined = bob_b.next(is_type("member.joined"))
        assert joined["data"]["user"]["id"] == bob["user"]["id"]
        http.send(cid, alice, "welcome back")
        bob_b.next(is_type("message.posted", text="welcome back"))
        texts = [f["data"].get("text") for f in bob_b.seen if f["type"] == "message.posted"]
        assert "while bob is away" not in texts


def test_a_new_channel_goes_live_as_its_log_has_it(cluster: Cluster) -> None:
    """channel.created at seq 1 and each member.joined after it, live as in the log, so
    that a client tracks the channel's seqs (and resumes it) from its first event."""
    http = cluster.http(1)
    alice, bob, carol = http.user(), http.user(), http.user()
    wid = http.workspace(alice, bob, carol)
    member_ids = [alice["user"]["id"], bob["user"]["id"], carol["user"]["id"]]
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        opened.append(alice_b := Client(cluster.b.ws_url, alice["token"]))
        cid = http.channel(wid, alice, [bob, carol], private=True)
        group = http.call(
            "POST", f"/api/v1/workspaces/{wid}/dms", {"user_ids": member_ids[1:]}, alice["token"]
        )["id"]
        expected = [("channel.created", 1)] + [("member.joined", s) for s in (2, 3, 4)]
        for c in (cid, group):
            assert http.last_seq(c, alice) == 4
            for device in (bob_a, alice_b):
                device.next(lambda f, c=c: f.get("channel_id") == c and f.get("seq") == 4)
                frames = channel_frames(device.seen, c)
                assert [(f["type"], f["seq"]) for f in frames] == expected
                assert frames[0]["data"]["id"] == c
                assert [f["data"]["user"]["id"] for f in frames[1:]] == member_ids
        # Each member hears the channel as they see it: a group DM names the others.
        me = {bob_a: bob, alice_b: alice}
        for device, who in me.items():
            created = channel_frames(device.seen, group)[0]["data"]
            others = [u for u in member_ids if u != who["user"]["id"]]
            assert sorted(u["id"] for u in created["dm_users"]) == sorted(others)

        # A device that resumes the channel from before its start gets the same events,
        # and nothing twice.
        opened.append(bob_b := Client(cluster.b.ws_url, http.login(bob)))
        bob_b.send({"type": "resume", "channels": {cid: 0}})
        assert bob_b.next(is_type("resumed"))["data"]["channels"] == {cid: 4}
        posted = http.send(cid, carol, "after the start")
        bob_b.next(lambda f: f.get("seq") == posted["seq"])
        frames = channel_frames(bob_b.seen, cid)
        assert [(f["type"], f["seq"]) for f in frames] == [*expected, ("message.posted", 5)]


def _fake_post(cid: str, seq: int, member_ids: list[str], extra: list[str] | None = None) -> dict:
    """A message.posted envelope as the server publishes it (ids as numbers)."""
    return {
        "channel_id": int(cid),
        "member_ids": [int(u) for u in member_ids],
        "user_ids": [int(u) for u in extra or []],
        "frame": {
            "type": "message.posted",
            "channel_id": cid,
            "seq": seq,
            "data": {"text": f"late #{seq}"},
        },
    }


def test_a_frame_made_before_the_leave_but_heard_after_it_is_dropped(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob], private=True)
    ids = [alice["user"]["id"], bob["user"]["id"]]
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        opened.append(bob_b := Client(cluster.b.ws_url, http.login(bob)))
        opened.append(alice_b := Client(cluster.b.ws_url, alice["token"]))
        http.call("POST", f"/api/v1/channels/{cid}/leave", token=bob["token"])
        left = bob_a.next(is_type("member.left"))["seq"]
        bob_b.next(is_type("member.left"))
        alice_b.next(is_type("member.left"))
        # Made in a transaction that still counted bob as a member, heard after the leave.
        cluster.publish_raw(_fake_post(cid, left + 1, ids))
        alice_b.next(lambda f: f.get("seq") == left + 1)
        for device in (bob_a, bob_b):
            assert channel_frames(device.drain(0.5), cid) == []


def test_a_late_frame_from_before_a_leave_opens_no_history_to_a_denied_resume(
    cluster: Cluster,
) -> None:
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob], private=True)
    ids = [alice["user"]["id"], bob["user"]["id"]]
    start = http.last_seq(cid, bob)
    for i in range(3):
        http.send(cid, alice, f"secret #{i}")
    http.call("POST", f"/api/v1/channels/{cid}/leave", token=bob["token"])
    left = http.last_seq(cid, alice)
    with clients() as opened:
        opened.append(alice_a := Client(cluster.a.ws_url, http.login(alice)))
        opened.append(bob_a := Client(cluster.a.ws_url, http.login(bob)))
        alice_a.send({"type": "resume", "channels": {cid: left}})
        alice_a.next(is_type("resumed"))
        # A new device of bob's asks for the channel from before the leave: denied.
        bob_a.send({"type": "resume", "channels": {cid: start}})
        assert bob_a.next(is_type("resumed"))["data"]["denied"] == [cid]
        # A frame addressed to bob while he was a member, heard only now, with a seq
        # missing before it: the gap must not be filled for him from the log.
        cluster.publish_raw(_fake_post(cid, left + 2, ids))
        # Alice, on the same process, has the same gap filled and then gets the frame.
        alice_a.next(lambda f: f.get("seq") == left + 2, timeout=20)
        bob_a.drain(1.0)
        assert channel_frames(bob_a.seen, cid) == []
        assert not [f for f in bob_a.seen if "secret" in str(f)]


def _envelope(cid: str, message: dict[str, Any], member_ids: list[str]) -> dict:
    """The message.posted envelope the server publishes for a message it posted."""
    return {
        "channel_id": int(cid),
        "member_ids": [int(u) for u in member_ids],
        "user_ids": [],
        "frame": {
            "type": "message.posted",
            "channel_id": cid,
            "seq": message["seq"],
            "data": message,
        },
    }


def test_a_gap_that_does_not_fill_live_is_filled_from_the_log_once_and_in_order(
    cluster: Cluster,
) -> None:
    http, unheard = cluster.http(0), Http(cluster.unheard().base_url)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob])
    ids = [alice["user"]["id"], bob["user"]["id"]]
    with clients() as opened:
        opened.append(bob_a := Client(cluster.a.ws_url, bob["token"]))
        opened.append(Client(cluster.b.ws_url, http.login(bob)))
        start = http.last_seq(cid, bob)
        for device in opened:
            device.send({"type": "resume", "channels": {cid: start}})
            device.next(is_type("resumed"))
        # Committed and in the log, but their publishes were lost.
        lost = [unheard.send(cid, alice, f"lost #{i}") for i in range(3)]
        assert [m["seq"] for m in lost] == [start + 1, start + 2, start + 3]
        # The last two are heard after all: late, out of order and twice. The first
        # one never comes, so the gap before them is read from the channel log.
        cluster.publish_raw(_envelope(cid, lost[2], ids))
        cluster.publish_raw(_envelope(cid, lost[1], ids))
        cluster.publish_raw(_envelope(cid, lost[2], ids))
        for device in opened:
            device.next(lambda f: f.get("channel_id") == cid and f.get("seq") == start + 3, 20)
        # The first one heard at last, after the fill: a duplicate, dropped.
        cluster.publish_raw(_envelope(cid, lost[0], ids))
        # Then live again.
        live = http.send(cid, alice, "live again")
        assert live["seq"] == start + 4
        for device in opened:
            device.next(lambda f: f.get("seq") == live["seq"])
            device.drain(0.5)
            frames = channel_frames(device.seen, cid)
            assert [f["seq"] for f in frames] == [start + 1, start + 2, start + 3, start + 4]
            assert [f["data"]["text"] for f in frames] == [
                "lost #0",
                "lost #1",
                "lost #2",
                "live again",
            ]
            assert [f["data"]["id"] for f in frames] == [m["id"] for m in [*lost, live]]

        # A seq that is not in the log either (never committed) holds the next one back
        # only until the log has been read.
        cluster.publish_raw(_fake_post(cid, start + 6, ids))
        bob_a.next(lambda f: f.get("seq") == start + 6, timeout=20)
        assert [f["seq"] for f in channel_frames(bob_a.seen, cid)][-2:] == [start + 4, start + 6]
