"""The OpenAPI document covers every route the app serves, and its shapes are true."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

from teamchat.web.api.openapi import openapi_path
from tests.conftest import Api
from tests.core.test_messages import setup

IGNORED = {"HEAD", "OPTIONS"}


@pytest.fixture
def doc(api: Api) -> dict[str, Any]:
    r = api.get("/api/v1/openapi.json")  # no token: the description is public
    assert r.status_code == 200 and r.mimetype == "application/json"
    return r.get_json()


def served_rules(app: Flask) -> list[Any]:
    return [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/v1/") or r.rule in ("/healthz", "/readyz")
    ]


def test_document_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    assert doc["openapi"].startswith("3.1")
    validate(doc)


def test_every_served_route_is_documented(app: Flask, doc: dict[str, Any]) -> None:
    rules = served_rules(app)
    assert len(rules) > 20
    for rule in rules:
        path = openapi_path(rule.rule)
        assert path in doc["paths"], f"{rule.rule} is not documented"
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - IGNORED):
            op = doc["paths"][path].get(method.lower())
            assert op is not None, f"{method} {rule.rule} is not documented"
            doc_lines = (view.__doc__ or "").strip().splitlines()
            summary = doc_lines[0].strip() if doc_lines else rule.endpoint
            assert op["summary"] == summary, rule.rule
            # Path parameters are declared, one for each placeholder.
            declared = {p["name"] for p in op.get("parameters", []) if p["in"] == "path"}
            assert declared == set(re.findall(r"{([^}]+)}", path)), rule.rule
            # Bearer security exactly where the view demands a token.
            wants_token = bool(getattr(view, "auth_required", False))
            assert op["security"] == ([{"bearer": []}] if wants_token else []), rule.rule
            assert "4XX" in op["responses"]
    # And nothing is documented that is not served.
    served = {openapi_path(r.rule) for r in rules}
    assert set(doc["paths"]) == served
    assert doc["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}


def test_security_matches_reality(api: Api, doc: dict[str, Any]) -> None:
    """A documented bearer route answers 401 without a token; a public one does not."""
    op = doc["paths"]["/api/v1/channels/{cid}/messages"]["get"]
    assert op["security"] == [{"bearer": []}]
    assert api.get("/api/v1/channels/1/messages").status_code == 401
    assert doc["paths"]["/api/v1/auth/register"]["post"]["security"] == []
    assert doc["paths"]["/healthz"]["get"]["security"] == []


def test_the_socket_is_documented_with_its_token_and_upgrade(doc: dict[str, Any]) -> None:
    op = doc["paths"]["/api/v1/ws"]["get"]
    assert op["security"] == [{"bearer": []}]
    token = {"name": "token", "in": "query", "required": False, "schema": {"type": "string"}}
    assert op["parameters"] == [token]
    assert set(op["responses"]) == {"101", "4XX"}
    assert "a plain 401" in op["description"] and "4401" in op["description"]


def test_main_shapes_are_named(doc: dict[str, Any]) -> None:
    schemas = doc["components"]["schemas"]
    assert {"User", "Channel", "Message", "Error"} <= set(schemas)
    paths = doc["paths"]
    post = paths["/api/v1/channels/{cid}/messages"]["post"]
    body = post["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/PostMessage"}
    created = post["responses"]["201"]["content"]["application/json"]["schema"]
    assert created == {"$ref": "#/components/schemas/Message"}
    error = post["responses"]["4XX"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}
    assert "204" in paths["/api/v1/messages/{mid}"]["delete"]["responses"]
    scope = paths["/api/v1/messages/{mid}"]["delete"]["parameters"][-1]
    assert scope == {
        "name": "scope",
        "in": "query",
        "required": True,
        "schema": {"enum": ["me", "everyone"]},
    }


def checker(doc: dict[str, Any], name: str) -> Draft202012Validator:
    schema = {"$ref": f"#/components/schemas/{name}", "components": doc["components"]}
    return Draft202012Validator(schema)


def conforms(doc: dict[str, Any], name: str, value: Any) -> None:
    errors = [e.message for e in checker(doc, name).iter_errors(value)]
    assert errors == [], (name, errors)


def test_real_responses_match_the_documented_shapes(api: Api, doc: dict[str, Any]) -> None:
    (a, b), wid, cid = setup(api, "alice", "bob")
    m = api.send(cid, a, "hello @bob")
    api.put(f"/api/v1/messages/{m['id']}/reactions/{quote(':tada:')}", token=b["token"])
    reply = api.send(cid, b, "reply", thread_root_id=m["id"])
    conforms(doc, "Message", m)
    conforms(doc, "Message", reply)
    conforms(doc, "Message", api.get(f"/api/v1/messages/{m['id']}", a["token"]).get_json())
    conforms(doc, "MessagePage", api.get(f"/api/v1/channels/{cid}/messages", a["token"]).get_json())
    conforms(doc, "Thread", api.get(f"/api/v1/messages/{m['id']}/thread", a["token"]).get_json())
    r = api.put(f"/api/v1/messages/{m['id']}/reactions/{quote(chr(0x1F44D))}", token=a["token"])
    conforms(doc, "Reactions", r.get_json())
    r = api.post(f"/api/v1/channels/{cid}/read", {"seq": m["seq"]}, b["token"])
    conforms(doc, "ReadPointer", r.get_json())
    conforms(doc, "Channel", api.get(f"/api/v1/channels/{cid}", a["token"]).get_json())
    conforms(doc, "User", api.get("/api/v1/me", a["token"]).get_json())
    api.delete(f"/api/v1/messages/{reply['id']}?scope=everyone", b["token"])
    conforms(doc, "Message", api.get(f"/api/v1/messages/{reply['id']}", a["token"]).get_json())
    conforms(doc, "Error", api.get("/api/v1/messages/1", a["token"]).get_json())
    conforms(doc, "Error", api.get("/api/v1/channels/x/messages", a["token"]).get_json())
    # The checker is not a rubber stamp.
    assert not checker(doc, "Message").is_valid({**m, "id": 5})
    assert not checker(doc, "Error").is_valid({"error": "nope"})
