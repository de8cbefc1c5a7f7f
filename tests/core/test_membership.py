"""Joining, adding and leaving: who may see what afterwards, and the events each emits."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask import Flask

from teamchat.runtime import transaction
from teamchat.store import channels as channel_store
from teamchat.store import events as event_store
from tests.conftest import Api


class Published:
    """Every envelope the app publishes after commit, as the socket tier receives it."""

    def __init__(self) -> None:
        self.envelopes: list[dict[str, Any]] = []

    def __call__(self, envelope: dict[str, Any]) -> None:
        self.envelopes.append(envelope)

    def of_type(self, type_: str) -> list[dict[str, Any]]:
        return [e for e in self.envelopes if e["frame"]["type"] == type_]

    def clear(self) -> None:
        self.envelopes.clear()


@pytest.fixture
def published(app: Flask) -> Iterator[Published]:
    recorder = Published()
    unsubscribe = app.extensions["teamchat"].bus.subscribe(recorder)
    yield recorder
    unsubscribe()


def event_log(app: Flask, cid: str) -> list[tuple[int, str, Any]]:
    """The channel's log on its shard: what a resuming client replays."""
    rt = app.extensions["teamchat"]
    with transaction(rt) as tx:
        channel = channel_store.get_channel(tx.directory, int(cid))
        assert channel is not None
        rows = event_store.events_after(tx.shard(channel.shard), channel.id, 0)
        return [(e.seq, e.type, e.payload) for e in rows]


def uid(who: dict[str, Any]) -> int:
    return int(who["user"]["id"])


def my_channel_ids(api: Api, wid: str, who: dict[str, Any]) -> list[str]:
    r = api.get(f"/api/v1/workspaces/{wid}/channels", who["token"])
    assert r.status_code == 200
    return [c["id"] for c in r.get_json()["channels"]]


def members(api: Api, cid: str, who: dict[str, Any]) -> dict[str, dict[str, Any]]:
    r = api.get(f"/api/v1/channels/{cid}/members", who["token"])
    assert r.status_code == 200, r.get_json()
    return {m["user"]["username"]: m for m in r.get_json()["members"]}


def texts(api: Api, cid: str, who: dict[str, Any]) -> list[str]:
    r = api.get(f"/api/v1/channels/{cid}/messages", who["token"])
    assert r.status_code == 200, r.get_json()
    return [m["text"] for m in r.get_json()["messages"]]


# -- join ---------------------------------------------------------------------------


def test_join_a_public_channel(app: Flask, api: Api, published: Published) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "general")
    api.send(ch["id"], a, "welcome")
    published.clear()

    r = api.post(f"/api/v1/channels/{ch['id']}/join", token=b["token"])
    assert r.status_code == 200
    joined = r.get_json()
    assert joined["id"] == ch["id"] and joined["is_member"] is True
    assert joined["member_count"] == 2
    # What was there when Ben joined counts as read.
    assert joined["unread_count"] == 0
    assert joined["last_read_seq"] == joined["last_seq"]
    assert my_channel_ids(api, wid, b) == [ch["id"]]
    assert members(api, ch["id"], a)["ben"]["last_read_seq"] == joined["last_seq"]

    # Ben's sidebar hears of the channel, then everyone in it hears of Ben.
    assert [e["frame"]["type"] for e in published.envelopes] == [
        "channel.created",
        "member.joined",
    ]
    created, member_joined = published.envelopes
    assert created["user_ids"] == [uid(b)] and created["member_ids"] == []
    assert created["frame"]["data"]["id"] == ch["id"]
    assert member_joined["frame"]["seq"] == joined["last_seq"]
    assert member_joined["frame"]["data"]["user"] == b["user"]
    assert sorted(member_joined["member_ids"]) == sorted([uid(a), uid(b)])
    last = event_log(app, ch["id"])[-1]
    assert last[:2] == (joined["last_seq"], "member.joined")

    # Joining again changes nothing.
    published.clear()
    again = api.post(f"/api/v1/channels/{ch['id']}/join", token=b["token"])
    assert again.status_code == 200 and again.get_json()["last_seq"] == joined["last_seq"]
    assert published.envelopes == []


def test_concurrent_joins_make_one_membership(app: Flask, api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "general")
    n = 6
    barrier = threading.Barrier(n)

    def attempt(_: int) -> int:
        client = Api(app.test_client())
        barrier.wait()
        return client.post(f"/api/v1/channels/{ch['id']}/join", token=b["token"]).status_code

    with ThreadPoolExecutor(n) as pool:
        assert list(pool.map(attempt, range(n))) == [200] * n
    assert members(api, ch["id"], a).keys() == {"ann", "ben"}
    joins = [e for e in event_log(app, ch["id"]) if e[1] == "member.joined"]
    assert len(joins) == 2  # Ann at creation, Ben once


