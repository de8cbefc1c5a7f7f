"""Channels: create, list, browse public ones, show; private ones stay invisible."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api

MADE_UP = "987654321987"


def my_channels(api: Api, wid: str, who: dict[str, Any]) -> list[dict[str, Any]]:
    r = api.get(f"/api/v1/workspaces/{wid}/channels", who["token"])
    assert r.status_code == 200
    return r.get_json()["channels"]


def test_create_public_and_private_channels_with_members(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    wid = api.workspace(a, b, c)
    r = api.post(
        f"/api/v1/workspaces/{wid}/channels",
        {"name": " Dev Ops ", "member_ids": [b["user"]["id"]]},
        a["token"],
    )
    assert r.status_code == 201
    pub = r.get_json()
    assert pub["name"] == "dev-ops"
    assert pub["kind"] == "public"
    assert pub["workspace_id"] == wid
    assert pub["member_count"] == 2
    assert pub["dm_users"] == []
    assert (pub["unread_count"], pub["mention_count"]) == (0, 0)
    assert pub["last_read_seq"] == pub["last_seq"] > 0
    priv = api.channel(wid, a, "secret", private=True, members=[c])
    assert priv["kind"] == "private" and priv["member_count"] == 2

    assert [ch["name"] for ch in my_channels(api, wid, a)] == ["dev-ops", "secret"]
    assert [ch["name"] for ch in my_channels(api, wid, b)] == ["dev-ops"]
    assert [ch["name"] for ch in my_channels(api, wid, c)] == ["secret"]


def test_channel_names_are_checked_and_unique_per_workspace(api: Api) -> None:
    a = api.user("ann")
    wid = api.workspace(a)
    other = api.workspace(a)
    api.channel(wid, a, "general")
    for name in ("General", "GENERAL"):
        r = api.post(f"/api/v1/workspaces/{wid}/channels", {"name": name}, a["token"])
        assert r.status_code == 409
        assert r.get_json()["error"]["code"] == "name_taken"
    # Another workspace may have its own #general.
    api.channel(other, a, "general")
    for bad in ("", "   ", "--", "a/b", "x" * 81, "semi;colon"):
        r = api.post(f"/api/v1/workspaces/{wid}/channels", {"name": bad}, a["token"])
        assert r.status_code == 400, bad
        assert r.get_json()["error"]["code"] == "invalid_name"


def test_channel_members_must_belong_to_the_workspace(api: Api) -> None:
    a = api.user("ann")
    stranger = api.user("sam")
    wid = api.workspace(a)
    body = {"name": "x", "member_ids": [stranger["user"]["id"]]}
    r = api.post(f"/api/v1/workspaces/{wid}/channels", body, a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "not_in_workspace"
    body = {"name": "x", "member_ids": [MADE_UP]}
    assert api.post(f"/api/v1/workspaces/{wid}/channels", body, a["token"]).status_code == 400
    # Nothing was half-written.
    assert my_channels(api, wid, a) == []


def test_only_workspace_members_create_and_list_channels(api: Api) -> None:
    a = api.user("ann")
    stranger = api.user("sam")
    wid = api.workspace(a)
    r = api.post(f"/api/v1/workspaces/{wid}/channels", {"name": "x"}, stranger["token"])
    assert r.status_code == 404
    for path in (f"/api/v1/workspaces/{wid}/channels", f"/api/v1/workspaces/{wid}/channels/public"):
        r = api.get(path, stranger["token"])
        assert r.status_code == 404
        assert r.get_json() == api.get(path.replace(wid, MADE_UP), stranger["token"]).get_json()


def test_public_channel_list_marks_membership_and_hides_private_ones(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    general = api.channel(wid, a, "general", members=[b])
    random = api.channel(wid, a, "random")
    api.channel(wid, a, "secret", private=True, members=[b])
    api.post(f"/api/v1/workspaces/{wid}/dms", {"user_ids": [b["user"]["id"]]}, a["token"])
    api.send(random["id"], a, "anyone there?")
    r = api.get(f"/api/v1/workspaces/{wid}/channels/public", b["token"])
    assert r.status_code == 200
    listed = r.get_json()["channels"]
    assert [(ch["name"], ch["is_member"]) for ch in listed] == [
        ("general", True),
        ("random", False),
    ]
    assert listed[0]["id"] == general["id"]
    # A channel you are not in counts nothing for you.
    assert listed[1]["unread_count"] == 0
    assert listed[1]["member_count"] == 1


def test_show_a_channel(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "general")
    api.send(ch["id"], a, "hello")
    mine = api.get(f"/api/v1/channels/{ch['id']}", a["token"]).get_json()
    assert mine["name"] == "general" and mine["is_member"] is True
    assert mine["last_seq"] == mine["last_read_seq"]
    # A workspace member who has not joined may look at a public channel.
    r = api.get(f"/api/v1/channels/{ch['id']}", b["token"])
    assert r.status_code == 200
    assert r.get_json()["is_member"] is False
    assert r.get_json()["unread_count"] == 0


PRIVATE_PATHS = [
    ("GET", "/api/v1/channels/{cid}", None),
    ("GET", "/api/v1/channels/{cid}/messages", None),
    ("GET", "/api/v1/channels/{cid}/members", None),
    ("POST", "/api/v1/channels/{cid}/messages", {"text": "let me in"}),
    ("POST", "/api/v1/channels/{cid}/join", None),
    ("POST", "/api/v1/channels/{cid}/members", {"user_ids": []}),
    ("POST", "/api/v1/channels/{cid}/leave", None),
]


@pytest.mark.parametrize("outsider_kind", ["workspace_member", "stranger"])
def test_private_channels_look_exactly_like_made_up_ids(api: Api, outsider_kind: str) -> None:
    a = api.user("ann")
    b = api.user("ben")
    outsider = api.user("eve")
    wid = api.workspace(a, b)
    if outsider_kind == "workspace_member":
        api.post(f"/api/v1/workspaces/{wid}/members", {"username": "eve"}, a["token"])
    ch = api.channel(wid, a, "secret", private=True, members=[b])
    msg = api.send(ch["id"], b, "the plan")
    for method, path, body in PRIVATE_PATHS:
        real = api.call(method, path.format(cid=ch["id"]), json=body, token=outsider["token"])
        fake = api.call(method, path.format(cid=MADE_UP), json=body, token=outsider["token"])
        assert real.status_code == fake.status_code == 404, path
        assert real.get_json() == fake.get_json(), path
    real = api.get(f"/api/v1/messages/{msg['id']}", outsider["token"])
    fake = api.get(f"/api/v1/messages/{MADE_UP}", outsider["token"])
    assert real.status_code == fake.status_code == 404
    assert real.get_json() == fake.get_json()
    # Nor does it show in any list the outsider can see.
    if outsider_kind == "workspace_member":
        assert my_channels(api, wid, outsider) == []
        public = api.get(f"/api/v1/workspaces/{wid}/channels/public", outsider["token"])
        assert public.get_json()["channels"] == []
    # The members themselves see it all.
    assert api.get(f"/api/v1/channels/{ch['id']}", b["token"]).status_code == 200
    assert api.get(f"/api/v1/messages/{msg['id']}", a["token"]).get_json()["text"] == "the plan"
