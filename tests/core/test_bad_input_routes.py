"""Bad input on the account, profile, workspace, contact and channel routes: a clear
400 (or 404 for ids of nothing), never a 500, and nothing written. The message,
edit and read routes are in test_bad_input.py."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from teamchat.models import DirectoryBase, ShardBase
from tests.conftest import Api
from tests.core.test_bad_input import BAD_IDS, BAD_UTF8, ID_BAD, NOT_JSON, NOT_OBJECT, refused

PASSWORD = "correct horse"
STR_BAD = [1, 1.5, True, False, [], ["x"], {}, {"x": "y"}]
BOOL_BAD = ["true", "false", 1, 0, "", [], {}, "yes"]
INT_BAD = ["1", "", 1.5, True, [], {}, -1, 2**70]
LIST_BAD = ["1", 1, True, {}, {"0": "1"}, "[]"]
# Escaped in the raw JSON body: NUL and lone surrogates (and a pair in the wrong order).
BAD_ESCAPES = ["a\\u0000b", "\\ud800", "a\\udc00b", "\\udbff\\u0041", "\\ude00\\ud83d"]


@dataclass
class Route:
    method: str
    path: str
    base: dict[str, Any]  # a valid body: each test spoils one field of it
    strings: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    bools: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    id_lists: dict[str, int] = field(default_factory=dict)  # field -> most items allowed
    auth: bool = True


class Fixture:
    """alice (admin) and bob in a workspace with a public channel; carol outside it."""

    def __init__(self, app: Flask, api: Api) -> None:
        self.app, self.api = app, api
        self.a = api.user("alice")
        self.b = api.user("bob")
        self.c = api.user("carol")
        self.wid = api.workspace(self.a, self.b)
        self.ch = api.channel(self.wid, self.a, "general", members=[self.b])
        self.cid = self.ch["id"]
        self.token = self.a["token"]

    def routes(self) -> list[Route]:
        bob = self.b["user"]["id"]
        return [
            Route(
                "POST",
                "/api/v1/auth/register",
                {"username": "newbie", "password": PASSWORD},
                strings=("username", "password", "display_name", "device"),
                required=("username", "password"),
                auth=False,
            ),
            Route(
                "POST",
                "/api/v1/auth/login",
                {"username": "alice", "password": PASSWORD},
                strings=("username", "password", "device"),
                required=("username", "password"),
                auth=False,
            ),
            Route("PATCH", "/api/v1/me", {}, strings=("display_name", "avatar_url")),
            Route(
                "POST",
                "/api/v1/workspaces",
                {"name": "Another"},
                strings=("name",),
                required=("name",),
                ints=("recall_window_seconds",),
            ),
            Route(
                "POST",
                f"/api/v1/workspaces/{self.wid}/members",
                {"username": "carol"},
                strings=("username",),
                required=("username",),
            ),
            Route(
                "POST",
                f"/api/v1/workspaces/{self.wid}/channels",
                {"name": "fresh", "member_ids": [bob]},
                strings=("name",),
                required=("name",),
                bools=("private",),
                id_lists={"member_ids": 1000},
            ),
            Route(
                "POST",
                f"/api/v1/workspaces/{self.wid}/dms",
                {"user_ids": [bob]},
                required=("user_ids",),
                id_lists={"user_ids": 100},
            ),
            Route(
                "POST",
                f"/api/v1/channels/{self.cid}/members",
                {"user_ids": [bob]},
                required=("user_ids",),
                id_lists={"user_ids": 1000},
            ),
        ]

    def send(self, route: Route, body: Any) -> Any:
        return self.api.call(route.method, route.path, body, self.token if route.auth else None)

    def raw(self, route: Route, data: bytes, content_type: str = "application/json") -> Any:
        headers = {"Content-Type": content_type}
        if route.auth:
            headers["Authorization"] = f"Bearer {self.token}"
        return self.api.client.open(route.path, method=route.method, data=data, headers=headers)

    def snapshot(self) -> Any:
        """Every row of every table, directory and shards (less the session's
        last-used time, which each authenticated request moves)."""
        rt = self.app.extensions["teamchat"]
        sessions = [(DirectoryBase.metadata, rt.dbs.directory_session)] + [
            (ShardBase.metadata, lambda n=n: rt.dbs.shard_session(n))
            for n in range(rt.dbs.shard_count)
        ]
        out = []
        for meta, open_session in sessions:
            with open_session() as s:
                for table in meta.sorted_tables:
                    cols = [c for c in table.columns if c.name != "last_used_at"]
                    rows = s.execute(select(*cols)).all()
                    out.append((table.name, sorted(repr(tuple(r)) for r in rows)))
        return out


@pytest.fixture
def f(app: Flask, api: Api) -> Fixture:
    return Fixture(app, api)


def test_bodies_that_are_not_json_objects(f: Fixture) -> None:
    before = f.snapshot()
    for route in f.routes():
        for body in NOT_JSON + NOT_OBJECT:
            refused(f.raw(route, body), 400, "invalid_json")
        refused(f.raw(route, b"name=x", "text/plain"), 400)
        refused(f.raw(route, b"name=x", "application/x-www-form-urlencoded"), 400)
        for body in BAD_UTF8:
            refused(f.raw(route, body), 400, "invalid_utf8")
    assert f.snapshot() == before


def test_missing_fields(f: Fixture) -> None:
    before = f.snapshot()
    for route in f.routes():
        for name in route.required:
            body = {k: v for k, v in route.base.items() if k != name}
            refused(f.send(route, body), 400, "missing_field")
            refused(f.send(route, {**route.base, name: None}), 400, "missing_field")
    assert f.snapshot() == before


def test_fields_of_the_wrong_type(f: Fixture) -> None:
    before = f.snapshot()
    for route in f.routes():
        for name in route.strings:
            for value in STR_BAD:
                r = f.send(route, {**route.base, name: value})
                refused(r, 400, "invalid_type")
        for name in route.bools:
            for value in BOOL_BAD:
                refused(f.send(route, {**route.base, name: value}), 400, "invalid_type")
        for name in route.ints:
            for value in INT_BAD:
                refused(f.send(route, {**route.base, name: value}), 400)
        for name, most in route.id_lists.items():
            for value in LIST_BAD:
                refused(f.send(route, {**route.base, name: value}), 400, "invalid_type")
            for item in ID_BAD:
                refused(f.send(route, {**route.base, name: [item]}), 400)
                refused(f.send(route, {**route.base, name: [f.b["user"]["id"], item]}), 400)
            refused(f.send(route, {**route.base, name: [[f.b["user"]["id"]]]}), 400)
            too_many = [str(n) for n in range(1, most + 2)]
            refused(f.send(route, {**route.base, name: too_many}), 400, "too_long")
    assert f.snapshot() == before


def test_nul_and_lone_surrogates_in_every_string_field(f: Fixture) -> None:
    before = f.snapshot()
    for route in f.routes():
        for name in route.strings:
            for escaped in BAD_ESCAPES:
                r = f.raw(route, with_raw(route.base, name, f'"{escaped}"'))
                refused(r, 400, "invalid_text")
            # NUL sent as the byte itself is not valid JSON at all.
            refused(f.raw(route, with_raw(route.base, name, '"a\x00b"')), 400, "invalid_json")
        for name in route.id_lists:
            for escaped in ("\\ud800", "1\\u0000", "\\u0000"):
                r = f.raw(route, with_raw(route.base, name, f'["{escaped}"]'))
                refused(r, 400, "invalid_type")
    assert f.snapshot() == before


def with_raw(base: dict[str, Any], name: str, raw_value: str) -> bytes:
    """`base` as a JSON body with `name` set to `raw_value`, JSON text sent as it is
    (so escapes like \\ud800 reach the server's parser unchanged)."""
    rest = json.dumps({k: v for k, v in base.items() if k != name})[1:-1]
    head = f'"{name}": {raw_value}'
    return ("{" + head + (", " + rest if rest else "") + "}").encode("utf-8")


def test_ids_in_paths(f: Fixture) -> None:
    before = f.snapshot()
    api, t, bob = f.api, f.token, f.b["user"]["id"]
    for bad in BAD_IDS:
        calls = [
            api.post(f"/api/v1/workspaces/{bad}/members", {"username": "carol"}, t),
            api.get(f"/api/v1/workspaces/{bad}/members", t),
            api.post(f"/api/v1/workspaces/{bad}/channels", {"name": "x"}, t),
            api.get(f"/api/v1/workspaces/{bad}/channels", t),
            api.get(f"/api/v1/workspaces/{bad}/channels/public", t),
            api.post(f"/api/v1/workspaces/{bad}/dms", {"user_ids": [bob]}, t),
            api.put(f"/api/v1/contacts/{bad}", token=t),
            api.delete(f"/api/v1/contacts/{bad}", token=t),
            api.get(f"/api/v1/channels/{bad}", t),
            api.post(f"/api/v1/channels/{bad}/join", token=t),
            api.post(f"/api/v1/channels/{bad}/leave", token=t),
            api.post(f"/api/v1/channels/{bad}/members", {"user_ids": [bob]}, t),
            api.get(f"/api/v1/channels/{bad}/members", t),
        ]
        for r in calls:
            refused(r, 400)
    # Well-formed ids of nothing (or of something the caller cannot see) are not found;
    # removing a contact who is not one is a no-op.
    for unknown in ("1", "424242", str(2**63 - 1), f.c["user"]["id"]):
        calls = [
            api.post(f"/api/v1/workspaces/{unknown}/members", {"username": "carol"}, t),
            api.get(f"/api/v1/workspaces/{unknown}/members", t),
            api.post(f"/api/v1/workspaces/{unknown}/channels", {"name": "x"}, t),
            api.get(f"/api/v1/workspaces/{unknown}/channels", t),
            api.post(f"/api/v1/workspaces/{unknown}/dms", {"user_ids": [bob]}, t),
            api.put(f"/api/v1/contacts/{unknown}", token=t),
            api.get(f"/api/v1/channels/{unknown}", t),
            api.post(f"/api/v1/channels/{unknown}/join", token=t),
            api.post(f"/api/v1/channels/{unknown}/leave", token=t),
            api.post(f"/api/v1/channels/{unknown}/members", {"user_ids": [bob]}, t),
            api.get(f"/api/v1/channels/{unknown}/members", t),
        ]
        for r in calls:
            refused(r, 404)
        assert api.delete(f"/api/v1/contacts/{unknown}", token=t).status_code == 204
    assert f.snapshot() == before


def test_ids_of_people_outside_the_workspace(f: Fixture) -> None:
    before = f.snapshot()
    api, t = f.api, f.token
    for outsider in (f.c["user"]["id"], "424242", str(2**63 - 1)):
        refused(
            api.post(
                f"/api/v1/workspaces/{f.wid}/channels",
                {"name": "fresh", "member_ids": [outsider]},
                t,
            ),
            400,
            "not_in_workspace",
        )
        refused(
            api.post(f"/api/v1/workspaces/{f.wid}/dms", {"user_ids": [outsider]}, t),
            400,
            "not_in_workspace",
        )
        refused(
            api.post(f"/api/v1/channels/{f.cid}/members", {"user_ids": [outsider]}, t),
            400,
            "not_in_workspace",
        )
    refused(api.post(f"/api/v1/workspaces/{f.wid}/dms", {"user_ids": []}, t), 400)
    refused(api.post(f"/api/v1/channels/{f.cid}/members", {"user_ids": []}, t), 400)
    assert f.snapshot() == before


def test_strings_that_break_the_rules(f: Fixture) -> None:
    """Values of the right type that no rule allows: refused, never stored."""
    before = f.snapshot()
    api, t = f.api, f.token
    long_lower = "\u0130" * 33  # 33 code points, 66 lower-cased
    for username in ("", " ", "a" * 65, long_lower, "\u202ealice", "al\u2066ice", "bel\x07l"):
        r = api.post("/api/v1/auth/register", {"username": username, "password": PASSWORD})
        refused(r, 400)
    for password in ("", "short", "x" * 1025):
        r = api.post("/api/v1/auth/register", {"username": "newbie", "password": password})
        refused(r, 400)
    # Channel names are slugs: whitespace becomes "-", anything but letters, digits,
    # "-" and "_" is refused (and "İ" lower-cases to "i" plus a combining dot).
    for name in ("", " ", "-", "\u0130" * 64, "a" * 81, "\u202eevil", "a\u2066b", "bell\x07"):
        refused(api.post(f"/api/v1/workspaces/{f.wid}/channels", {"name": name}, t), 400)
    for name in ("", " ", "\u0130" * 41, "a" * 81, "line\nbreak", "tab\there", "\u202eevil"):
        refused(api.post("/api/v1/workspaces", {"name": name}, t), 400)
    for name in ("a\u2066b", "bell\x07", "esc\x1b[31m", "sep\u2028arator", "del\x7f"):
        refused(api.post("/api/v1/workspaces", {"name": name}, t), 400, "invalid_name")
        refused(api.patch("/api/v1/me", {"display_name": name}, t), 400, "invalid_display_name")
    for name in ("", " ", "a" * 81, "line\nbreak", "\u202eevil"):
        refused(api.patch("/api/v1/me", {"display_name": name}, t), 400)
    for url in ("javascript:alert(1)", "ftp://x", "http://a b", "x" * 2049):
        refused(api.patch("/api/v1/me", {"avatar_url": url}, t), 400)
    refused(api.post("/api/v1/workspaces", {"name": "W", "recall_window_seconds": 10**10}, t), 400)
    assert f.snapshot() == before


def test_usernames_that_match_nobody(f: Fixture) -> None:
    """Any string at all is a fine thing to look up: nobody has it."""
    before = f.snapshot()
    api, t = f.api, f.token
    for username in ("\u0130" * 64, "\u202ebob", "BOB\u2066", "x" * 64, "b\u00f6b", "bo b"):
        r = api.post(f"/api/v1/workspaces/{f.wid}/members", {"username": username}, t)
        refused(r, 404)
        r = api.post("/api/v1/auth/login", {"username": username, "password": PASSWORD})
        refused(r, 401, "bad_credentials")
    refused(api.post("/api/v1/auth/login", {"username": "x" * 65, "password": PASSWORD}), 400)
    assert f.snapshot() == before