def test_join_is_for_public_channels_only(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    stranger = api.user("sam")
    wid = api.workspace(a, b)
    secret = api.channel(wid, a, "secret", private=True)
    general = api.channel(wid, a, "general")
    r = api.post(f"/api/v1/channels/{secret['id']}/join", token=b["token"])
    fake = api.post("/api/v1/channels/987654321987/join", token=b["token"])
    assert r.status_code == fake.status_code == 404
    assert r.get_json() == fake.get_json()
    # Someone outside the workspace cannot join its public channels either.
    r = api.post(f"/api/v1/channels/{general['id']}/join", token=stranger["token"])
    assert r.status_code == 404
    assert members(api, general["id"], a).keys() == {"ann"}


# -- add members --------------------------------------------------------------------


def test_members_add_workspace_members_to_a_private_channel(
    app: Flask, api: Api, published: Published
) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    d = api.user("dan")
    stranger = api.user("sam")
    wid = api.workspace(a, b, c, d)
    ch = api.channel(wid, a, "secret", private=True, members=[b])
    api.send(ch["id"], a, "old news")
    published.clear()

    body = {"user_ids": [c["user"]["id"], a["user"]["id"]]}
    r = api.post(f"/api/v1/channels/{ch['id']}/members", body, b["token"])
    assert r.status_code == 200
    assert r.get_json()["added"] == [c["user"]]  # Ann already was a member
    channel = r.get_json()["channel"]
    assert channel["member_count"] == 3

    assert texts(api, ch["id"], c) == ["old news"]
    assert my_channel_ids(api, wid, c) == [ch["id"]]
    assert members(api, ch["id"], a)["cat"]["last_read_seq"] == channel["last_seq"]
    created = published.of_type("channel.created")
    assert [e["user_ids"] for e in created] == [[uid(c)]]
    assert created[0]["frame"]["data"]["unread_count"] == 0
    joined = published.of_type("member.joined")
    assert [e["frame"]["data"]["user"]["username"] for e in joined] == ["cat"]
    assert uid(c) in joined[0]["member_ids"]

    # Only members may add, only workspace members may be added.
    r = api.post(
        f"/api/v1/channels/{ch['id']}/members", {"user_ids": [d["user"]["id"]]}, d["token"]
    )
    assert r.status_code == 404
    body = {"user_ids": [stranger["user"]["id"]]}
    r = api.post(f"/api/v1/channels/{ch['id']}/members", body, a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "not_in_workspace"
    r = api.post(f"/api/v1/channels/{ch['id']}/members", {"user_ids": []}, a["token"])
    assert r.status_code == 400
    assert members(api, ch["id"], a).keys() == {"ann", "ben", "cat"}


def test_adding_to_a_public_channel_needs_membership_first(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b, c)
    ch = api.channel(wid, a, "general")
    body = {"user_ids": [c["user"]["id"]]}
    r = api.post(f"/api/v1/channels/{ch['id']}/members", body, b["token"])
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "not_a_member"
    assert api.post(f"/api/v1/channels/{ch['id']}/members", body, a["token"]).status_code == 200
    assert members(api, ch["id"], b).keys() == {"ann", "cat"}


# -- leave --------------------------------------------------------------------------


def test_leaving_a_private_channel_cuts_off_its_history(
    app: Flask, api: Api, published: Published
) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "secret", private=True, members=[b])
    msg = api.send(ch["id"], a, "the plan")
    assert texts(api, ch["id"], b) == ["the plan"]
    published.clear()

    assert api.post(f"/api/v1/channels/{ch['id']}/leave", token=b["token"]).status_code == 204
    for path in (
        f"/api/v1/channels/{ch['id']}",
        f"/api/v1/channels/{ch['id']}/messages",
        f"/api/v1/channels/{ch['id']}/members",
        f"/api/v1/messages/{msg['id']}",
    ):
        assert api.get(path, b["token"]).status_code == 404, path
    r = api.post(f"/api/v1/channels/{ch['id']}/messages", {"text": "hello?"}, b["token"])
    assert r.status_code == 404
    assert my_channel_ids(api, wid, b) == []
    assert members(api, ch["id"], a).keys() == {"ann"}

    # Everyone left in it hears of it, and so does the leaver (their other devices).
    (left,) = published.envelopes
    assert left["frame"]["type"] == "member.left"
    assert left["frame"]["data"]["user"] == b["user"]
    assert left["member_ids"] == [uid(a)]
    assert left["user_ids"] == [uid(b)]
    assert event_log(app, ch["id"])[-1][:2] == (left["frame"]["seq"], "member.left")

    # Added back, Ben sees it all again.
    api.post(f"/api/v1/channels/{ch['id']}/members", {"user_ids": [b["user"]["id"]]}, a["token"])
    assert texts(api, ch["id"], b) == ["the plan"]


def test_leaving_a_group_dm_removes_access(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b, c)
    ids = [b["user"]["id"], c["user"]["id"]]
    group = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": ids}, a["token"]).get_json()
    api.send(group["id"], a, "hi both")
    assert api.post(f"/api/v1/channels/{group['id']}/leave", token=c["token"]).status_code == 204
    assert api.get(f"/api/v1/channels/{group['id']}/messages", c["token"]).status_code == 404
    assert my_channel_ids(api, wid, c) == []
    after = api.get(f"/api/v1/channels/{group['id']}", a["token"]).get_json()
    assert after["member_count"] == 2
    assert [u["username"] for u in after["dm_users"]] == ["ben"]


def test_leaving_a_public_channel_keeps_it_readable_but_off_the_list(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "general", members=[b])
    api.send(ch["id"], a, "one")
    assert api.post(f"/api/v1/channels/{ch['id']}/leave", token=b["token"]).status_code == 204
    api.send(ch["id"], a, "two")
    api.send(ch["id"], a, "@ben three")

    assert my_channel_ids(api, wid, b) == []
    assert texts(api, ch["id"], b) == ["one", "two", "@ben three"]
    shown = api.get(f"/api/v1/channels/{ch['id']}", b["token"]).get_json()
    assert shown["is_member"] is False
    assert (shown["unread_count"], shown["mention_count"]) == (0, 0)
    assert members(api, ch["id"], b).keys() == {"ann"}
    # Leaving twice is harmless; posting needs membership again.
    assert api.post(f"/api/v1/channels/{ch['id']}/leave", token=b["token"]).status_code == 204
    r = api.post(f"/api/v1/channels/{ch['id']}/messages", {"text": "x"}, b["token"])
    assert r.status_code == 403
    # Coming back starts from now: what was said meanwhile is not unread.
    rejoined = api.post(f"/api/v1/channels/{ch['id']}/join", token=b["token"]).get_json()
    assert (rejoined["unread_count"], rejoined["mention_count"]) == (0, 0)
    assert rejoined["last_read_seq"] == rejoined["last_seq"]


def test_leaving_a_1to1_dm_hides_it_until_the_next_message(api: Api, published: Published) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    dm = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [a["user"]["id"]]}, b["token"])
    cid = dm.get_json()["id"]
    api.send(cid, a, "ping")
    published.clear()

    assert api.post(f"/api/v1/channels/{cid}/leave", token=b["token"]).status_code == 204
    assert my_channel_ids(api, wid, b) == []
    assert my_channel_ids(api, wid, a) == [cid]
    # Still a member: the history and the members are there.
    assert texts(api, cid, b) == ["ping"]
    assert members(api, cid, a).keys() == {"ann", "ben"}
    # Only Ben's own devices hear of it; nothing is logged in the channel.
    (hidden,) = published.envelopes
    assert hidden["frame"]["type"] == "member.left"
    assert hidden["user_ids"] == [uid(b)] and hidden["member_ids"] == []
    assert hidden["frame"]["seq"] is None

    api.send(cid, a, "are you there?")
    back = api.get(f"/api/v1/workspaces/{wid}/channels", b["token"]).get_json()["channels"]
    assert [(c["id"], c["unread_count"]) for c in back] == [(cid, 2)]


