"""GET /api/v1/workspaces/{wid}/mentions: by name, @channel/@all, @here while online;
newest first across shards with a cursor; only what the caller can still read."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from teamchat.services.shards import move_channel
from tests.conftest import Api

# The list comes from the shards' mention rows; the search engine plays no part.
pytestmark = pytest.mark.parametrize("engine_kind", ["local"])


def mentions(api: Api, wid: str, who: dict[str, Any], **params: Any) -> Any:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.get(f"/api/v1/workspaces/{wid}/mentions?{query}", who["token"])


def texts(api: Api, wid: str, who: dict[str, Any]) -> list[str]:
    r = mentions(api, wid, who, limit=100)
    assert r.status_code == 200, r.get_json()
    return [m["text"] for m in r.get_json()["messages"]]


def test_by_name_channel_all_and_here(api: Api, app: Flask) -> None:
    a, b, c = api.user(), api.user(), api.user()
    wid = api.workspace(a, b, c)
    ch = api.channel(wid, a, "general", members=[b, c])
    bn, cn = b["user"]["username"], c["user"]["username"]
    # c has a live socket; b has none.
    app.extensions["teamchat"].presence.connect(int(c["user"]["id"]), "device-1")
    api.send(ch["id"], a, f"hello @{bn}")
    api.send(ch["id"], a, "heads up @channel")
    api.send(ch["id"], a, "who is around? @here")
    api.send(ch["id"], a, f"not a mention: `@{bn}` nor {bn}@example.com")
    api.send(ch["id"], a, "everyone @all")
    api.send(ch["id"], b, f"@{bn} talking to myself, and @{cn}")
    assert texts(api, wid, b) == ["everyone @all", "heads up @channel", f"hello @{bn}"]
    assert texts(api, wid, c) == [
        f"@{bn} talking to myself, and @{cn}",
        "everyone @all",
        "who is around? @here",
        "heads up @channel",
    ]
    assert texts(api, wid, a) == []


def test_paging_across_shards_is_newest_first_without_repeats(api: Api, app: Flask) -> None:
    a, b = api.user(), api.user()
    wid = api.workspace(a, b)
    rt = app.extensions["teamchat"]
    chans = [api.channel(wid, a, members=[b]) for _ in range(2)]
    for shard, ch in enumerate(chans):
        move_channel(rt.dbs, int(ch["id"]), shard)
    sent = [api.send(chans[i % 2]["id"], a, f"ping {i} @{b['user']['username']}") for i in range(7)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = mentions(api, wid, b, **params)
        assert r.status_code == 200, r.get_json()
        body = r.get_json()
        seen += [m["id"] for m in body["messages"]]
        pages += 1
        if pages == 1:
            # A newer mention arriving between pages does not shift the later pages.
            api.send(chans[0]["id"], a, f"late @{b['user']['username']}")
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == [m["id"] for m in reversed(sent)]


def test_only_what_the_caller_can_still_read(api: Api, app: Flask) -> None:
    a, b = api.user(), api.user()
    bn = b["user"]["username"]
    wid = api.workspace(a, b)
    pub = api.channel(wid, a, "open", members=[b])
    priv = api.channel(wid, a, "closed", private=True, members=[b])
    keep = api.send(pub["id"], a, f"kept @{bn}")
    hidden = api.send(pub["id"], a, f"hidden @{bn}")
    deleted = api.send(pub["id"], a, f"deleted @{bn}")
    api.send(priv["id"], a, f"in the private channel @{bn}")
    other = api.workspace(a, b)
    api.send(api.channel(other, a, members=[b])["id"], a, f"other workspace @{bn}")
    assert texts(api, wid, b) == [
        f"in the private channel @{bn}",
        f"deleted @{bn}",
        f"hidden @{bn}",
        f"kept @{bn}",
    ]
    r = api.delete(f"/api/v1/messages/{hidden['id']}?scope=me", token=b["token"])
    assert r.status_code in (200, 204), r.get_json()
    r = api.delete(f"/api/v1/messages/{deleted['id']}?scope=everyone", token=a["token"])
    assert r.status_code in (200, 204), r.get_json()
    r = api.post(f"/api/v1/channels/{priv['id']}/leave", token=b["token"])
    assert r.status_code in (200, 204), r.get_json()
    assert texts(api, wid, b) == [keep["text"]]
    assert texts(api, other, b) == [f"other workspace @{bn}"]


def test_errors(api: Api) -> None:
    a, stranger = api.user(), api.user()
    wid = api.workspace(a)
    for cursor in ("garbage", "MTIz", "LTEuLTE", "x" * 600):
        r = mentions(api, wid, a, cursor=cursor)
        assert r.status_code == 400, (cursor, r.get_json())
        assert r.get_json()["error"]["code"] == "invalid_cursor"
    assert mentions(api, wid, stranger).status_code == 404
    assert api.get(f"/api/v1/workspaces/{wid}/mentions").status_code == 401
    r = mentions(api, wid, a, limit=0)
    assert r.status_code == 400
