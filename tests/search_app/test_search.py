"""GET /api/v1/workspaces/{wid}/search: operators, filters, highlights, paging and
errors, through the API on both storage backends and both engines."""

from __future__ import annotations

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask

from search.cursor import decode_cursor, encode_cursor
from search.errors import CursorError
from tests.conftest import Api
from tests.search_app.helpers import drain, found, search


@pytest.fixture
def team(api: Api) -> dict[str, Any]:
    """ana (admin) and bob in a workspace with #general and #random."""
    ana = api.user(f"ana{uuid.uuid4().hex[:6]}")
    bob = api.user()
    wid = api.workspace(ana, bob)
    general = api.channel(wid, ana, "general", members=[bob])
    random = api.channel(wid, ana, "random", members=[bob])
    return {"ana": ana, "bob": bob, "wid": wid, "general": general, "random": random}


def texts_of(r: Any) -> list[str]:
    assert r.status_code == 200, r.get_json()
    return [h["message"]["text"] for h in r.get_json()["hits"]]


def test_words_phrases_prefixes_and_exclusions(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, wid, cid = team["ana"], team["wid"], team["general"]["id"]
    for text in [
        "the quick brown fox",
        "brown quick dogs",
        "deploying the release tonight",
        "deployment of the beta release",
        "nothing relevant here",
    ]:
        api.send(cid, ana, text)
    drain(app)
    assert found(api, wid, ana, "quick brown") == ["brown quick dogs", "the quick brown fox"]
    assert found(api, wid, ana, '"quick brown"') == ["the quick brown fox"]
    assert found(api, wid, ana, "deploy*") == [
        "deployment of the beta release",
        "deploying the release tonight",
    ]
    assert found(api, wid, ana, "release -beta") == ["deploying the release tonight"]
    assert found(api, wid, ana, 'release -"beta release"') == ["deploying the release tonight"]
    assert found(api, wid, ana, "QUICK Fox") == ["the quick brown fox"]
    assert found(api, wid, ana, "elephant") == []


def test_from_in_and_mentions_filters(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, bob, wid = team["ana"], team["bob"], team["wid"]
    bob_name = bob["user"]["username"]
    api.send(team["general"]["id"], ana, "standup notes from ana")
    api.send(team["general"]["id"], bob, "standup notes from bob")
    api.send(team["random"]["id"], bob, f"standup in random, cc @{ana['user']['username']}")
    r = api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [bob["user"]["id"]]}, ana["token"])
    assert r.status_code in (200, 201), r.get_json()
    api.send(r.get_json()["id"], bob, "standup privately")
    drain(app)
    assert found(api, wid, ana, f"standup from:@{bob_name}") == [
        "standup privately",
        f"standup in random, cc @{ana['user']['username']}",
        "standup notes from bob",
    ]
    assert found(api, wid, ana, "standup from:@me") == ["standup notes from ana"]
    assert found(api, wid, bob, "standup from:me in:#general") == ["standup notes from bob"]
    assert found(api, wid, ana, "standup in:#random") == [
        f"standup in random, cc @{ana['user']['username']}"
    ]
    assert found(api, wid, ana, "standup in:random in:general") == [
        f"standup in random, cc @{ana['user']['username']}",
        "standup notes from bob",
        "standup notes from ana",
    ]
    assert found(api, wid, ana, f"standup in:@{bob_name}") == ["standup privately"]
    assert found(api, wid, ana, "standup mentions:@me") == [
        f"standup in random, cc @{ana['user']['username']}"
    ]
    assert found(api, wid, bob, f"mentions:@{ana['user']['username']}") == [
        f"standup in random, cc @{ana['user']['username']}"
    ]
    # Filters alone, without words, are a search too.
    assert found(api, wid, ana, f"from:@{bob_name} in:#general") == ["standup notes from bob"]


