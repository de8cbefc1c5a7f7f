"""Threads: replies join the root's thread, fetched as {root, replies}."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.core.test_messages import event_log, frames, setup, snapshot, types_of


def thread(api: Api, mid: str, who: dict[str, Any], query: str = "") -> Any:
    return api.get(f"/api/v1/messages/{mid}/thread{query}", who["token"])


def test_replies_and_the_root_count(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    root = api.send(cid, a, "root")
    with frames(app) as got:
        r1 = api.send(cid, b, "r1", thread_root_id=root["id"])
    assert r1["thread_root_id"] == root["id"]
    # The reply is posted, and the root (its reply count) is edited, in that order.
    assert types_of(got) == ["message.posted", "message.edited"]
    assert got[1]["frame"]["data"]["id"] == root["id"]
    assert got[1]["frame"]["data"]["reply_count"] == 1
    assert got[1]["frame"]["seq"] == got[0]["frame"]["seq"] + 1
    # A reply to a reply joins the root's thread, as in Slack.
    r2 = api.send(cid, a, "r2", thread_root_id=r1["id"])
    assert r2["thread_root_id"] == root["id"]
    t = thread(api, root["id"], b)
    assert t.status_code == 200
    body = t.get_json()
    assert body["root"]["id"] == root["id"] and body["root"]["reply_count"] == 2
    assert [m["text"] for m in body["replies"]] == ["r1", "r2"]
    assert [m["thread_root_id"] for m in body["replies"]] == [root["id"]] * 2
    assert body["has_more"] is False
    # Opening a reply opens its thread.
    assert thread(api, r2["id"], a).get_json() == body
    posted = [d["id"] for _, t, d in event_log(app, cid) if t == "message.posted"]
    assert posted == [root["id"], r1["id"], r2["id"]]


def test_a_message_without_replies_is_a_thread_of_one(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "alone")
    body = thread(api, m["id"], a).get_json()
    assert body == {"root": m, "replies": [], "has_more": False}


def test_replies_page_by_seq(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    root = api.send(cid, a, "root")
    replies = [api.send(cid, a, f"r{i}", thread_root_id=root["id"]) for i in range(5)]
    page = thread(api, root["id"], a, "?limit=2").get_json()
    assert [m["text"] for m in page["replies"]] == ["r0", "r1"] and page["has_more"] is True
    page = thread(api, root["id"], a, f"?limit=2&after={replies[1]['seq']}").get_json()
    assert [m["text"] for m in page["replies"]] == ["r2", "r3"] and page["has_more"] is True
    page = thread(api, root["id"], a, f"?limit=2&after={replies[3]['seq']}").get_json()
    assert [m["text"] for m in page["replies"]] == ["r4"] and page["has_more"] is False
    for bad in ("?limit=0", "?limit=1001", "?after=-1", "?after=x"):
        assert thread(api, root["id"], a, bad).status_code == 400, bad


def test_thread_roots_must_be_in_the_same_channel(app: Flask, api: Api) -> None:
    (a,), wid, cid = setup(api, "alice")
    other = api.channel(wid, a)["id"]
    elsewhere = api.send(other, a, "elsewhere")
    before = snapshot(app, api, cid, a)
    for root_id in (elsewhere["id"], "123456789"):
        r = api.post(
            f"/api/v1/channels/{cid}/messages", {"text": "x", "thread_root_id": root_id}, a["token"]
        )
        assert r.status_code == 404, r.get_json()
    assert snapshot(app, api, cid, a) == before


def test_threads_of_invisible_channels_are_not_found(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob", private=True)
    (c,), _, _ = setup(api, "carol")
    root = api.send(cid, a, "private root")
    assert thread(api, root["id"], c).status_code == 404
    assert thread(api, "1", c).status_code == 404
