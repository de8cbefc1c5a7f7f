"""Direct messages: one 1:1 DM per pair, group DMs, notes to self, chats from contacts."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from flask import Flask

from tests.conftest import Api


def open_dm(api: Api, wid: str, who: dict[str, Any], *others: dict[str, Any]) -> Any:
    body = {"user_ids": [o["user"]["id"] for o in others]}
    return api.post(f"/api/v1/workspaces/{wid}/dms", body, who["token"])


def history(api: Api, cid: str, who: dict[str, Any]) -> list[str]:
    r = api.get(f"/api/v1/channels/{cid}/messages", who["token"])
    assert r.status_code == 200, r.get_json()
    return [m["text"] for m in r.get_json()["messages"]]


def sidebar(api: Api, wid: str, who: dict[str, Any]) -> dict[str, dict[str, Any]]:
    chans = api.get(f"/api/v1/workspaces/{wid}/channels", who["token"]).get_json()["channels"]
    return {c["id"]: c for c in chans}


def test_a_pair_has_one_dm_whoever_opens_it(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    first = open_dm(api, wid, a, b)
    assert first.status_code == 201
    dm = first.get_json()
    assert dm["kind"] == "dm" and dm["name"] is None
    assert dm["member_count"] == 2
    assert dm["dm_users"] == [b["user"]]
    again = open_dm(api, wid, a, b)
    assert again.status_code == 200 and again.get_json()["id"] == dm["id"]
    from_b = open_dm(api, wid, b, a)
    assert from_b.status_code == 200
    assert from_b.get_json()["id"] == dm["id"]
    assert from_b.get_json()["dm_users"] == [a["user"]]
    # Naming yourself along with the other person is the same DM.
    assert open_dm(api, wid, a, a, b).get_json()["id"] == dm["id"]
    assert list(sidebar(api, wid, a)) == [dm["id"]]


def test_the_same_pair_has_a_separate_dm_in_each_workspace(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    one = api.workspace(a, b)
    two = api.workspace(a, b)
    assert open_dm(api, one, a, b).get_json()["id"] != open_dm(api, two, a, b).get_json()["id"]


def test_concurrent_opening_of_one_dm_gives_one_channel(app: Flask, api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    n = 8
    barrier = threading.Barrier(n)

    def attempt(i: int) -> tuple[int, str]:
        client = Api(app.test_client())
        me, other = (a, b) if i % 2 else (b, a)
        barrier.wait()
        r = open_dm(client, wid, me, other)
        return r.status_code, r.get_json()["id"]

    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(attempt, range(n)))
    assert sorted(code for code, _ in results) == [200] * (n - 1) + [201]
    assert len({cid for _, cid in results}) == 1
    assert list(sidebar(api, wid, a)) == [results[0][1]]
    assert list(sidebar(api, wid, b)) == [results[0][1]]


def test_several_people_make_a_new_group_dm_each_time(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b, c)
    r = open_dm(api, wid, a, b, c)
    assert r.status_code == 201
    group = r.get_json()
    assert group["kind"] == "group" and group["name"] is None
    assert group["member_count"] == 3
    assert sorted(u["username"] for u in group["dm_users"]) == ["ben", "cat"]
    second = open_dm(api, wid, a, c, b)
    assert second.status_code == 201
    assert second.get_json()["id"] != group["id"]
    c_view = sidebar(api, wid, c)[group["id"]]
    assert sorted(u["username"] for u in c_view["dm_users"]) == ["ann", "ben"]


def test_notes_to_self(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    r = open_dm(api, wid, a, a)
    assert r.status_code == 201
    notes = r.get_json()
    assert notes["kind"] == "dm" and notes["member_count"] == 1 and notes["dm_users"] == []
    assert open_dm(api, wid, a, a).get_json()["id"] == notes["id"]
    api.send(notes["id"], a, "buy milk")
    assert history(api, notes["id"], a) == ["buy milk"]
    assert api.get(f"/api/v1/channels/{notes['id']}/messages", b["token"]).status_code == 404
    # Ben's own notes are another channel.
    assert open_dm(api, wid, b, b).get_json()["id"] != notes["id"]


def test_dm_partners_must_be_in_the_workspace(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    stranger = api.user("sam")
    wid = api.workspace(a, b)
    for others in ([stranger], [b, stranger]):
        r = open_dm(api, wid, a, *others)
        assert r.status_code == 400
        assert r.get_json()["error"]["code"] == "not_in_workspace"
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": []}, a["token"])
    assert r.status_code == 400
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": "ben"}, a["token"])
    assert r.status_code == 400
    # The stranger cannot open DMs in a workspace they are not in.
    assert open_dm(api, wid, stranger, a).status_code == 404
    assert sidebar(api, wid, a) == {}


def test_a_1to1_dm_takes_no_more_members_but_a_group_does(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    d = api.user("dan")
    wid = api.workspace(a, b, c, d)
    dm = open_dm(api, wid, a, b).get_json()
    r = api.post(
        f"/api/v1/channels/{dm['id']}/members", {"user_ids": [c["user"]["id"]]}, a["token"]
    )
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "dm_is_one_to_one"
    assert api.get(f"/api/v1/channels/{dm['id']}", c["token"]).status_code == 404

    group = open_dm(api, wid, a, b, c).get_json()
    api.send(group["id"], b, "before dan")
    r = api.post(
        f"/api/v1/channels/{group['id']}/members", {"user_ids": [d["user"]["id"]]}, c["token"]
    )
    assert r.status_code == 200
    assert r.get_json()["added"] == [d["user"]]
    assert r.get_json()["channel"]["member_count"] == 4
    assert history(api, group["id"], d) == ["before dan"]
    d_view = sidebar(api, wid, d)[group["id"]]
    assert d_view["unread_count"] == 0
    assert sorted(u["username"] for u in d_view["dm_users"]) == ["ann", "ben", "cat"]


def test_dms_are_private_to_their_members(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b, c)
    dm = open_dm(api, wid, a, b).get_json()
    msg = api.send(dm["id"], a, "just between us")
    assert api.get(f"/api/v1/channels/{dm['id']}", c["token"]).status_code == 404
    assert api.get(f"/api/v1/channels/{dm['id']}/messages", c["token"]).status_code == 404
    assert api.get(f"/api/v1/messages/{msg['id']}", c["token"]).status_code == 404
    assert api.post(f"/api/v1/channels/{dm['id']}/join", token=c["token"]).status_code == 404


def test_three_people_chat_one_to_one_and_in_a_group_started_from_contacts(api: Api) -> None:
    a = api.user("ann", display_name="Ann")
    b = api.user("ben", display_name="Ben")
    c = api.user("cat", display_name="Cat")
    wid = api.workspace(a, b, c)
    for other in (b, c):
        assert (
            api.put(f"/api/v1/contacts/{other['user']['id']}", token=a["token"]).status_code == 201
        )
    book = api.get("/api/v1/contacts", a["token"]).get_json()["contacts"]
    ben, cat = (entry["user"] for entry in book)
    assert (ben["username"], cat["username"]) == ("ben", "cat")

    # Ann starts a 1:1 with each contact, and a group with both.
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [ben["id"]]}, a["token"])
    ab = r.get_json()
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [cat["id"]]}, a["token"])
    ac = r.get_json()
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [ben["id"], cat["id"]]}, a["token"])
    abc = r.get_json()
    assert r.status_code == 201 and abc["kind"] == "group"

    api.send(ab["id"], a, "hi Ben")
    api.send(ab["id"], b, "hi Ann")
    api.send(ac["id"], a, "hi Cat")
    api.send(abc["id"], a, "lunch?")
    api.send(abc["id"], b, "yes")
    api.send(abc["id"], c, "me too")

    assert history(api, ab["id"], b) == ["hi Ben", "hi Ann"]
    assert history(api, ac["id"], c) == ["hi Cat"]
    for who in (a, b, c):
        assert history(api, abc["id"], who) == ["lunch?", "yes", "me too"]
    # Each one's list shows the chats they are in, with what they have not read.
    unread = {
        name: {cid: ch["unread_count"] for cid, ch in sidebar(api, wid, who).items()}
        for name, who in (("ann", a), ("ben", b), ("cat", c))
    }
    assert unread["ann"] == {ab["id"]: 1, ac["id"]: 0, abc["id"]: 2}
    assert unread["ben"] == {ab["id"]: 0, abc["id"]: 1}
    assert unread["cat"] == {ac["id"]: 1, abc["id"]: 0}
    # Ben and Cat have no 1:1 yet; opening one from Cat's side makes a new one.
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [b["user"]["id"]]}, c["token"])
    assert r.status_code == 201
    assert r.get_json()["id"] not in (ab["id"], ac["id"], abc["id"])
    # Ben's chats are named by the other people in them.
    names = {
        cid: [u["username"] for u in ch["dm_users"]] for cid, ch in sidebar(api, wid, b).items()
    }
    assert names[ab["id"]] == ["ann"]
    assert sorted(names[abc["id"]]) == ["ann", "cat"]