def test_date_filters(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, wid = team["ana"], team["wid"]
    m = api.send(team["general"]["id"], ana, "dated message")
    drain(app)
    day = datetime.fromisoformat(m["created_at"].replace("Z", "+00:00")).astimezone(UTC).date()
    today, yesterday, tomorrow = (
        day.isoformat(),
        (day - timedelta(days=1)).isoformat(),
        (day + timedelta(days=1)).isoformat(),
    )
    assert found(api, wid, ana, f"dated on:{today}") == ["dated message"]
    assert found(api, wid, ana, f"dated after:{yesterday}") == ["dated message"]
    assert found(api, wid, ana, f"dated before:{tomorrow}") == ["dated message"]
    assert found(api, wid, ana, f"dated before:{today}") == []
    assert found(api, wid, ana, f"dated after:{today}") == []
    assert found(api, wid, ana, f"dated on:{yesterday}") == []


def test_has_link_and_is_thread(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, bob, wid, cid = team["ana"], team["bob"], team["wid"], team["general"]["id"]
    root = api.send(cid, ana, "budget thread starts here")
    api.send(cid, bob, "budget reply", thread_root_id=root["id"])
    api.send(cid, ana, "budget sheet at https://sheets.example.com/b/1")
    api.send(cid, bob, "budget alone")
    drain(app)
    assert found(api, wid, ana, "budget has:link") == [
        "budget sheet at https://sheets.example.com/b/1"
    ]
    assert found(api, wid, ana, "budget is:thread") == [
        "budget reply",
        "budget thread starts here",
    ]
    assert found(api, wid, ana, "budget", limit=10) == [
        "budget alone",
        "budget sheet at https://sheets.example.com/b/1",
        "budget reply",
        "budget thread starts here",
    ]


def test_has_reaction(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, bob, wid, cid = team["ana"], team["bob"], team["wid"], team["general"]["id"]
    liked = api.send(cid, ana, "cake in the kitchen")
    api.send(cid, ana, "cake recipe")
    r = api.put(f"/api/v1/messages/{liked['id']}/reactions/%F0%9F%8E%82", token=bob["token"])
    assert r.status_code in (200, 201, 204), r.get_json()
    drain(app)
    assert found(api, wid, ana, "cake has:reaction") == ["cake in the kitchen"]


def test_unknown_names_give_an_empty_result_with_a_note(
    api: Api, app: Flask, team: dict[str, Any]
) -> None:
    ana, bob, wid = team["ana"], team["bob"], team["wid"]
    api.send(team["general"]["id"], ana, "findable words")
    secret = api.channel(wid, bob, "secret", private=True)
    api.send(secret["id"], bob, "findable secret words")
    outsider = api.user()
    api.workspace(outsider)  # exists, but not in this workspace
    drain(app)
    cases = {
        "findable from:@nobody-here": "No one called @nobody-here is in this workspace.",
        f"findable from:@{outsider['user']['username']}": (
            f"No one called @{outsider['user']['username']} is in this workspace."
        ),
        "findable mentions:@nobody-here": "No one called @nobody-here is in this workspace.",
        "findable in:#nowhere": "There is no channel #nowhere that you can read.",
        "findable in:#secret": "There is no channel #secret that you can read.",
        "findable in:@nobody-here": "You have no direct messages with @nobody-here here.",
    }
    for q, note in cases.items():
        r = search(api, wid, ana, q)
        assert r.status_code == 200, (q, r.get_json())
        assert r.get_json() == {"hits": [], "next_cursor": None, "total": 0, "notes": [note]}, q
    # bob, a member of #secret, gets it.
    assert found(api, wid, bob, "findable in:#secret") == ["findable secret words"]


def test_highlights_are_code_point_spans_of_the_text(
    api: Api, app: Flask, team: dict[str, Any]
) -> None:
    ana, wid, cid = team["ana"], team["wid"], team["general"]["id"]
    text = "🎉 Déjà vu: José shipped ABC-123 and the quick brown fox, jose!"
    api.send(cid, ana, text)
    drain(app)

    def spans(q: str) -> list[str]:
        r = search(api, wid, ana, q)
        assert r.status_code == 200, r.get_json()
        (hit,) = r.get_json()["hits"]
        assert hit["message"]["text"] == text
        return [text[a:b] for a, b in hit["highlights"]]

    assert spans("jose") == ["José", "jose"]
    assert spans("abc-123") == ["ABC-123"]
    assert spans('"quick brown fox"') == ["quick brown fox"]
    assert spans("shipp* deja") == ["Déjà", "shipped"]
    assert spans("jose -elephant in:#general") == ["José", "jose"]
    r = search(api, wid, ana, "jose")
    (hit,) = r.get_json()["hits"]
    start = text.index("José")
    # Offsets count code points: the emoji before is one, not two UTF-16 units.
    assert hit["highlights"][0] == [start, start + 4]


def test_cursor_paging_is_newest_first_without_repeats(
    api: Api, app: Flask, team: dict[str, Any]
) -> None:
    ana, wid, cid = team["ana"], team["wid"], team["general"]["id"]
    sent = [api.send(cid, ana, f"pageword item{i}")["id"] for i in range(7)]
    drain(app)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        r = search(api, wid, ana, "pageword", **params)
        body = r.get_json()
        assert r.status_code == 200, body
        assert body["total"] == 7 + (1 if pages else 0)
        seen += [h["message"]["id"] for h in body["hits"]]
        pages += 1
        if pages == 1:
            # A message arriving between pages does not shift the later pages.
            api.send(cid, ana, "pageword late arrival")
            drain(app)
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(sent))


def test_relevance_sort(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, wid, cid = team["ana"], team["wid"], team["general"]["id"]
    api.send(cid, ana, "alpha beta alpha alpha")
    api.send(cid, ana, "alpha once among many other words here")
    drain(app)
    r = search(api, wid, ana, "alpha", sort="relevance", limit=1)
    body = r.get_json()
    assert r.status_code == 200, body
    assert [h["message"]["text"] for h in body["hits"]] == ["alpha beta alpha alpha"]
    nxt = search(api, wid, ana, "alpha", sort="relevance", limit=1, cursor=body["next_cursor"])
    assert texts_of(nxt) == ["alpha once among many other words here"]
    # A cursor belongs to its sort order.
    r = search(api, wid, ana, "alpha", sort="newest", cursor=body["next_cursor"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_cursor"


MALFORMED: list[tuple[dict[str, str], str]] = [
    ({"q": '"unclosed phrase'}, "invalid_query"),
    ({"q": "-alone"}, "invalid_query"),
    ({"q": "has:banana"}, "invalid_query"),
    ({"q": "before:2024-02-30"}, "invalid_query"),
    ({"q": "on:yesterday"}, "invalid_query"),
    ({"q": "after:2024-05-02 before:2024-05-01"}, "invalid_query"),
    ({"q": "from:"}, "invalid_query"),
    ({"q": "-from:@ana x"}, "invalid_query"),
    ({"q": "*"}, "invalid_query"),
    ({"q": ""}, "invalid_query"),
    ({"q": "   "}, "invalid_query"),
    ({"q": "x" * 1001}, "invalid_query"),
    ({"q": "a\x00b"}, "invalid_text"),
    ({"q": "word", "sort": "oldest"}, "invalid_sort"),
    ({"q": "word", "cursor": "not-a-cursor"}, "invalid_cursor"),
    ({"q": "word", "limit": "0"}, "out_of_range"),
    ({"q": "word", "limit": "lots"}, "invalid_type"),
]


@pytest.mark.parametrize("engine_kind", ["local"])
def test_malformed_requests_are_400(api: Api, team: dict[str, Any]) -> None:
    for params, code in MALFORMED:
        r = search(api, team["wid"], team["ana"], **params)
        assert r.status_code == 400, (params, r.get_json())
        error = r.get_json()["error"]
        assert error["code"] == code, params
        assert error["message"], params


def forged(payload: Any) -> str:
    """A cursor as this API writes them (unpadded URL-safe base64 of JSON), made by hand."""
    raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


BIG = 2**63
FORGED_CURSORS: list[tuple[str, str]] = [
    # (cursor, sort) -- huge, negative or wrongly typed keys
    (forged({"s": "newest", "k": [BIG, 1]}), "newest"),
    (forged({"s": "newest", "k": [1, BIG]}), "newest"),
    (forged({"s": "newest", "k": [2**64, 2**64]}), "newest"),
    (forged({"s": "newest", "k": [10**30, 1]}), "newest"),
    (forged({"s": "newest", "k": [-1, 1]}), "newest"),
    (forged({"s": "newest", "k": [1, -(2**63) - 1]}), "newest"),
    (forged({"s": "newest", "k": [1.5, 1]}), "newest"),
    (forged({"s": "newest", "k": ["1", "2"]}), "newest"),
    (forged({"s": "newest", "k": [True, 1]}), "newest"),
    (forged({"s": "newest", "k": [None, 1]}), "newest"),
    (forged({"s": "newest", "k": [[1], 1]}), "newest"),
    (forged({"s": "newest", "k": [1]}), "newest"),
    (forged({"s": "newest", "k": [1, 2, 3]}), "newest"),
    (forged({"s": "newest", "k": "1,2"}), "newest"),
    (forged({"s": "newest", "k": {"0": 1, "1": 2}}), "newest"),
    (forged({"s": "newest"}), "newest"),
    (forged({"k": [1, 2]}), "newest"),
    (forged({"s": "relevance", "k": [1.0, 1, 2]}), "newest"),
    (forged({"s": "relevance", "k": [1.0, BIG, 2]}), "relevance"),
    (forged({"s": "relevance", "k": [1.0, 1, BIG]}), "relevance"),
    (forged({"s": "relevance", "k": [1e300, 1, 2]}), "relevance"),
    (forged({"s": "relevance", "k": [BIG**5, 1, 2]}), "relevance"),
    (forged({"s": "relevance", "k": ["1.0", 1, 2]}), "relevance"),
    (forged({"s": "relevance", "k": [True, 1, 2]}), "relevance"),
    (forged({"s": "relevance", "k": [1.0, -5, 2]}), "relevance"),
    (forged(b'{"s": "relevance", "k": [NaN, 1, 2]}'), "relevance"),
    (forged(b'{"s": "relevance", "k": [Infinity, 1, 2]}'), "relevance"),
    (forged(b'{"s": "relevance", "k": [-Infinity, 1, 2]}'), "relevance"),
    (forged(b'{"s": "newest", "k": [1' + b"0" * 400 + b", 1]}"), "newest"),
    # JSON that is not an object
    (forged([1, 2]), "newest"),
    (forged("newest"), "newest"),
    (forged(12), "newest"),
    (forged(None), "newest"),
    # valid base64 of something that is not JSON, or not UTF-8
    (forged(b"not json at all"), "newest"),
    (forged(b"\xff\xfe\x00\x01"), "newest"),
    (forged(b'{"s": "newest", "k": [1, 2]'), "newest"),
    (forged(b"[" * 50_000), "newest"),
    # not base64
    ("!!!!", "newest"),
    ("a", "newest"),
    ("====", "newest"),
    ("eyJzIjoibmV3ZXN0Iiwia", "newest"),  # cut short
    ("%FF%FE", "newest"),
    ("x" * 513, "newest"),
]


def test_forged_cursors_are_400(api: Api, app: Flask, team: dict[str, Any]) -> None:
    ana, wid, cid = team["ana"], team["wid"], team["general"]["id"]
    for i in range(3):
        api.send(cid, ana, f"cursorword {i}")
    drain(app)
    for cursor, sort in FORGED_CURSORS:
        r = search(api, wid, ana, "cursorword", limit=1, sort=sort, cursor=cursor)
        assert r.status_code == 400, (cursor, sort, r.status_code, r.get_data()[:300])
        error = r.get_json()["error"]
        assert error["code"] == "invalid_cursor", (cursor, error)
        assert error["message"]
    # Keys at the edges of the range are fine: the page after them.
    for key, want in (([2**63 - 1, 2**63 - 1], 3), ([0, 0], 0), ([1, 1], 0)):
        cursor = forged({"s": "newest", "k": key})
        r = search(api, wid, ana, "cursorword", cursor=cursor)
        assert r.status_code == 200, (key, r.get_json())
        assert len(r.get_json()["hits"]) == want, key
    cursor = forged({"s": "relevance", "k": [3.4e38, 2**63 - 1, 2**63 - 1]})
    assert search(api, wid, ana, "cursorword", sort="relevance", cursor=cursor).status_code == 200


@pytest.mark.parametrize("engine_kind", ["local"])
def test_only_workspace_members_may_search(api: Api, team: dict[str, Any]) -> None:
    stranger = api.user()
    r = search(api, team["wid"], stranger, "anything")
    assert r.status_code == 404
    r = api.get(f"/api/v1/workspaces/{team['wid']}/search?q=anything")
    assert r.status_code == 401
    r = api.get("/api/v1/workspaces/123/search?q=anything", team["ana"]["token"])
    assert r.status_code == 404


def test_decode_cursor_refuses_forgeries_without_an_app() -> None:
    for cursor, sort in FORGED_CURSORS + [(forged(b"[" * 50_000), "newest")]:
        with pytest.raises(CursorError):
            decode_cursor(cursor, sort)
    assert decode_cursor(encode_cursor("newest", (5, 7)), "newest") == (5, 7)
    assert decode_cursor(encode_cursor("relevance", (1.25, 5, 7)), "relevance") == (1.25, 5, 7)
