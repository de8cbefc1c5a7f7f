"""Posting and fetching messages; the helpers the other message tests share."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from sqlalchemy import select

from teamchat.models import ChannelEvent, Mention, Reaction, SearchOutbox
from teamchat.models import Message as MessageRow
from tests.conftest import Api

# -- helpers shared by the message tests ----------------------------------------------


def setup(api: Api, *names: str, private: bool = False) -> tuple[list[dict[str, Any]], str, str]:
    """Users (the first owns everything), a workspace with all of them, and a channel
    they all belong to: (users, workspace id, channel id)."""
    users = [api.user(n) for n in names]
    wid = api.workspace(users[0], *users[1:])
    ch = api.channel(wid, users[0], private=private, members=users[1:])
    return users, wid, ch["id"]


def history(api: Api, cid: str, who: dict[str, Any], query: str = "") -> dict[str, Any]:
    r = api.get(f"/api/v1/channels/{cid}/messages{query}", who["token"])
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def texts(page: dict[str, Any]) -> list[str]:
    return [m["text"] for m in page["messages"]]


def counts(api: Api, wid: str, who: dict[str, Any], cid: str) -> tuple[int, int, int]:
    """(unread_count, mention_count, last_read_seq) of one channel in the caller's list."""
    r = api.get(f"/api/v1/workspaces/{wid}/channels", who["token"])
    assert r.status_code == 200, r.get_json()
    for c in r.get_json()["channels"]:
        if c["id"] == cid:
            return c["unread_count"], c["mention_count"], c["last_read_seq"]
    raise AssertionError(f"channel {cid} is not in the list")


def last_seq(api: Api, cid: str, who: dict[str, Any]) -> int:
    r = api.get(f"/api/v1/channels/{cid}", who["token"])
    assert r.status_code == 200, r.get_json()
    return r.get_json()["last_seq"]


@contextmanager
def shard_of(app: Flask, cid: str) -> Iterator[Any]:
    """A read-only look at the channel's shard (for what the API does not show:
    the event log, the outbox, mention rows)."""
    rt = app.extensions["teamchat"]
    from teamchat.store.channels import get_channel

    with rt.dbs.transaction(rt) as tx:
        channel = get_channel(tx.directory, int(cid))
        assert channel is not None
        yield tx.shard(channel.shard)


def event_log(app: Flask, cid: str) -> list[tuple[int, str, Any]]:
    with shard_of(app, cid) as s:
        rows = s.scalars(
            select(ChannelEvent)
            .where(ChannelEvent.channel_id == int(cid))
            .order_by(ChannelEvent.seq)
        )
        return [(e.seq, e.type, json.loads(e.payload)) for e in rows]


def outbox_ids(app: Flask, cid: str) -> list[int]:
    with shard_of(app, cid) as s:
        return list(
            s.scalars(select(SearchOutbox.message_id).where(SearchOutbox.channel_id == int(cid)))
        )


def mention_rows(app: Flask, cid: str, mid: str) -> dict[str, str]:
    with shard_of(app, cid) as s:
        rows = s.scalars(select(Mention).where(Mention.message_id == int(mid)))
        return {str(r.user_id): r.kind for r in rows}


def message_row(app: Flask, cid: str, mid: str) -> MessageRow:
    with shard_of(app, cid) as s:
        row = s.get(MessageRow, int(mid))
        assert row is not None
        return row


def reaction_rows(app: Flask, cid: str, mid: str) -> list[tuple[str, str]]:
    with shard_of(app, cid) as s:
        rows = s.scalars(select(Reaction).where(Reaction.message_id == int(mid)))
        return sorted((str(r.user_id), r.emoji) for r in rows)


@contextmanager
def frames(app: Flask) -> Iterator[list[dict[str, Any]]]:
    """Every envelope published on the app's event bus while inside the block."""
    got: list[dict[str, Any]] = []
    unsubscribe = app.extensions["teamchat"].bus.subscribe(got.append)
    try:
        yield got
    finally:
        unsubscribe()


def types_of(envelopes: list[dict[str, Any]]) -> list[str]:
    return [e["frame"]["type"] for e in envelopes]


