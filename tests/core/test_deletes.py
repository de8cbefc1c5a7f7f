"""Delete for me (a hide) and delete for everyone (a purge leaving a tombstone)."""

from __future__ import annotations

import time
from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.core.test_messages import (
    counts,
    event_log,
    frames,
    history,
    mention_rows,
    message_row,
    outbox_ids,
    reaction_rows,
    setup,
    snapshot,
    texts,
    types_of,
)

THUMBS = "%F0%9F%91%8D"


def delete(api: Api, mid: str, who: dict[str, Any], scope: str) -> Any:
    return api.delete(f"/api/v1/messages/{mid}?scope={scope}", who["token"])


# -- for me ---------------------------------------------------------------------------


def test_delete_for_me_hides_it_from_me_only(app: Flask, api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    keep = api.send(cid, a, "keep")
    gone = api.send(cid, a, "hey @bob")
    assert counts(api, wid, b, cid)[:2] == (2, 1)
    log_before = event_log(app, cid)
    with frames(app) as got:
        r = delete(api, gone["id"], b, "me")
    assert r.status_code == 204 and r.data == b""
    # Bob: gone from history, from a direct fetch, and from his counts.
    assert texts(history(api, cid, b)) == ["keep"]
    assert api.get(f"/api/v1/messages/{gone['id']}", b["token"]).status_code == 404
    assert counts(api, wid, b, cid)[:2] == (1, 0)
    # Alice still has it all.
    assert texts(history(api, cid, a)) == ["keep", "hey @bob"]
    assert api.get(f"/api/v1/messages/{gone['id']}", a["token"]).status_code == 200
    # Only bob's devices hear of it, and the channel's log does not change.
    assert types_of(got) == ["message.hidden"]
    envelope = got[0]
    assert envelope["user_ids"] == [int(b["user"]["id"])] and envelope["member_ids"] == []
    assert envelope["frame"]["data"] == {"id": gone["id"], "channel_id": cid}
    assert envelope["frame"]["seq"] is None
    assert event_log(app, cid) == log_before
    # Hidden already: to bob it is as if it did not exist.
    assert delete(api, gone["id"], b, "me").status_code == 404
    assert delete(api, keep["id"], b, "me").status_code == 204
    assert texts(history(api, cid, b)) == []


def test_hidden_message_cannot_be_reacted_to_or_edited_by_the_hider(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "x")
    assert delete(api, m["id"], a, "me").status_code == 204
    assert (
        api.put(f"/api/v1/messages/{m['id']}/reactions/{THUMBS}", token=a["token"]).status_code
        == 404
    )
    assert api.patch(f"/api/v1/messages/{m['id']}", {"text": "y"}, a["token"]).status_code == 404
    # Bob is unaffected.
    r = api.put(f"/api/v1/messages/{m['id']}/reactions/{THUMBS}", token=b["token"])
    assert r.status_code == 200


def test_hiding_a_reply_hides_it_in_the_thread(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    root = api.send(cid, a, "root")
    r1 = api.send(cid, a, "r1", thread_root_id=root["id"])
    api.send(cid, a, "r2", thread_root_id=root["id"])
    assert delete(api, r1["id"], b, "me").status_code == 204
    thread = api.get(f"/api/v1/messages/{root['id']}/thread", b["token"]).get_json()
    assert [m["text"] for m in thread["replies"]] == ["r2"]
    thread = api.get(f"/api/v1/messages/{root['id']}/thread", a["token"]).get_json()
    assert [m["text"] for m in thread["replies"]] == ["r1", "r2"]


# -- for everyone ---------------------------------------------------------------------


def test_delete_for_everyone_purges_and_leaves_a_tombstone(app: Flask, api: Api) -> None:
    (a, b, c), wid, cid = setup(api, "alice", "bob", "carol")
    before = api.send(cid, a, "before")
    m = api.send(cid, a, "secret plans @bob")
    api.put(f"/api/v1/messages/{m['id']}/reactions/{THUMBS}", token=c["token"])
    after = api.send(cid, a, "after")
    assert counts(api, wid, b, cid)[:2] == (3, 1)
    version = message_row(app, cid, m["id"]).version
    outbox_before = outbox_ids(app, cid).count(int(m["id"]))
    with frames(app) as got:
        r = delete(api, m["id"], a, "everyone")
    assert r.status_code == 204
    page = history(api, cid, b)
    assert [x["id"] for x in page["messages"]] == [before["id"], m["id"], after["id"]]
    tomb = page["messages"][1]
    assert tomb["seq"] == m["seq"] and tomb["deleted"] is True
    assert (tomb["text"], tomb["mentions"], tomb["reactions"]) == ("", [], [])
    assert api.get(f"/api/v1/messages/{m['id']}", c["token"]).get_json() == tomb
    # Purged from the database: text, reactions, mention rows; the index is told.
    row = message_row(app, cid, m["id"])
    assert (row.text, row.mentions_json) == ("", "[]")
    assert row.deleted_at is not None and row.version == version + 1
    assert reaction_rows(app, cid, m["id"]) == []
    assert mention_rows(app, cid, m["id"]) == {}
    assert outbox_ids(app, cid).count(int(m["id"])) == outbox_before + 1
    # Counts no longer include it.
    assert counts(api, wid, b, cid)[:2] == (2, 0)
    # Logged and published; the old text is gone from the log as well.
    log = event_log(app, cid)
    data = {"id": m["id"], "channel_id": cid, "scope": "everyone"}
    assert log[-1][1:] == ("message.deleted", data)
    assert types_of(got) == ["message.deleted"] and got[0]["frame"]["data"] == data
    assert "secret plans" not in repr(log)
    posted = [d for _, t, d in log if t == "message.posted" and d["id"] == m["id"]]
    assert posted == [tomb]


def test_delete_for_everyone_again_is_a_quiet_no_op(app: Flask, api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "x")
    assert delete(api, m["id"], a, "everyone").status_code == 204
    before = snapshot(app, api, cid, a)
    with frames(app) as got:
        assert delete(api, m["id"], a, "everyone").status_code == 204
    assert got == []
    assert snapshot(app, api, cid, a) == before


def test_only_the_sender_or_an_admin_may_delete_for_everyone(app: Flask, api: Api) -> None:
    (admin, b, c), _, cid = setup(api, "alice", "bob", "carol")
    m = api.send(cid, b, "bob says")
    before = snapshot(app, api, cid, b)
    r = delete(api, m["id"], c, "everyone")
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_sender"
    assert snapshot(app, api, cid, b) == before
    # Carol may still hide it for herself.
    assert delete(api, m["id"], c, "me").status_code == 204
    # The workspace admin may delete it for everyone.
    assert delete(api, m["id"], admin, "everyone").status_code == 204
    assert history(api, cid, b)["messages"][0]["deleted"] is True


def test_recall_window(app: Flask, api: Api) -> None:
    a, b = api.user("alice"), api.user("bob")
    short = api.post(
        "/api/v1/workspaces", {"name": "short", "recall_window_seconds": 1}, a["token"]
    )
    open_ = api.post("/api/v1/workspaces", {"name": "open", "recall_window_seconds": 0}, a["token"])
    cids = []
    for ws in (short.get_json()["id"], open_.get_json()["id"]):
        api.post(f"/api/v1/workspaces/{ws}/members", {"username": "bob"}, a["token"])
        cids.append(api.channel(ws, a, members=[b])["id"])
    quick = api.send(cids[0], b, "quick")
    assert delete(api, quick["id"], b, "everyone").status_code == 204
    late = api.send(cids[0], b, "late")
    kept = api.send(cids[1], b, "no window")
    time.sleep(1.2)
    before = snapshot(app, api, cids[0], b)
    for who in (b, a):  # the sender and the admin alike
        r = delete(api, late["id"], who, "everyone")
        assert r.status_code == 403, r.get_json()
        assert r.get_json()["error"]["code"] == "recall_window_passed"
    assert snapshot(app, api, cids[0], b) == before
    # 0 means no limit.
    assert delete(api, kept["id"], b, "everyone").status_code == 204


def test_deleting_a_thread_root_keeps_its_replies(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    root = api.send(cid, a, "root")
    replies = [api.send(cid, b, f"r{i}", thread_root_id=root["id"]) for i in range(3)]
    assert delete(api, root["id"], a, "everyone").status_code == 204
    thread = api.get(f"/api/v1/messages/{root['id']}/thread", b["token"]).get_json()
    assert thread["root"]["deleted"] is True and thread["root"]["text"] == ""
    assert [m["text"] for m in thread["replies"]] == ["r0", "r1", "r2"]
    assert thread["root"]["reply_count"] == 3
    # No new replies to a deleted root.
    r = api.post(
        f"/api/v1/channels/{cid}/messages",
        {"text": "late", "thread_root_id": root["id"]},
        b["token"],
    )
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "message_deleted"
    # Deleting a reply leaves its tombstone in the thread and lowers the count.
    assert delete(api, replies[1]["id"], b, "everyone").status_code == 204
    thread = api.get(f"/api/v1/messages/{root['id']}/thread", a["token"]).get_json()
    assert [m["deleted"] for m in thread["replies"]] == [False, True, False]
    assert thread["root"]["reply_count"] == 2


def test_scope_is_required_and_checked(app: Flask, api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "x")
    before = snapshot(app, api, cid, a)
    for query in ("", "?scope=", "?scope=all", "?scope=ME", "?scope=me%00", "?scope=everyone,me"):
        r = api.delete(f"/api/v1/messages/{m['id']}{query}", a["token"])
        assert r.status_code == 400, query
        assert r.get_json()["error"]["code"] in ("missing_field", "invalid_scope")
    assert snapshot(app, api, cid, a) == before
    assert delete(api, "99999", a, "everyone").status_code == 404
