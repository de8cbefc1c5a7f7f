"""Outages: with the search node or the broker unreachable, posting still works and
nothing is lost; once they are back, the outbox drains and every post is found.

The search node is taken away with a loopback proxy in front of the shared test
node: cutting the proxy refuses new connections and drops open ones, as a dead node
would, without stopping the node that other tests use.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlparse

import pytest
from flask import Flask

from search.errors import EngineError
from teamchat.services import indexing
from tests.conftest import Api
from tests.search_app.helpers import drain, found, pending, search
from tests.search_app.proxy import TcpProxy


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def proxy(search_settings: dict[str, Any]) -> Iterator[TcpProxy]:
    target = urlparse(search_settings["elasticsearch_url"])
    p = TcpProxy(target.hostname or "127.0.0.1", target.port or 9200)
    p.start()
    yield p
    p.stop()


def through(proxy: TcpProxy, search_settings: dict[str, Any]) -> dict[str, Any]:
    return {**search_settings, "elasticsearch_url": proxy.url}


def setup(api: Api) -> tuple[dict[str, Any], str, str]:
    a = api.user()
    wid = api.workspace(a)
    return a, wid, api.channel(wid, a, "general")["id"]


@pytest.mark.parametrize("engine_kind", ["elasticsearch"])
class TestSearchNodeOutage:
    @pytest.fixture
    def app_overrides(self, proxy: TcpProxy, search_settings: dict[str, Any]) -> dict[str, Any]:
        return through(proxy, search_settings)

    def test_posts_during_an_outage_are_indexed_after_it(
        self, api: Api, app: Flask, proxy: TcpProxy
    ) -> None:
        a, wid, cid = setup(api)
        api.send(cid, a, "before the outage")
        assert drain(app) == 1
        proxy.stop()
        r = api.post(f"/api/v1/channels/{cid}/messages", {"text": "during the outage"}, a["token"])
        assert r.status_code == 201, r.get_json()
        api.send(cid, a, "still during the outage")
        with app.app_context(), pytest.raises(EngineError):
            indexing.drain_outbox_job()
        assert pending(app) == 2
        r = search(api, wid, a, "outage")
        assert r.status_code == 503, r.get_json()
        assert r.get_json()["error"]["code"] == "search_unavailable"
        assert api.get("/readyz").get_json()["down"] == ["search"]
        proxy.start()
        with app.app_context():
            assert indexing.sweep_job() == 2
        drain(app)
        assert pending(app) == 0
        assert found(api, wid, a, "outage") == [
            "still during the outage",
            "during the outage",
            "before the outage",
        ]

    def test_an_unreachable_node_at_startup(
        self, api: Api, app: Flask, proxy: TcpProxy, search_settings: dict[str, Any]
    ) -> None:
        """The engine is built on first use; an app that starts during an outage
        posts, answers 503 to searches, and indexes everything once the node is back."""
        proxy.stop()
        a, wid, cid = setup(api)
        api.send(cid, a, "posted before the node was ever reached")
        with app.app_context(), pytest.raises(EngineError):
            indexing.drain_outbox_job()
        assert search(api, wid, a, "node").status_code == 503
        proxy.start()
        drain(app)
        assert found(api, wid, a, "node") == ["posted before the node was ever reached"]


@pytest.mark.parametrize("engine_kind", ["elasticsearch"])
class TestJobThreadRetries:
    """The embedded default: the in-process job thread and its periodic sweep."""

    @pytest.fixture
    def app_overrides(self, proxy: TcpProxy, search_settings: dict[str, Any]) -> dict[str, Any]:
        return {
            **through(proxy, search_settings),
            "start_background": True,
            "outbox_sweep_seconds": 0.3,
        }

    def test_the_sweep_catches_up_after_an_outage(
        self, api: Api, app: Flask, proxy: TcpProxy
    ) -> None:
        rt = app.extensions["teamchat"]
        try:
            a, wid, cid = setup(api)
            api.send(cid, a, "indexed by the job thread")
            # The thread's first drain creates the index; until its shard is up a
            # search may get a 503, which is the right answer meanwhile.
            assert wait_for(
                lambda: answered(api, wid, a, "thread") == ["indexed by the job thread"]
            )
            proxy.stop()
            api.send(cid, a, "the thread retries this")
            rt.jobs.wait_idle(10)  # the drain job ran, failed, and left the row
            assert pending(app) == 1
            proxy.start()
            # No new post, so no new job: only the periodic sweep can index it.
            assert wait_for(lambda: pending(app) == 0)
            assert wait_for(
                lambda: (
                    found(api, wid, a, "thread")
                    == ["the thread retries this", "indexed by the job thread"]
                )
            )
        finally:
            rt.jobs.stop()


def answered(api: Api, wid: str, who: dict[str, Any], q: str) -> list[str] | None:
    """The hits' texts, or None while search answers 503."""
    r = search(api, wid, who, q)
    if r.status_code == 503:
        return None
    assert r.status_code == 200, r.get_json()
    return [h["message"]["text"] for h in r.get_json()["hits"]]


def wait_for(check: Any, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return bool(check())


@pytest.mark.parametrize("engine_kind", ["local"])
class TestBrokerOutage:
    @pytest.fixture
    def app_overrides(self) -> dict[str, Any]:
        # A Redis URL where nothing listens: every send to the broker fails.
        return {"broker_url": f"redis://127.0.0.1:{free_port()}/0"}

    def test_posting_works_and_the_sweep_catches_up(self, api: Api, app: Flask) -> None:
        a, wid, cid = setup(api)
        started = time.monotonic()
        for i in range(3):
            r = api.post(
                f"/api/v1/channels/{cid}/messages", {"text": f"broker{i} down"}, a["token"]
            )
            assert r.status_code == 201, r.get_json()
        # A failed send is logged, not waited on.
        assert time.monotonic() - started < 10
        assert pending(app) == 3
        assert found(api, wid, a, "down") == []
        # What beat runs every outbox_sweep_seconds once the broker is back.
        with app.app_context():
            assert indexing.sweep_job() == 3
        assert found(api, wid, a, "down") == ["broker2 down", "broker1 down", "broker0 down"]
