"""Accounts: registration rules, login per device, logout, tokens, rate limits."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from teamchat import create_app
from teamchat.ids import now_ms
from teamchat.models import DeviceSession, User
from teamchat.runtime import transaction
from teamchat.services.accounts import do_set_password, hash_token
from teamchat.store import users as user_store
from tests import conftest
from tests.conftest import Api

PASSWORD = "correct horse"


def register(api: Api, username: str, **extra: Any) -> Any:
    return api.post("/api/v1/auth/register", {"username": username, "password": PASSWORD, **extra})


def login(api: Api, username: str, password: str = PASSWORD, device: str = "") -> Any:
    body = {"username": username, "password": password, "device": device}
    return api.post("/api/v1/auth/login", body)


def test_register_returns_the_user_and_a_working_token(api: Api) -> None:
    r = register(api, "Alice")
    assert r.status_code == 201
    body = r.get_json()
    user = body["user"]
    assert user["username"] == "alice"
    assert user["display_name"] == "alice"
    assert isinstance(user["id"], str) and user["id"].isdigit()
    assert user["avatar_url"] == f"/api/v1/users/{user['id']}/avatar.svg"
    me = api.get("/api/v1/me", body["token"])
    assert me.status_code == 200
    assert me.get_json() == user


@pytest.mark.parametrize(
    "name",
    [
        "",
        "-dash",
        ".dot",
        "_under",
        "a" * 33,
        "two words",
        "alice\n",
        "tab\tname",
        "bell\x07",
        "esc\x1b[0m",
        "cr\rname",
        "del\x7f",
        "\u202ealice",  # right-to-left override
        "alice\u202e",
        "al\u2066ice",  # left-to-right isolate
        "al\u2069",
        "zero\u200bwidth",
        "line\u2028sep",
        "ålice",
        "\uff41lice",  # a fullwidth look-alike of "alice"
        "\u0131nfo",  # dotless i: no ASCII case folding of look-alikes
        "al@ice",
        "al+ice",
    ],
)
def test_usernames_outside_the_rules_are_refused(api: Api, name: str) -> None:
    r = register(api, name)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_username"


@pytest.mark.parametrize("name", ["a", "7", "a" * 32, "0day", "j.doe_x-1", "ends-with."])
def test_usernames_inside_the_rules_are_accepted(api: Api, name: str) -> None:
    r = register(api, name)
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["user"]["username"] == name


@pytest.mark.parametrize("name", ["channel", "all", "here", "everyone", "ALL", "Everyone"])
def test_mention_keywords_are_reserved(api: Api, name: str) -> None:
    r = register(api, name)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "username_reserved"


def test_usernames_are_unique_whatever_the_case(api: Api) -> None:
    assert register(api, "Bob").status_code == 201
    for name in ("bob", "BOB", "bOb"):
        r = register(api, name)
        assert r.status_code == 409
        assert r.get_json()["error"]["code"] == "username_taken"


def test_concurrent_registrations_of_one_name_give_one_201_and_409s(app: Flask) -> None:
    n = 8
    barrier = threading.Barrier(n)

    def attempt(i: int) -> int:
        api = Api(app.test_client())
        barrier.wait()
        return register(api, "Racer" if i % 2 else "racer").status_code

    with ThreadPoolExecutor(n) as pool:
        codes = list(pool.map(attempt, range(n)))
    assert sorted(codes) == [201] + [409] * (n - 1)
    with transaction(app.extensions["teamchat"]) as tx:
        rows = tx.directory.scalars(select(User).where(User.username == "racer")).all()
    assert len(rows) == 1


def test_weak_password_is_refused(api: Api) -> None:
    r = api.post("/api/v1/auth/register", {"username": "weak", "password": "short"})
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "weak_password"


@pytest.mark.parametrize(
    "display_name",
    ["\u202eevil", "a\u2066b", "line\nbreak", "bell\x07", "sep\u2028arator", "   "],
)
def test_display_names_with_controls_or_bidi_overrides_are_refused(
    api: Api, display_name: str
) -> None:
    r = register(api, "sneaky", display_name=display_name)
    assert r.status_code == 400
    assert r.get_json()["error"]["code"] == "invalid_display_name"
    assert login(api, "sneaky").status_code == 401  # nothing was half-written


@pytest.mark.parametrize("display_name", ["Zoë Ångström", "علي", "👩‍💻 Dev", "李小龍"])
def test_display_names_in_any_script_are_kept(api: Api, display_name: str) -> None:
    r = register(api, "intl", display_name=display_name)
    assert r.status_code == 201
    assert r.get_json()["user"]["display_name"] == display_name


def test_each_device_login_gets_its_own_token_and_logout_ends_only_that_one(api: Api) -> None:
    first = register(api, "carol").get_json()["token"]
    phone = login(api, "carol", device="phone")
    laptop = login(api, "CAROL", device="laptop")  # usernames are case-insensitive
    assert phone.status_code == 200 and laptop.status_code == 200
    assert phone.get_json()["user"]["username"] == "carol"
    tokens = [first, phone.get_json()["token"], laptop.get_json()["token"]]
    assert len(set(tokens)) == 3
    for token in tokens:
        assert api.get("/api/v1/me", token).status_code == 200

    out = api.post("/api/v1/auth/logout", token=tokens[1])
    assert out.status_code == 204
    # Empty: no body, and so no Content-Type.
    assert out.get_data() == b"" and "Content-Type" not in out.headers
    r = api.get("/api/v1/me", tokens[1])
    assert r.status_code == 401
    assert r.get_json()["error"]["code"] == "invalid_token"
    assert api.post("/api/v1/auth/logout", token=tokens[1]).status_code == 401
    assert api.get("/api/v1/me", tokens[0]).status_code == 200
    assert api.get("/api/v1/me", tokens[2]).status_code == 200


def test_tokens_are_stored_only_as_hashes(app: Flask, api: Api) -> None:
    token = register(api, "dave", device="desk").get_json()["token"]
    with transaction(app.extensions["teamchat"]) as tx:
        rows = tx.directory.scalars(select(DeviceSession)).all()
    assert [r.device for r in rows] == ["desk"]
    assert rows[0].token_hash == hash_token(token)
    assert token not in rows[0].token_hash


def test_wrong_password_and_unknown_user_get_the_same_answer(api: Api) -> None:
    register(api, "erin")
    wrong = login(api, "erin", "not the password")
    unknown = login(api, "nobody-here")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.get_json() == unknown.get_json()
    assert wrong.get_json()["error"]["code"] == "bad_credentials"


def test_requests_without_or_with_a_bad_token_are_401(api: Api) -> None:
    r = api.get("/api/v1/me")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "no_token"
    r = api.get("/api/v1/me", "tc_made-up")
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "invalid_token"


def test_an_imported_user_logs_in_only_once_a_password_is_set(app: Flask, api: Api) -> None:
    rt = app.extensions["teamchat"]
    with transaction(rt) as tx:
        user = User(
            id=rt.ids.next_id(),
            username="imported",
            display_name="From IRC",
            password_hash=None,
            created_at=now_ms(),
            is_active=True,
        )
        user_store.add_user(tx.directory, user)
        user_id = user.id
    for password in ("", PASSWORD):
        r = login(api, "imported", password)
        assert r.status_code == 401
        assert r.get_json()["error"]["code"] == "bad_credentials"
    with transaction(rt) as tx:
        do_set_password(tx, user_id, PASSWORD)
    r = login(api, "imported")
    assert r.status_code == 200
    assert r.get_json()["user"]["display_name"] == "From IRC"


# -- rate limits --------------------------------------------------------------------


@pytest.fixture
def strict_app(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    """An app allowing 3 login attempts per account per minute (and 30 per address)."""
    storage = conftest.storage_settings(backend, tmp_path, request)
    settings = conftest.test_settings(login_attempts_per_minute=3, **storage)
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["teamchat"].close()


def fresh_window() -> None:
    """Limits count per clock minute: start well inside one, so all attempts share it."""
    into = time.time() % 60
    if into > 50:
        time.sleep(60 - into + 0.1)


def test_login_attempts_per_account_are_limited_with_retry_after(strict_app: Flask) -> None:
    api = Api(strict_app.test_client())
    register(api, "frank")
    register(api, "grace")
    fresh_window()
    for _ in range(3):
        assert login(api, "frank", "guess").status_code == 401
    # The right password no longer helps within this minute.
    r = login(api, "FRANK")
    assert r.status_code == 429
    assert r.get_json()["error"]["code"] == "rate_limited"
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    # Another account from the same address is not locked out by frank's guesser.
    assert login(api, "grace").status_code == 200


def test_login_attempts_per_address_are_limited(strict_app: Flask) -> None:
    client = strict_app.test_client()
    Api(client).post("/api/v1/auth/register", {"username": "heidi", "password": PASSWORD})
    fresh_window()

    def attempt(username: str, addr: str, password: str = "guess") -> Any:
        body = {"username": username, "password": password}
        return client.post("/api/v1/auth/login", json=body, environ_base={"REMOTE_ADDR": addr})

    # A spray over many names from one address: 3 x 10 attempts, then 429.
    codes = [attempt(f"name{i}", "203.0.113.7").status_code for i in range(30)]
    assert codes == [401] * 30
    r = attempt("heidi", "203.0.113.7", PASSWORD)
    assert r.status_code == 429
    assert "Retry-After" in r.headers
    assert attempt("heidi", "198.51.100.1", PASSWORD).status_code == 200
