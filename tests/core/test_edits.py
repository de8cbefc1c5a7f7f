"""Editing a message: sender only, not when deleted, mentions recomputed, re-indexed."""

from __future__ import annotations

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
    setup,
    snapshot,
    types_of,
)


def test_sender_edits_text_and_everyone_sees_it(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "helo")
    version = message_row(app, cid, m["id"]).version
    outbox_before = outbox_ids(app, cid).count(int(m["id"]))
    with frames(app) as got:
        r = api.patch(f"/api/v1/messages/{m['id']}", {"text": "hello"}, a["token"])
    assert r.status_code == 200
    edited = r.get_json()
    assert edited["text"] == "hello" and edited["seq"] == m["seq"] and edited["id"] == m["id"]
    assert edited["edited_at"] is not None and edited["edited_at"] >= m["created_at"]
    assert api.get(f"/api/v1/messages/{m['id']}", b["token"]).get_json() == edited
    assert history(api, cid, b)["messages"] == [edited]
    assert message_row(app, cid, m["id"]).version == version + 1
    assert outbox_ids(app, cid).count(int(m["id"])) == outbox_before + 1
    seq, type_, data = event_log(app, cid)[-1]
    assert (type_, data) == ("message.edited", edited) and seq > m["seq"]
    assert types_of(got) == ["message.edited"]
    assert got[0]["frame"] == {
        "type": "message.edited",
        "channel_id": cid,
        "seq": seq,
        "data": edited,
    }


def test_only_the_sender_may_edit(app: Flask, api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    m = api.send(cid, b, "bob's words")
    before = snapshot(app, api, cid, a)
    # Not even the workspace admin.
    r = api.patch(f"/api/v1/messages/{m['id']}", {"text": "alice's words"}, a["token"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_sender"
    assert snapshot(app, api, cid, a) == before
    # Someone who cannot see it gets the not-found answer.
    (c,), _, _ = setup(api, "carol")
    r = api.patch(f"/api/v1/messages/{m['id']}", {"text": "x"}, c["token"])
    assert r.status_code == 404
    assert snapshot(app, api, cid, a) == before


def test_deleted_messages_cannot_be_edited(app: Flask, api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "soon gone")
    assert api.delete(f"/api/v1/messages/{m['id']}?scope=everyone", a["token"]).status_code == 204
    before = snapshot(app, api, cid, a)
    r = api.patch(f"/api/v1/messages/{m['id']}", {"text": "back"}, a["token"])
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "message_deleted"
    assert snapshot(app, api, cid, a) == before


def test_same_text_changes_nothing(app: Flask, api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "same")
    before = snapshot(app, api, cid, a)
    r = api.patch(f"/api/v1/messages/{m['id']}", {"text": "same"}, a["token"])
    assert r.status_code == 200 and r.get_json() == m
    assert snapshot(app, api, cid, a) == before


def test_edit_rewrites_mentions_and_counts(app: Flask, api: Api) -> None:
    (a, b, c), wid, cid = setup(api, "alice", "bob", "carol")
    m = api.send(cid, a, "hi all")
    assert counts(api, wid, b, cid)[:2] == (1, 0)
    edited = api.patch(f"/api/v1/messages/{m['id']}", {"text": "hi @bob"}, a["token"]).get_json()
    assert edited["mentions"] == [
        {"kind": "user", "user_id": b["user"]["id"], "start": 3, "end": 7}
    ]
    assert mention_rows(app, cid, m["id"]) == {b["user"]["id"]: "user"}
    assert counts(api, wid, b, cid)[:2] == (1, 1)
    # Moving the mention from bob to carol moves the count with it.
    api.patch(f"/api/v1/messages/{m['id']}", {"text": "hi @carol"}, a["token"])
    assert mention_rows(app, cid, m["id"]) == {c["user"]["id"]: "user"}
    assert counts(api, wid, b, cid)[:2] == (1, 0)
    assert counts(api, wid, c, cid)[:2] == (1, 1)
    # @channel reaches everyone but the author.
    api.patch(f"/api/v1/messages/{m['id']}", {"text": "@channel look"}, a["token"])
    assert mention_rows(app, cid, m["id"]) == {
        b["user"]["id"]: "channel",
        c["user"]["id"]: "channel",
    }
    api.patch(f"/api/v1/messages/{m['id']}", {"text": "no one"}, a["token"])
    assert mention_rows(app, cid, m["id"]) == {}
    assert counts(api, wid, b, cid)[:2] == (1, 0)
    assert counts(api, wid, c, cid)[:2] == (1, 0)
    assert api.get(f"/api/v1/messages/{m['id']}", b["token"]).get_json()["mentions"] == []


def test_editing_a_reply_keeps_it_in_its_thread(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    root = api.send(cid, a, "root")
    reply = api.send(cid, b, "reply", thread_root_id=root["id"])
    r = api.patch(f"/api/v1/messages/{reply['id']}", {"text": "reply!"}, b["token"])
    assert r.status_code == 200
    thread = api.get(f"/api/v1/messages/{root['id']}/thread", a["token"]).get_json()
    assert [m["text"] for m in thread["replies"]] == ["reply!"]
    assert [m["text"] for m in history(api, cid, a)["messages"]] == ["root"]
