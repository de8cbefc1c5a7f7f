"""Running the `teamchat` command against a test app's databases, and reading back
through the API."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from click.testing import CliRunner, Result
from flask import Flask

from teamchat.cli import main
from tests.conftest import REQUIRE, Api

REPO = Path(__file__).resolve().parents[2]


def irc_dir() -> Path:
    """The shared Ubuntu IRC logs, read in place (never copied into the project)."""
    return Path(
        os.environ.get("TEAMCHAT_IRC_DIR") or REPO.parent / "shared" / "data" / "irc" / "ubuntu"
    )


def irc_log(name: str) -> Path:
    path = irc_dir() / name
    if not path.is_file():
        if REQUIRE:
            pytest.fail(f"{path} is missing: the tests need the shared IRC logs")
        pytest.skip(f"{path} is missing (the shared IRC logs)")
    return path


def cli(app: Flask, *args: str, input: str | None = None) -> Result:
    """Run `teamchat ARGS` on the app's databases and search index; must succeed."""
    result = run_cli(app, *args, input=input)
    assert result.exit_code == 0, result.output
    return result


def run_cli(app: Flask, *args: str, input: str | None = None) -> Result:
    """Run `teamchat ARGS` on the app's databases and search index, success or not."""
    s = app.extensions["teamchat"].settings
    env = {
        "TEAMCHAT_DATA_DIR": s.data_dir,
        "TEAMCHAT_DIRECTORY_URL": s.directory_url,
        "TEAMCHAT_SHARD_URLS": ",".join(s.shard_urls),
        "TEAMCHAT_SEARCH_BACKEND": s.search_backend,
        "TEAMCHAT_SEARCH_INDEX_PREFIX": s.search_index_prefix,
        "TEAMCHAT_ARGON2_TIME_COST": str(s.argon2_time_cost),
        "TEAMCHAT_ARGON2_MEMORY_COST": str(s.argon2_memory_cost),
        "TEAMCHAT_LOG_LEVEL": "WARNING",
    }
    return CliRunner().invoke(main, list(args), env=env, input=input, catch_exceptions=False)


def login(api: Api, username: str, password: str) -> dict[str, Any]:
    r = api.post("/api/v1/auth/login", {"username": username, "password": password})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def all_messages(api: Api, cid: str, token: str) -> list[dict[str, Any]]:
    """The channel's whole top-level history, oldest first, paging forward by seq."""
    out: list[dict[str, Any]] = []
    after = 0
    while True:
        r = api.get(f"/api/v1/channels/{cid}/messages?after={after}&limit=200", token)
        assert r.status_code == 200, r.get_json()
        page = r.get_json()
        out += page["messages"]
        if not page["has_more_after"]:
            return out
        after = page["messages"][-1]["seq"]


def channel_by_name(api: Api, wid: str, name: str, token: str) -> dict[str, Any]:
    r = api.get(f"/api/v1/workspaces/{wid}/channels/public", token)
    assert r.status_code == 200, r.get_json()
    rows = r.get_json()["channels"]
    found = [c for c in rows if c["name"] == name]
    assert len(found) == 1, rows
    return found[0]


def search(api: Api, wid: str, q: str, token: str) -> list[dict[str, Any]]:
    query = urlencode({"q": q, "limit": 50})
    r = api.get(f"/api/v1/workspaces/{wid}/search?{query}", token)
    assert r.status_code == 200, r.get_json()
    return [h["message"] for h in r.get_json()["hits"]]
