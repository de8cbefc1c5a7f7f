"""Shared fixtures: an app per test on SQLite (fresh files) or MariaDB (emptied tables),
two shards in both, and a small API client that speaks the v1 contract."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from teamchat import create_app
from teamchat.config import Settings
from teamchat.models import DirectoryBase, ShardBase
from teamchat.store.db import Databases
from teamchat.store.migrate import upgrade_all

REQUIRE = os.environ.get("TEAMCHAT_TEST_REQUIRE_SERVICES") == "1"


def need_env(name: str) -> str:
    """A service URL from the test command's environment; without it the test fails
    under the test command and is skipped elsewhere."""
    value = os.environ.get(name, "")
    if not value:
        if REQUIRE:
            pytest.fail(f"{name} is not set; run the tests through scripts/test.sh")
        pytest.skip(f"{name} is not set (run scripts/test.sh for the real services)")
    return value


def test_settings(**overrides: Any) -> Settings:
    base = {
        "argon2_time_cost": 1,
        "argon2_memory_cost": 64,
        "start_background": False,
        "login_attempts_per_minute": 1000,
        "log_level": "WARNING",
    }
    base.update(overrides)
    return Settings(**base)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated SQLite files, made once and copied for each test."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    settings = Settings(data_dir=str(folder))
    dbs = Databases(settings.resolved_directory_url(), settings.resolved_shard_urls())
    upgrade_all(dbs)
    dbs.dispose()
    return folder


@pytest.fixture(scope="session")
def mysql_urls() -> tuple[str, tuple[str, ...]]:
    directory = need_env("TEAMCHAT_TEST_MYSQL_DIRECTORY_URL")
    shards = tuple(u for u in need_env("TEAMCHAT_TEST_MYSQL_SHARD_URLS").split(",") if u.strip())
    assert len(shards) >= 2, "the tests need at least two shards"
    dbs = Databases(directory, shards)
    upgrade_all(dbs)
    dbs.dispose()
    return directory, shards


def empty_mysql(directory: str, shards: tuple[str, ...]) -> None:
    dbs = Databases(directory, shards)
    try:
        for engine, meta in [(dbs.directory_engine, DirectoryBase.metadata)] + [
            (e, ShardBase.metadata) for e in dbs.shard_engines
        ]:
            with engine.begin() as conn:
                for table in meta.sorted_tables:
                    conn.execute(text(f"DELETE FROM {table.name}"))
    finally:
        dbs.dispose()


@pytest.fixture(params=["sqlite", "mysql"])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def storage_settings(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> dict[str, Any]:
    data_dir = tmp_path / "data"
    data_dir.mkdir(exist_ok=True)
    if backend == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        for f in template.glob("*.db"):
            shutil.copy(f, data_dir / f.name)
        return {"data_dir": str(data_dir)}
    directory, shards = request.getfixturevalue("mysql_urls")
    empty_mysql(directory, shards)
    return {"data_dir": str(data_dir), "directory_url": directory, "shard_urls": shards}


@pytest.fixture
def app(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Flask]:
    settings = test_settings(**storage_settings(backend, tmp_path, request))
    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    yield flask_app
    flask_app.extensions["teamchat"].close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """A thin client of the v1 API for tests: method(path, json=..., token=...)."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def call(
        self,
        method: str,
        path: str,
        json: Any = None,
        token: str | None = None,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        h = dict(headers or {})
        if token:
            h["Authorization"] = f"Bearer {token}"
        if data is not None:
            h.setdefault("Content-Type", "application/json")
            return self.client.open(path, method=method, data=data, headers=h)
        return self.client.open(path, method=method, json=json, headers=h)

    def get(self, path: str, token: str | None = None, **kw: Any) -> Any:
        return self.call("GET", path, token=token, **kw)

    def post(self, path: str, json: Any = None, token: str | None = None, **kw: Any) -> Any:
        return self.call("POST", path, json=json, token=token, **kw)

    def patch(self, path: str, json: Any = None, token: str | None = None, **kw: Any) -> Any:
        return self.call("PATCH", path, json=json, token=token, **kw)

    def put(self, path: str, json: Any = None, token: str | None = None, **kw: Any) -> Any:
        return self.call("PUT", path, json=json, token=token, **kw)

    def delete(self, path: str, token: str | None = None, **kw: Any) -> Any:
        return self.call("DELETE", path, token=token, **kw)

    # -- conveniences ----------------------------------------------------------------

    def user(self, username: str | None = None, display_name: str | None = None) -> dict[str, Any]:
        """Register a user; returns {user, token}."""
        name = username or f"u{uuid.uuid4().hex[:10]}"
        body: dict[str, Any] = {"username": name, "password": "correct horse"}
        if display_name:
            body["display_name"] = display_name
        r = self.post("/api/v1/auth/register", body)
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def workspace(self, owner: dict[str, Any], *members: dict[str, Any], name: str = "") -> str:
        r = self.post(
            "/api/v1/workspaces", {"name": name or f"ws-{uuid.uuid4().hex[:8]}"}, owner["token"]
        )
        assert r.status_code == 201, r.get_json()
        wid = r.get_json()["id"]
        for m in members:
            r = self.post(
                f"/api/v1/workspaces/{wid}/members",
                {"username": m["user"]["username"]},
                owner["token"],
            )
            assert r.status_code == 201, r.get_json()
        return wid

    def channel(
        self,
        wid: str,
        owner: dict[str, Any],
        name: str | None = None,
        private: bool = False,
        members: list[dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        body = {
            "name": name or f"c-{uuid.uuid4().hex[:8]}",
            "private": private,
            "member_ids": [m["user"]["id"] for m in members or []],
        }
        r = self.post(f"/api/v1/workspaces/{wid}/channels", body, owner["token"])
        assert r.status_code == 201, r.get_json()
        return r.get_json()

    def send(self, cid: str, who: dict[str, Any], text: str, **extra: Any) -> dict[str, Any]:
        r = self.post(f"/api/v1/channels/{cid}/messages", {"text": text, **extra}, who["token"])
        assert r.status_code in (200, 201), r.get_json()
        return r.get_json()


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)