def test_reopening_a_hidden_dm_brings_it_back(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    cid = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [b["user"]["id"]]}, a["token"])
    cid = cid.get_json()["id"]
    api.post(f"/api/v1/channels/{cid}/leave", token=a["token"])
    assert my_channel_ids(api, wid, a) == []
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [b["user"]["id"]]}, a["token"])
    assert r.status_code == 200 and r.get_json()["id"] == cid
    assert my_channel_ids(api, wid, a) == [cid]


def test_the_last_member_may_leave_a_private_channel(api: Api) -> None:
    a = api.user("ann")
    wid = api.workspace(a)
    ch = api.channel(wid, a, "solo", private=True)
    assert api.post(f"/api/v1/channels/{ch['id']}/leave", token=a["token"]).status_code == 204
    assert api.get(f"/api/v1/channels/{ch['id']}", a["token"]).status_code == 404
    # Its name stays taken: the channel still exists, unreachable.
    r = api.post(f"/api/v1/workspaces/{wid}/channels", {"name": "solo"}, a["token"])
    assert r.status_code == 409


# -- members ------------------------------------------------------------------------


def test_members_come_with_read_pointers_and_presence(app: Flask, api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b, c)
    ch = api.channel(wid, a, "general", members=[b])
    start = ch["last_seq"]
    m1 = api.send(ch["id"], a, "one")
    m2 = api.send(ch["id"], a, "two")
    app.extensions["teamchat"].presence.connect(uid(a), "ann-desk")
    # Any workspace member may look at who is in a public channel.
    listed = members(api, ch["id"], c)
    assert list(listed) == ["ann", "ben"]
    assert listed["ann"]["user"] == a["user"]
    assert listed["ann"]["last_read_seq"] == m2["seq"] > m1["seq"]
    assert listed["ben"]["last_read_seq"] == start
    assert (listed["ann"]["presence"], listed["ben"]["presence"]) == ("online", "offline")
