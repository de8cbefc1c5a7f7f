"""The caller's profile (/me) and generated avatars."""

from __future__ import annotations

import pytest

from tests.conftest import Api


def test_me_is_the_caller(api: Api) -> None:
    a = api.user("ann", display_name="Ann Example")
    r = api.get("/api/v1/me", a["token"])
    assert r.status_code == 200
    assert r.get_json() == a["user"]
    assert r.get_json()["display_name"] == "Ann Example"


def test_patch_me_changes_the_display_name_everywhere(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    wid = api.workspace(a, b)
    r = api.patch("/api/v1/me", {"display_name": "  Ann Z.  "}, a["token"])
    assert r.status_code == 200
    assert r.get_json()["display_name"] == "Ann Z."
    assert r.get_json()["username"] == "ann"
    assert api.get("/api/v1/me", a["token"]).get_json()["display_name"] == "Ann Z."
    members = api.get(f"/api/v1/workspaces/{wid}/members", b["token"]).get_json()["members"]
    assert {m["user"]["username"]: m["user"]["display_name"] for m in members}["ann"] == "Ann Z."


@pytest.mark.parametrize(
    ("display_name", "code"),
    [
        ("\u202eevil", "invalid_display_name"),
        ("x\u2067y", "invalid_display_name"),
        ("two\nlines", "invalid_display_name"),
        ("esc\x1b[31m", "invalid_display_name"),
        ("", "invalid_display_name"),
        ("x" * 81, "too_long"),
    ],
)
def test_patch_me_refuses_bad_display_names_and_keeps_the_old_one(
    api: Api, display_name: str, code: str
) -> None:
    a = api.user("ann", display_name="Ann")
    r = api.patch("/api/v1/me", {"display_name": display_name}, a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == code
    assert api.get("/api/v1/me", a["token"]).get_json()["display_name"] == "Ann"


def test_avatar_url_can_be_set_refused_and_reset(api: Api) -> None:
    a = api.user("ann")
    default = a["user"]["avatar_url"]
    url = "https://images.example.com/ann.png"
    r = api.patch("/api/v1/me", {"avatar_url": url}, a["token"])
    assert r.status_code == 200 and r.get_json()["avatar_url"] == url
    r = api.patch("/api/v1/me", {"avatar_url": "javascript:alert(1)"}, a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_avatar_url"
    assert api.get("/api/v1/me", a["token"]).get_json()["avatar_url"] == url
    r = api.patch("/api/v1/me", {"avatar_url": ""}, a["token"])
    assert r.get_json()["avatar_url"] == default


def test_patch_me_needs_a_token(api: Api) -> None:
    assert api.patch("/api/v1/me", {"display_name": "x"}).status_code == 401


def test_generated_avatar_shows_initials_on_the_users_colour(api: Api) -> None:
    a = api.user("ada", display_name="Ada Lovelace")
    b = api.user("bob")
    # An <img> sends no bearer token: the avatar is public.
    r = api.get(a["user"]["avatar_url"])
    assert r.status_code == 200
    assert r.mimetype == "image/svg+xml"
    svg = r.get_data(as_text=True)
    assert svg.startswith("<svg") and ">AL</text>" in svg
    assert ">B</text>" in api.get(b["user"]["avatar_url"]).get_data(as_text=True)
    # The colour is the user's own and stable between requests.
    assert api.get(a["user"]["avatar_url"]).get_data(as_text=True) == svg


def test_generated_avatar_escapes_the_name(api: Api) -> None:
    a = api.user("tricky", display_name="<script>")
    svg = api.get(a["user"]["avatar_url"]).get_data(as_text=True)
    assert "<script" not in svg
    assert ">&lt;</text>" in svg


def test_avatar_of_an_unknown_user_is_404(api: Api) -> None:
    r = api.get("/api/v1/users/123456789/avatar.svg")
    assert r.status_code == 404
    assert r.get_json()["error"]["code"] == "not_found"
