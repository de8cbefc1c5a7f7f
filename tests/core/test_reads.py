"""Read pointers: forward only, pushed live, and the unread and mention counts."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.core.test_messages import counts, event_log, frames, last_seq, setup, types_of


def mark(api: Api, cid: str, who: dict[str, Any], seq: Any) -> Any:
    return api.post(f"/api/v1/channels/{cid}/read", {"seq": seq}, who["token"])


def test_pointer_moves_forward_only_and_pushes_live(app: Flask, api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    ms = [api.send(cid, a, f"m{i}") for i in range(3)]
    start = counts(api, wid, b, cid)[2]
    assert counts(api, wid, b, cid)[:2] == (3, 0)
    log = event_log(app, cid)
    with frames(app) as got:
        r = mark(api, cid, b, ms[1]["seq"])
    assert r.status_code == 200 and r.get_json() == {"last_read_seq": ms[1]["seq"]}
    assert counts(api, wid, b, cid) == (1, 0, ms[1]["seq"])
    # Live only: pushed to the channel with no seq, and not in the log.
    assert types_of(got) == ["read.updated"]
    envelope = got[0]
    assert envelope["frame"] == {
        "type": "read.updated",
        "channel_id": cid,
        "seq": None,
        "data": {"user_id": b["user"]["id"], "last_read_seq": ms[1]["seq"]},
    }
    assert set(envelope["member_ids"]) == {int(a["user"]["id"]), int(b["user"]["id"])}
    assert event_log(app, cid) == log
    # Back or in place: it stays, and nothing is pushed.
    with frames(app) as got:
        for seq in (ms[0]["seq"], start, 0, ms[1]["seq"]):
            r = mark(api, cid, b, seq)
            assert r.status_code == 200 and r.get_json() == {"last_read_seq": ms[1]["seq"]}
    assert got == []
    assert counts(api, wid, b, cid) == (1, 0, ms[1]["seq"])
    r = mark(api, cid, b, ms[2]["seq"])
    assert r.get_json() == {"last_read_seq": ms[2]["seq"]}
    assert counts(api, wid, b, cid) == (0, 0, ms[2]["seq"])
    # The members list shows the pointer to the others.
    members = api.get(f"/api/v1/channels/{cid}/members", a["token"]).get_json()["members"]
    mine = [m for m in members if m["user"]["id"] == b["user"]["id"]]
    assert mine[0]["last_read_seq"] == ms[2]["seq"]


def test_seq_past_the_end_is_refused(api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    api.send(cid, a, "m")
    end = last_seq(api, cid, b)
    before = counts(api, wid, b, cid)
    r = mark(api, cid, b, end + 1)
    assert r.status_code == 400 and r.get_json()["error"]["code"] == "seq_out_of_range"
    assert counts(api, wid, b, cid) == before
    # The last seq itself is fine, whatever event took it.
    assert mark(api, cid, b, end).get_json() == {"last_read_seq": end}


def test_unread_and_mentions_count_what_is_after_the_pointer(api: Api) -> None:
    (a, b, c), wid, cid = setup(api, "alice", "bob", "carol")
    api.send(cid, a, "one")
    m2 = api.send(cid, c, "two @bob")
    api.send(cid, a, "three @channel")
    api.send(cid, b, "bob's own")  # posting reads the channel for bob
    assert counts(api, wid, b, cid)[:2] == (0, 0)
    api.send(cid, a, "four @bob")
    api.send(cid, a, "five")
    assert counts(api, wid, b, cid)[:2] == (2, 1)
    # Carol: everything after her own message; @channel counts for her.
    assert counts(api, wid, c, cid)[:2] == (4, 1)
    mark(api, cid, c, m2["seq"] + 1)  # read up to "three @channel"
    assert counts(api, wid, c, cid)[:2] == (3, 0)


def test_thread_replies_count_as_mentions_not_as_unread(api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    root = api.send(cid, b, "root")
    api.send(cid, a, "in the thread @bob", thread_root_id=root["id"])
    assert counts(api, wid, b, cid)[:2] == (0, 1)


def test_leaving_and_rejoining_keeps_counts_right(api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    other = api.channel(wid, a, members=[b])["id"]
    api.send(other, a, "elsewhere @bob")
    api.send(cid, a, "hi @bob")
    api.send(cid, b, "bye")
    api.send(cid, a, "did you go @bob?")
    assert counts(api, wid, b, cid)[:2] == (1, 1)
    assert api.post(f"/api/v1/channels/{cid}/leave", token=b["token"]).status_code == 204
    listed = api.get(f"/api/v1/workspaces/{wid}/channels", b["token"]).get_json()["channels"]
    assert cid not in [c["id"] for c in listed]
    assert counts(api, wid, b, other)[:2] == (1, 1)
    assert counts(api, wid, a, cid)[:2] == (0, 0)
    r = mark(api, cid, b, 1)
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_a_member"
    api.send(cid, a, "while away @bob")
    # Joining again starts from now: what happened before is not news.
    assert api.post(f"/api/v1/channels/{cid}/join", token=b["token"]).status_code == 200
    assert counts(api, wid, b, cid)[:2] == (0, 0)
    api.send(cid, a, "welcome back @bob")
    assert counts(api, wid, b, cid)[:2] == (1, 1)


def test_private_channel_pointer_is_for_members_only(api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob", private=True)
    c = api.user("carol")
    api.post(f"/api/v1/workspaces/{wid}/members", {"username": "carol"}, a["token"])
    api.send(cid, a, "x")
    assert mark(api, cid, c, 1).status_code == 404
    assert mark(api, "999999", b, 1).status_code == 404
