"""Contacts: a one-way list of people who share a workspace with you, with presence."""

from __future__ import annotations

from flask import Flask

from tests.conftest import Api


def contacts(api: Api, who: dict) -> list[dict]:
    r = api.get("/api/v1/contacts", who["token"])
    assert r.status_code == 200
    return r.get_json()["contacts"]


def test_add_list_and_remove_contacts(app: Flask, api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    c = api.user("cat")
    api.workspace(a, b, c)
    app.extensions["teamchat"].presence.connect(int(c["user"]["id"]), "cat-desk")
    assert contacts(api, a) == []

    r = api.put(f"/api/v1/contacts/{c['user']['id']}", token=a["token"])
    assert r.status_code == 201
    assert r.get_json() == {"user": c["user"], "presence": "online"}
    # Idempotent: the second time is a 200 and changes nothing.
    r = api.put(f"/api/v1/contacts/{c['user']['id']}", token=a["token"])
    assert r.status_code == 200
    assert r.get_json()["user"] == c["user"]
    assert api.put(f"/api/v1/contacts/{b['user']['id']}", token=a["token"]).status_code == 201

    assert contacts(api, a) == [
        {"user": b["user"], "presence": "offline"},
        {"user": c["user"], "presence": "online"},
    ]
    # One-way, like an address book.
    assert contacts(api, b) == []

    r = api.delete(f"/api/v1/contacts/{b['user']['id']}", token=a["token"])
    assert r.status_code == 204
    assert r.get_data() == b"" and "Content-Type" not in r.headers
    assert api.delete(f"/api/v1/contacts/{b['user']['id']}", token=a["token"]).status_code == 204
    assert [x["user"]["id"] for x in contacts(api, a)] == [c["user"]["id"]]


def test_only_people_sharing_a_workspace_can_be_added(api: Api) -> None:
    a = api.user("ann")
    b = api.user("ben")
    stranger = api.user("sam")
    api.workspace(a, b)
    api.workspace(stranger)
    r = api.put(f"/api/v1/contacts/{stranger['user']['id']}", token=a["token"])
    made_up = api.put("/api/v1/contacts/987654321", token=a["token"])
    assert r.status_code == made_up.status_code == 404
    assert r.get_json() == made_up.get_json()
    assert contacts(api, a) == []
    # Removing someone who never was a contact is fine too.
    assert (
        api.delete(f"/api/v1/contacts/{stranger['user']['id']}", token=a["token"]).status_code
        == 204
    )


def test_you_cannot_be_your_own_contact(api: Api) -> None:
    a = api.user("ann")
    api.workspace(a)
    r = api.put(f"/api/v1/contacts/{a['user']['id']}", token=a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "self_contact"


def test_contact_ids_are_validated_and_a_token_is_needed(api: Api) -> None:
    a = api.user("ann")
    r = api.put("/api/v1/contacts/ann", token=a["token"])
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_type"
    assert api.get("/api/v1/contacts").status_code == 401
    assert api.put(f"/api/v1/contacts/{a['user']['id']}").status_code == 401
