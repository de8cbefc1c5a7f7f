"""Workspaces: create, list, add members (admins only), members with presence."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from teamchat.errors import BadRequest
from teamchat.importers.channels import ensure_workspace, find_workspace
from teamchat.models import Workspace
from tests.conftest import Api


def test_creator_is_admin_and_only_members_list_the_workspace(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    r = api.post("/api/v1/workspaces", {"name": "  Acme   Corp "}, a["token"])
    assert r.status_code == 201
    ws = r.get_json()
    assert ws["name"] == "Acme Corp"
    assert ws["role"] == "admin"
    assert ws["created_at"].endswith("Z")
    mine = api.get("/api/v1/workspaces", a["token"]).get_json()["workspaces"]
    assert [w["id"] for w in mine] == [ws["id"]]
    assert api.get("/api/v1/workspaces", b["token"]).get_json()["workspaces"] == []


def test_workspace_names_are_display_names_not_unique(api: Api) -> None:
    """Creating a workspace tells nothing about other people's workspaces."""
    a = api.user("ann")
    b = api.user("ben")
    r1 = api.post("/api/v1/workspaces", {"name": "Acme"}, a["token"])
    r2 = api.post("/api/v1/workspaces", {"name": "Acme"}, b["token"])
    assert (r1.status_code, r2.status_code) == (201, 201)
    first, second = r1.get_json(), r2.get_json()
    assert first["id"] != second["id"]
    assert first["name"] == second["name"] == "Acme"
    assert api.get("/api/v1/workspaces", a["token"]).get_json()["workspaces"] == [first]
    assert api.get("/api/v1/workspaces", b["token"]).get_json()["workspaces"] == [second]
    # Each is its own: a channel in one is not in the other.
    cid = api.channel(first["id"], a, "general")["id"]
    assert api.get(f"/api/v1/channels/{cid}", b["token"]).status_code == 404
    assert (
        api.get(f"/api/v1/workspaces/{second['id']}/channels", b["token"]).get_json()["channels"]
        == []
    )
    # The same person may reuse a name too, in any case.
    r3 = api.post("/api/v1/workspaces", {"name": "ACME"}, a["token"])
    assert r3.status_code == 201 and r3.get_json()["id"] not in (first["id"], second["id"])


