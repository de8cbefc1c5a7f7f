"""Reactions: any emoji, one per (message, user, emoji), idempotent both ways."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask

from teamchat.services.reactions import check_emoji
from tests.conftest import Api
from tests.core.test_messages import (
    event_log,
    frames,
    history,
    message_row,
    outbox_ids,
    reaction_rows,
    setup,
    snapshot,
    types_of,
)

THUMBS = "\U0001f44d"


def path(mid: str, emoji: str) -> str:
    return f"/api/v1/messages/{mid}/reactions/{quote(emoji, safe='')}"


def react(api: Api, mid: str, who: dict[str, Any], emoji: str = THUMBS) -> Any:
    return api.put(path(mid, emoji), token=who["token"])


def unreact(api: Api, mid: str, who: dict[str, Any], emoji: str = THUMBS) -> Any:
    return api.delete(path(mid, emoji), token=who["token"])


def test_add_and_remove_with_events(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "react to me")
    version = message_row(app, cid, m["id"]).version
    with frames(app) as got:
        r = react(api, m["id"], b)
    assert r.status_code == 200
    one = [{"emoji": THUMBS, "count": 1, "user_ids": [b["user"]["id"]]}]
    assert r.get_json() == {"reactions": one}
    assert api.get(f"/api/v1/messages/{m['id']}", a["token"]).get_json()["reactions"] == one
    assert history(api, cid, a)["messages"][0]["reactions"] == one
    data = {"message_id": m["id"], "emoji": THUMBS, "user_id": b["user"]["id"], "reactions": one}
    assert types_of(got) == ["reaction.added"] and got[0]["frame"]["data"] == data
    seq, type_, logged = event_log(app, cid)[-1]
    assert (type_, logged) == ("reaction.added", data) and got[0]["frame"]["seq"] == seq
    # has:reaction is a search filter: the message is re-indexed.
    assert message_row(app, cid, m["id"]).version == version + 1
    assert outbox_ids(app, cid).count(int(m["id"])) == 2
    with frames(app) as got:
        r = unreact(api, m["id"], b)
    assert r.status_code == 200 and r.get_json() == {"reactions": []}
    data = {"message_id": m["id"], "emoji": THUMBS, "user_id": b["user"]["id"], "reactions": []}
    assert types_of(got) == ["reaction.removed"] and got[0]["frame"]["data"] == data
    assert event_log(app, cid)[-1][1:] == ("reaction.removed", data)
    assert message_row(app, cid, m["id"]).version == version + 2
    assert reaction_rows(app, cid, m["id"]) == []


def test_idempotent_both_ways(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "x")
    assert react(api, m["id"], b).status_code == 200
    before = snapshot(app, api, cid, a)
    with frames(app) as got:
        r = react(api, m["id"], b)
    assert r.status_code == 200 and r.get_json()["reactions"][0]["count"] == 1
    assert got == [] and snapshot(app, api, cid, a) == before
    assert reaction_rows(app, cid, m["id"]) == [(b["user"]["id"], THUMBS)]
    # Removing one that is not there: 200, nothing happens.
    with frames(app) as got:
        r = unreact(api, m["id"], a)
    assert r.status_code == 200 and r.get_json()["reactions"][0]["user_ids"] == [b["user"]["id"]]
    assert got == [] and snapshot(app, api, cid, a) == before


def test_reactions_group_by_emoji_in_order_of_first_use(api: Api) -> None:
    (a, b, c), _, cid = setup(api, "alice", "bob", "carol")
    m = api.send(cid, a, "x")
    react(api, m["id"], b, "\u2764\ufe0f")
    react(api, m["id"], c, THUMBS)
    react(api, m["id"], a, "\u2764\ufe0f")
    r = react(api, m["id"], c, "\u2764\ufe0f")
    assert r.get_json()["reactions"] == [
        {
            "emoji": "\u2764\ufe0f",
            "count": 3,
            "user_ids": [b["user"]["id"], a["user"]["id"], c["user"]["id"]],
        },
        {"emoji": THUMBS, "count": 1, "user_ids": [c["user"]["id"]]},
    ]


GOOD = [
    THUMBS,
    "\U0001f44d\U0001f3fd",  # skin tone
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",  # family, ZWJ
    "\U0001f3f3\ufe0f\u200d\U0001f308",  # rainbow flag
    "\U0001f9d1\U0001f3ff\u200d\U0001f4bb",  # technologist, dark skin tone
    "\U0001f1fa\U0001f1f8",  # flag: regional indicators
    "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",  # England: tags
    "1\ufe0f\u20e3",  # keycap
    "#\ufe0f\u20e3",
    "\u2764\ufe0f",
    "\u203c\ufe0f",
    "\u00a9\ufe0f",
    "\U0001fae0",  # melting face (Unicode 14)
    "\U0001fae8",  # shaking face (Unicode 15, unknown to older tables)
    ":tada:",
    ":+1:",
    ":thumbsup::skin-tone-3:",
    ":white_check_mark:",
    ":party-parrot:",
    THUMBS * 64,
]


@pytest.mark.parametrize("emoji", GOOD, ids=[f"good{i}" for i in range(len(GOOD))])
def test_emoji_accepted(emoji: str) -> None:
    assert check_emoji(emoji) == emoji


BAD = [
    "",
    "a",
    "ok",
    "1",
    "#",
    "+",
    " ",
    THUMBS + " " + THUMBS,
    THUMBS + "\n",
    "\u200b",  # zero-width space
    "\u200d" + THUMBS,  # starts with a joiner
    THUMBS + "\u200d",  # dangling joiner
    "\u202e" + THUMBS,  # bidi override
    "\x07",
    "\u0301",  # a lone combining mark
    THUMBS + "a",
    "\ufffd",  # what invalid UTF-8 in a URL decodes to
    "\ue000",  # private use
    "::",
    ":",
    ":tada",
    ":ta da:",
    ":tada::",
    ":t\u00e4da:",
    ":tada::skin-tone-9:",
    THUMBS * 65,
]


@pytest.mark.parametrize("emoji", BAD, ids=[f"bad{i}" for i in range(len(BAD))])
def test_emoji_refused(emoji: str) -> None:
    from teamchat.errors import BadRequest

    with pytest.raises(BadRequest) as info:
        check_emoji(emoji)
    assert info.value.code == "invalid_emoji"


def test_shortcodes_fold_case(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    m = api.send(cid, a, "x")
    r = react(api, m["id"], a, ":Tada:")
    assert r.get_json()["reactions"][0]["emoji"] == ":tada:"
    r = react(api, m["id"], a, ":tada:")
    assert r.get_json()["reactions"][0]["count"] == 1


def test_emoji_through_the_url(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "x")
    for emoji in GOOD[:-1]:
        r = react(api, m["id"], b, emoji)
        assert r.status_code == 200, (emoji, r.get_json())
    stored = {e for _, e in reaction_rows(app, cid, m["id"])}
    assert stored == set(GOOD[:-1])
    got = api.get(f"/api/v1/messages/{m['id']}", a["token"]).get_json()["reactions"]
    assert [x["emoji"] for x in got] == GOOD[:-1]
    before = snapshot(app, api, cid, a)
    raw_bad = ["%FF", "%F0%9F", "%ED%A0%80", "%00", "a%20b", "%E2%80%8B", quote(THUMBS * 65)]
    for raw in raw_bad:
        r = api.put(f"/api/v1/messages/{m['id']}/reactions/{raw}", token=b["token"])
        assert r.status_code == 400, (raw, r.get_json())
        assert r.get_json()["error"]["code"] in ("invalid_emoji", "invalid_text")
        r = api.delete(f"/api/v1/messages/{m['id']}/reactions/{raw}", token=b["token"])
        assert r.status_code == 400, raw
    assert snapshot(app, api, cid, a) == before


def test_none_on_deleted_messages(app: Flask, api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "x")
    react(api, m["id"], b)
    assert api.delete(f"/api/v1/messages/{m['id']}?scope=everyone", a["token"]).status_code == 204
    before = snapshot(app, api, cid, a)
    r = react(api, m["id"], b, "\U0001f389")
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "message_deleted"
    # Its reactions went with it: taking one back is a no-op.
    with frames(app) as got:
        r = unreact(api, m["id"], b)
    assert r.status_code == 200 and r.get_json() == {"reactions": []}
    assert got == [] and snapshot(app, api, cid, a) == before


def test_who_may_react(app: Flask, api: Api) -> None:
    (a,), wid, cid = setup(api, "alice")
    m = api.send(cid, a, "x")
    b = api.user("bob")
    api.post(f"/api/v1/workspaces/{wid}/members", {"username": "bob"}, a["token"])
    stranger = api.user("mallory")
    before = snapshot(app, api, cid, a)
    r = react(api, m["id"], b)  # can read the public channel, but is not in it
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "not_a_member"
    assert react(api, m["id"], stranger).status_code == 404
    assert unreact(api, m["id"], stranger).status_code == 404
    assert react(api, "424242", a).status_code == 404
    assert snapshot(app, api, cid, a) == before
