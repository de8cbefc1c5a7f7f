"""Who finds what: private channels, DMs, leaving, other workspaces, hidden, deleted
and edited messages, through the API on both storage backends and both engines."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.conftest import Api
from tests.search_app.helpers import drain, found, requeue, search


def trio(api: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], str]:
    a, b, c = api.user(), api.user(), api.user()
    return a, b, c, api.workspace(a, b, c)


def test_private_channels_and_dms_only_for_members(api: Api, app: Flask) -> None:
    a, b, c, wid = trio(api)
    pub = api.channel(wid, a, "lobby")
    priv = api.channel(wid, a, "inner", private=True, members=[b])
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [c["user"]["id"]]}, a["token"])
    assert r.status_code in (200, 201), r.get_json()
    dm = r.get_json()
    api.send(pub["id"], a, "walrus in public")
    api.send(priv["id"], a, "walrus in private")
    api.send(dm["id"], a, "walrus in a dm")
    drain(app)
    assert found(api, wid, a, "walrus") == [
        "walrus in a dm",
        "walrus in private",
        "walrus in public",
    ]
    assert found(api, wid, b, "walrus") == ["walrus in private", "walrus in public"]
    assert found(api, wid, c, "walrus") == ["walrus in a dm", "walrus in public"]
    # Public channels are readable by every workspace member, joined or not.
    d = api.user()
    api.post(f"/api/v1/workspaces/{wid}/members", {"username": d["user"]["username"]}, a["token"])
    assert found(api, wid, d, "walrus") == ["walrus in public"]
    r = search(api, wid, c, "walrus")
    assert r.get_json()["total"] == 2


def test_other_workspaces_never_leak(api: Api, app: Flask) -> None:
    a, b, _c, wid = trio(api)
    other = api.workspace(b)
    api.send(api.channel(other, b, "elsewhere")["id"], b, "narwhal elsewhere")
    api.send(api.channel(wid, a, "here")["id"], a, "narwhal here")
    drain(app)
    assert found(api, wid, b, "narwhal") == ["narwhal here"]
    assert found(api, other, b, "narwhal") == ["narwhal elsewhere"]
    assert search(api, other, a, "narwhal").status_code == 404


def test_leaving_a_private_channel_removes_it_from_search(api: Api, app: Flask) -> None:
    a, b, _c, wid = trio(api)
    priv = api.channel(wid, a, "project", private=True, members=[b])
    api.send(priv["id"], a, "octopus plans")
    drain(app)
    assert found(api, wid, b, "octopus") == ["octopus plans"]
    assert found(api, wid, b, "octopus in:#project") == ["octopus plans"]
    r = api.post(f"/api/v1/channels/{priv['id']}/leave", token=b["token"])
    assert r.status_code in (200, 204), r.get_json()
    assert found(api, wid, b, "octopus") == []
    r = search(api, wid, b, "octopus in:#project")
    assert r.get_json()["notes"] == ["There is no channel #project that you can read."]
    assert found(api, wid, a, "octopus") == ["octopus plans"]


def test_hidden_messages_vanish_for_that_user_at_once(api: Api, app: Flask) -> None:
    a, b, _c, wid = trio(api)
    ch = api.channel(wid, a, "general", members=[b])
    m = api.send(ch["id"], a, "giraffe one")
    api.send(ch["id"], a, "giraffe two")
    drain(app)
    r = api.delete(f"/api/v1/messages/{m['id']}?scope=me", token=b["token"])
    assert r.status_code in (200, 204), r.get_json()
    # No drain: hides are filtered when searching, not when indexing.
    assert found(api, wid, b, "giraffe") == ["giraffe two"]
    assert search(api, wid, b, "giraffe").get_json()["total"] == 1
    assert found(api, wid, a, "giraffe") == ["giraffe two", "giraffe one"]
    drain(app)
    assert found(api, wid, b, "giraffe") == ["giraffe two"]


def test_deleted_messages_vanish_at_once_and_from_the_index(api: Api, app: Flask) -> None:
    a, b, _c, wid = trio(api)
    ch = api.channel(wid, a, "general", members=[b])
    m = api.send(ch["id"], a, "penguin secret")
    api.send(ch["id"], a, "penguin public")
    drain(app)
    r = api.delete(f"/api/v1/messages/{m['id']}?scope=everyone", token=a["token"])
    assert r.status_code in (200, 204), r.get_json()
    # Before the indexer runs: dropped when the hits are read from the shard.
    assert found(api, wid, a, "penguin") == ["penguin public"]
    assert found(api, wid, b, "secret") == []
    drain(app)
    assert found(api, wid, a, "penguin") == ["penguin public"]
    r = search(api, wid, a, "secret")
    assert r.get_json()["total"] == 0
    # A replayed outbox row re-reads the row: still deleted.
    requeue(app, ch["id"], [m["id"]])
    drain(app)
    assert search(api, wid, a, "penguin").get_json()["total"] == 1


def test_edits_are_reindexed(api: Api, app: Flask) -> None:
    a, _b, _c, wid = trio(api)
    ch = api.channel(wid, a, "general")
    m = api.send(ch["id"], a, "meeting on tuesday")
    drain(app)
    assert found(api, wid, a, "tuesday") == ["meeting on tuesday"]
    r = api.patch(f"/api/v1/messages/{m['id']}", {"text": "meeting on thursday"}, a["token"])
    assert r.status_code == 200, r.get_json()
    drain(app)
    assert found(api, wid, a, "tuesday") == []
    assert found(api, wid, a, "thursday") == ["meeting on thursday"]
    hit = search(api, wid, a, "thursday").get_json()["hits"][0]
    assert hit["message"]["edited_at"] is not None
    assert [hit["message"]["text"][s:e] for s, e in hit["highlights"]] == ["thursday"]