def snapshot(app: Flask, api: Api, cid: str, who: dict[str, Any]) -> Any:
    """Everything a refused request must leave alone: history (with reactions), the
    channel's last seq, its event log and its outbox."""
    return (
        history(api, cid, who, "?limit=200"),
        last_seq(api, cid, who),
        event_log(app, cid),
        sorted(outbox_ids(app, cid)),
    )


# -- tests ----------------------------------------------------------------------------


def test_post_returns_the_message_shape_and_logs_it(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    with frames(app) as got:
        r = api.post(f"/api/v1/channels/{cid}/messages", {"text": "hello"}, a["token"])
    assert r.status_code == 201
    m = r.get_json()
    assert set(m) >= {
        "id",
        "channel_id",
        "seq",
        "author",
        "text",
        "created_at",
        "edited_at",
        "mentions",
        "reactions",
        "thread_root_id",
    }
    assert isinstance(m["id"], str) and m["id"].isdigit()
    assert m["channel_id"] == cid
    assert m["author"]["id"] == a["user"]["id"]
    assert m["text"] == "hello"
    assert m["edited_at"] is None and m["thread_root_id"] is None
    assert m["reactions"] == [] and m["mentions"] == []
    assert m["created_at"].endswith("Z") and len(m["created_at"]) == 24
    assert event_log(app, cid)[-1] == (m["seq"], "message.posted", m)
    assert types_of(got) == ["message.posted"]
    assert got[0]["frame"]["seq"] == m["seq"]
    assert int(m["id"]) in outbox_ids(app, cid)


def test_get_one_message_and_visibility(api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob", private=True)
    outsider = api.user("carol")
    api.post(
        f"/api/v1/workspaces/{wid}/members", {"username": "carol"}, a["token"]
    )  # carol is in the workspace but not the private channel
    m = api.send(cid, a, "secret")
    r = api.get(f"/api/v1/messages/{m['id']}", b["token"])
    assert r.status_code == 200 and r.get_json() == m
    r = api.get(f"/api/v1/messages/{m['id']}", outsider["token"])
    assert r.status_code == 404
    missing = api.get("/api/v1/messages/12345", b["token"])
    assert missing.status_code == 404
    # Invisible and missing look the same.
    assert r.get_json() == missing.get_json()


def test_client_msg_id_retry_returns_the_same_message(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    body = {"text": "once", "client_msg_id": "c-1"}
    first = api.post(f"/api/v1/channels/{cid}/messages", body, a["token"])
    again = api.post(f"/api/v1/channels/{cid}/messages", body, a["token"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    # The same client id from someone else is their own message.
    other = api.post(f"/api/v1/channels/{cid}/messages", body, b["token"])
    assert other.status_code == 201 and other.get_json()["id"] != first.get_json()["id"]
    assert texts(history(api, cid, a)) == ["once", "once"]
    posted = [e for e in event_log(app, cid) if e[1] == "message.posted"]
    assert len(posted) == 2


def test_posting_needs_membership_but_public_channels_are_readable(api: Api) -> None:
    (a,), wid, cid = setup(api, "alice")
    b = api.user("bob")
    api.post(f"/api/v1/workspaces/{wid}/members", {"username": "bob"}, a["token"])
    api.send(cid, a, "welcome")
    assert texts(history(api, cid, b)) == ["welcome"]
    r = api.post(f"/api/v1/channels/{cid}/messages", {"text": "hi"}, b["token"])
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_a_member"
    stranger = api.user("mallory")
    r = api.get(f"/api/v1/channels/{cid}/messages", stranger["token"])
    assert r.status_code == 404


def test_requests_without_a_token_are_refused(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "x")
    for method, path in [
        ("POST", f"/api/v1/channels/{cid}/messages"),
        ("GET", f"/api/v1/channels/{cid}/messages"),
        ("PATCH", f"/api/v1/messages/{m['id']}"),
        ("DELETE", f"/api/v1/messages/{m['id']}?scope=me"),
        ("PUT", f"/api/v1/messages/{m['id']}/reactions/%F0%9F%91%8D"),
        ("POST", f"/api/v1/channels/{cid}/read"),
        ("GET", f"/api/v1/messages/{m['id']}/thread"),
    ]:
        r = api.call(method, path, json={"text": "y", "seq": 1})
        assert r.status_code == 401, (method, path)
        r = api.call(method, path, json={"text": "y", "seq": 1}, token="not-a-token")
        assert r.status_code == 401, (method, path)
