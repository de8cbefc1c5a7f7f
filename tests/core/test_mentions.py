"""Mentions: the parser, and who a message reaches (rows, spans, counts)."""

from __future__ import annotations

import pytest
from flask import Flask

from teamchat.services.mentions import candidate_names, find_mentions
from tests.conftest import Api
from tests.core.test_messages import counts, mention_rows, setup

KNOWN = {"john", "john.doe", "mary-jane", "bob", "al", "o_neil", "x"}


def spans(text: str, known: set[str] = KNOWN) -> list[tuple[str, str, str]]:
    """(kind, name, the text the span covers)."""
    return [
        (s.kind, s.name, text[s.start : s.end]) for s in find_mentions(text, known.__contains__)
    ]


# -- the parser -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The longest known name wins.
        ("hi @john.doe", [("user", "john.doe", "@john.doe")]),
        ("hi @john", [("user", "john", "@john")]),
        ("@john.doe.", [("user", "john.doe", "@john.doe")]),
        ("@john.smith", [("user", "john", "@john")]),
        ("@johnny", []),
        # Trailing punctuation is not part of the name.
        ("@bob, hi", [("user", "bob", "@bob")]),
        ("@bob.", [("user", "bob", "@bob")]),
        ("@bob!", [("user", "bob", "@bob")]),
        ("@bob?", [("user", "bob", "@bob")]),
        ("@bob:", [("user", "bob", "@bob")]),
        ("@bob's", [("user", "bob", "@bob")]),
        ("(@bob)", [("user", "bob", "@bob")]),
        ("@bob-", [("user", "bob", "@bob")]),
        ("@bob_", [("user", "bob", "@bob")]),
        ("@bob...", [("user", "bob", "@bob")]),
        # Hyphens, dots and underscores inside names.
        ("@mary-jane hi", [("user", "mary-jane", "@mary-jane")]),
        ("@mary-jane-", [("user", "mary-jane", "@mary-jane")]),
        ("@o_neil", [("user", "o_neil", "@o_neil")]),
        ("@mary", []),
        # Case does not matter.
        ("@BOB", [("user", "bob", "@BOB")]),
        ("@John.Doe", [("user", "john.doe", "@John.Doe")]),
        # Not inside code.
        ("`@bob`", []),
        ("``@bob``", []),
        ("see `x @bob y` and @al", [("user", "al", "@al")]),
        ("```\n@bob\n```", []),
        ("```py\nprint('@bob')\n``` @john", [("user", "john", "@john")]),
        ("```unclosed @bob", []),
        # An e-mail address is not a mention.
        ("bob@example.com", []),
        ("mail john.doe@example.com now", []),
        ("x@bob", []),
        ("a+bob@example.com", []),
        ("https://example.com/@bob", []),
        ("@@bob", []),
        # Special words.
        ("@channel", [("channel", "channel", "@channel")]),
        ("@all, look", [("all", "all", "@all")]),
        ("@here!", [("here", "here", "@here")]),
        ("@HERE", [("here", "here", "@HERE")]),
        ("@channels", []),
        # Several at once, in order.
        (
            "@bob and @john.doe, @here",
            [
                ("user", "bob", "@bob"),
                ("user", "john.doe", "@john.doe"),
                ("here", "here", "@here"),
            ],
        ),
        # Unknown names are plain text.
        ("@nobody", []),
        ("@", []),
        ("@ bob", []),
    ],
)
def test_parser(text: str, expected: list[tuple[str, str, str]]) -> None:
    assert spans(text) == expected


def test_span_offsets_are_code_points() -> None:
    text = "\U0001f600 \u00e9 @bob"
    (s,) = find_mentions(text, KNOWN.__contains__)
    assert (s.start, s.end) == (4, 8) and text[s.start : s.end] == "@bob"


def test_candidate_names_cover_every_prefix_to_check() -> None:
    assert candidate_names("@john.doe.smith, `@code` @here a@b.c") == {
        "john.doe.smith",
        "john.doe",
        "john",
    }


# -- through the API ------------------------------------------------------------------


def test_mentions_reach_members_and_readers(app: Flask, api: Api) -> None:
    (a, b, c), wid, cid = setup(api, "alice", "bob", "carol")
    john = api.user("john")
    john_doe = api.user("john.doe")
    outsider = api.user("dave")  # not in the workspace
    for u in (john, john_doe):
        api.post(
            f"/api/v1/workspaces/{wid}/members", {"username": u["user"]["username"]}, a["token"]
        )
    m = api.send(cid, a, "@john.doe and @dave and @alice, mail bob@example.com; `@carol`")
    # Spans show every known name; rows go to people who can read the channel, not
    # the author. John.doe is in the workspace and the channel is public.
    assert [(s["kind"], s["user_id"]) for s in m["mentions"]] == [
        ("user", john_doe["user"]["id"]),
        ("user", outsider["user"]["id"]),
        ("user", a["user"]["id"]),
    ]
    assert mention_rows(app, cid, m["id"]) == {john_doe["user"]["id"]: "user"}
    assert counts(api, wid, b, cid)[:2] == (1, 0)
    assert counts(api, wid, c, cid)[:2] == (1, 0)


def test_private_channel_mentions_only_reach_members(app: Flask, api: Api) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob", private=True)
    c = api.user("carol")
    api.post(f"/api/v1/workspaces/{wid}/members", {"username": "carol"}, a["token"])
    m = api.send(cid, a, "@bob @carol")
    # Carol is named (her span is shown) but cannot read the channel: no row.
    assert [s["user_id"] for s in m["mentions"]] == [b["user"]["id"], c["user"]["id"]]
    assert mention_rows(app, cid, m["id"]) == {b["user"]["id"]: "user"}


def test_channel_and_all_reach_every_member(app: Flask, api: Api) -> None:
    (a, b, c), wid, cid = setup(api, "alice", "bob", "carol")
    m = api.send(cid, a, "@all meeting")
    assert mention_rows(app, cid, m["id"]) == {b["user"]["id"]: "all", c["user"]["id"]: "all"}
    m = api.send(cid, b, "@channel and @carol")
    assert mention_rows(app, cid, m["id"]) == {
        a["user"]["id"]: "channel",
        c["user"]["id"]: "user",
    }
    assert counts(api, wid, c, cid)[:2] == (2, 2)


def test_here_reaches_members_online_at_send_time(app: Flask, api: Api) -> None:
    (a, b, c, d), wid, cid = setup(api, "alice", "bob", "carol", "dave")
    presence = app.extensions["teamchat"].presence
    presence.connect(int(b["user"]["id"]), "bob-laptop")
    presence.connect(int(c["user"]["id"]), "carol-phone")
    presence.set_away(int(c["user"]["id"]), "carol-phone", True)
    m = api.send(cid, a, "@here standup")
    # Bob is online; carol is away and dave offline.
    assert mention_rows(app, cid, m["id"]) == {b["user"]["id"]: "here"}
    assert counts(api, wid, b, cid)[:2] == (1, 1)
    assert counts(api, wid, d, cid)[:2] == (1, 0)
    # Going offline later does not take the mention back.
    presence.disconnect(int(b["user"]["id"]), "bob-laptop")
    assert counts(api, wid, b, cid)[:2] == (1, 1)
    m2 = api.send(cid, a, "@here again")
    assert mention_rows(app, cid, m2["id"]) == {}