def test_workspace_names_are_not_empty(api: Api) -> None:
    a = api.user("ann")
    r = api.post("/api/v1/workspaces", {"name": "   "}, a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_name"


def test_admin_adds_members_by_username(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a)
    r = api.post(f"/api/v1/workspaces/{wid}/members", {"username": "BEN"}, a["token"])
    assert r.status_code == 201
    assert r.get_json() == {"user": b["user"], "role": "member"}
    # Adding again changes nothing.
    r = api.post(f"/api/v1/workspaces/{wid}/members", {"username": "ben"}, a["token"])
    assert r.status_code == 200
    assert r.get_json()["role"] == "member"
    r = api.post(f"/api/v1/workspaces/{wid}/members", {"username": "ann"}, a["token"])
    assert r.status_code == 200 and r.get_json()["role"] == "admin"
    listed = api.get("/api/v1/workspaces", b["token"]).get_json()["workspaces"]
    assert [(w["id"], w["role"]) for w in listed] == [(wid, "member")]


def test_only_admins_add_members_and_outsiders_see_nothing(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b)
    r = api.post(f"/api/v1/workspaces/{wid}/members", {"username": "cat"}, b["token"])
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "not_admin"
    r = api.post(f"/api/v1/workspaces/{wid}/members", {"username": "ben"}, c["token"])
    made_up = api.post("/api/v1/workspaces/987654321/members", {"username": "ben"}, c["token"])
    assert r.status_code == made_up.status_code == 404
    assert r.get_json() == made_up.get_json()
    r = api.post(f"/api/v1/workspaces/{wid}/members", {"username": "nobody"}, a["token"])
    assert r.status_code == 404
    assert api.get("/api/v1/workspaces", c["token"]).get_json()["workspaces"] == []


def test_members_are_listed_with_role_and_presence(app: Flask, api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    d = api.user("dan")
    wid = api.workspace(a, b, c)
    # What the socket tier reports for live devices.
    presence = app.extensions["teamchat"].presence
    presence.connect(int(b["user"]["id"]), "ben-laptop")
    presence.connect(int(c["user"]["id"]), "cat-phone")
    presence.set_away(int(c["user"]["id"]), "cat-phone", True)
    r = api.get(f"/api/v1/workspaces/{wid}/members", b["token"])
    assert r.status_code == 200
    members = r.get_json()["members"]
    assert [(m["user"]["username"], m["role"], m["presence"]) for m in members] == [
        ("ann", "admin", "offline"),
        ("ben", "member", "online"),
        ("cat", "member", "away"),
    ]
    assert members[0]["user"] == a["user"]
    outsider = api.get(f"/api/v1/workspaces/{wid}/members", d["token"])
    made_up = api.get("/api/v1/workspaces/987654321/members", d["token"])
    assert outsider.status_code == made_up.status_code == 404
    assert outsider.get_json() == made_up.get_json()


def test_workspace_ids_are_validated(api: Api) -> None:
    a = api.user("ann")
    r = api.get("/api/v1/workspaces/not-an-id/members", a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_type"


# -- names: what is stored, what is refused ------------------------------------------


def workspace_rows(app: Flask) -> list[tuple[str, str]]:
    rt = app.extensions["teamchat"]
    with rt.dbs.directory_session() as s:
        return sorted((w.name, w.name_key) for w in s.scalars(select(Workspace)))


FITTING_NAMES = [
    "\u0130" * 40,  # "İ" lower-cases to two code points: 80 in the key
    "\u0130stanbul " + "x" * 30,
    "\U0001f600" * 80,  # four bytes each in utf8mb4
    "\u00e9" * 80,
    "\u01c4" * 80,  # "Ǆ" lower-cases to one code point
    "\u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627",
    "caf\u00e9 \u200fR&D\u200e",  # direction marks are not overrides
]


@pytest.mark.parametrize("name", FITTING_NAMES)
def test_names_are_stored_exactly_with_their_key(app: Flask, api: Api, name: str) -> None:
    a = api.user("ann")
    r = api.post("/api/v1/workspaces", {"name": name}, a["token"])
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["name"] == name
    assert workspace_rows(app) == [(name, name.lower())]
    # The key is what imports find a workspace by, in any case.
    with app.app_context():
        rt = app.extensions["teamchat"]
        with rt.dbs.transaction(rt) as tx:
            for spelled in (name, name.lower(), name.upper()[:80]):
                if len(spelled.lower()) <= 80:
                    found = find_workspace(tx, spelled)
                    assert found is not None and found.name == name, spelled


@pytest.mark.parametrize(
    "name",
    ["\u0130" * 41, "\u0130" * 80, "a" * 79 + "\u0130", "x" * 81, "\U0001f600" * 81],
)
def test_names_too_long_either_way_are_refused(app: Flask, api: Api, name: str) -> None:
    a = api.user("ann")
    r = api.post("/api/v1/workspaces", {"name": name}, a["token"])
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["code"] == "too_long"
    assert workspace_rows(app) == []
    # Imports refuse the same names, before writing anything.
    with app.app_context():
        rt = app.extensions["teamchat"]
        with pytest.raises(BadRequest), rt.dbs.transaction(rt) as tx:
            ensure_workspace(tx, rt.ids, name, None, 0)
    assert workspace_rows(app) == []


@pytest.mark.parametrize(
    "name",
    [
        "evil\u202etxt.exe",  # right-to-left override
        "a\u202ab",
        "\u2066isolate\u2069",
        "bell\x07",
        "esc\x1b[31mred",
        "line\nbreak",
        "tab\there",
        "cr\rhere",
        "sep\u2028arator",
        "del\x7f",
        "next\x85line",
    ],
)
def test_names_with_controls_or_bidi_overrides_are_refused(app: Flask, api: Api, name: str) -> None:
    a = api.user("ann")
    r = api.post("/api/v1/workspaces", {"name": name}, a["token"])
    assert r.status_code == 400, r.get_json()
    assert r.get_json()["error"]["code"] == "invalid_name"
    assert workspace_rows(app) == []
