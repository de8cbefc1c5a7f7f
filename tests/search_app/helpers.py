"""Helpers for the search tests: drain the outbox, search through the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask

from teamchat.runtime import current_runtime
from teamchat.services import indexing
from teamchat.store import channels as channel_store
from teamchat.store import outbox
from tests.conftest import Api


def drain(app: Flask) -> int:
    """Run the indexing job as a worker would, then make its writes searchable."""
    with app.app_context():
        done = indexing.drain_outbox_job()
        current_runtime().search.refresh()
    return done


def pending(app: Flask) -> int:
    """Outbox rows left on all shards."""
    rt = app.extensions["teamchat"]
    total = 0
    for shard in range(rt.dbs.shard_count):
        with rt.dbs.shard_session(shard) as s:
            total += outbox.pending(s)
    return total


def search(api: Api, wid: str, who: dict[str, Any], q: str, **params: Any) -> Any:
    """The raw response of a search."""
    query = urlencode({"q": q, **params})
    return api.get(f"/api/v1/workspaces/{wid}/search?{query}", who["token"])


def found(api: Api, wid: str, who: dict[str, Any], q: str, **params: Any) -> list[str]:
    """Texts of the hits of a search that must succeed, in the order returned."""
    r = search(api, wid, who, q, **params)
    assert r.status_code == 200, r.get_json()
    return [h["message"]["text"] for h in r.get_json()["hits"]]


def channel_shard(app: Flask, cid: str) -> int:
    rt = app.extensions["teamchat"]
    with rt.dbs.directory_session() as s:
        channel = channel_store.get_channel(s, int(cid))
        assert channel is not None
        return channel.shard


def requeue(app: Flask, cid: str, message_ids: list[str]) -> None:
    """Queue messages for indexing again, as a replayed or duplicated job would."""
    rt = app.extensions["teamchat"]
    shard = channel_shard(app, cid)
    with rt.dbs.shard_session(shard) as s, s.begin():
        outbox.add_many(s, [(int(m), int(cid)) for m in message_ids])


def settings_env(app: Flask, **extra: str) -> dict[str, str]:
    """TEAMCHAT_* variables that give another process this app's databases and index."""
    s = app.extensions["teamchat"].settings
    env = {
        "TEAMCHAT_DATA_DIR": s.data_dir,
        "TEAMCHAT_DIRECTORY_URL": s.directory_url,
        "TEAMCHAT_SHARD_URLS": ",".join(s.shard_urls),
        "TEAMCHAT_SEARCH_BACKEND": s.search_backend,
        "TEAMCHAT_ELASTICSEARCH_URL": s.elasticsearch_url,
        "TEAMCHAT_SEARCH_INDEX_PREFIX": s.search_index_prefix,
        "TEAMCHAT_LOG_LEVEL": "WARNING",
    }
    env.update(extra)
    return env
