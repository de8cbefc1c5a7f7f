"""The outbox drain (services/indexing.py) as plain functions, on both storage
backends and both engines: what it indexes, that it is idempotent, and that
overlapping drains and writes during a drain lose nothing."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask

from teamchat.runtime import current_runtime
from teamchat.services import indexing
from teamchat.services.shards import move_channel
from tests.conftest import Api
from tests.search_app.helpers import channel_shard, drain, found, pending, requeue, search


def setup_channel(api: Api) -> tuple[dict[str, Any], str, dict[str, Any]]:
    a = api.user()
    wid = api.workspace(a)
    ch = api.channel(wid, a, "general")
    return a, wid, ch


def test_posting_then_draining_makes_messages_findable(api: Api, app: Flask) -> None:
    a, wid, ch = setup_channel(api)
    api.send(ch["id"], a, "the quarterly budget spreadsheet")
    api.send(ch["id"], a, "lunch at noon?")
    assert pending(app) == 2
    assert found(api, wid, a, "budget") == []
    assert drain(app) == 2
    assert pending(app) == 0
    assert found(api, wid, a, "budget") == ["the quarterly budget spreadsheet"]
    assert found(api, wid, a, "lunch") == ["lunch at noon?"]


def test_draining_again_and_replaying_rows_changes_nothing(api: Api, app: Flask) -> None:
    a, wid, ch = setup_channel(api)
    m = api.send(ch["id"], a, "idempotent indexing of a message")
    assert drain(app) == 1
    assert drain(app) == 0
    # Replay: the same message queued twice more, as a retried job would leave it.
    requeue(app, ch["id"], [m["id"], m["id"]])
    assert pending(app) == 2
    assert drain(app) == 2
    r = search(api, wid, a, "idempotent").get_json()
    assert [h["message"]["id"] for h in r["hits"]] == [m["id"]]
    assert r["total"] == 1


def test_drain_of_one_shard_leaves_the_other(api: Api, app: Flask) -> None:
    a = api.user()
    wid = api.workspace(a)
    rt = app.extensions["teamchat"]
    # One channel on each shard, placed with the ops move (whatever the placement hash).
    by_shard = {}
    for shard in range(2):
        ch = api.channel(wid, a)
        move_channel(rt.dbs, int(ch["id"]), shard)
        by_shard[shard] = ch
    assert [channel_shard(app, by_shard[k]["id"]) for k in (0, 1)] == [0, 1]
    api.send(by_shard[0]["id"], a, "shardzero words")
    api.send(by_shard[1]["id"], a, "shardone words")
    with app.app_context():
        assert indexing.drain_outbox_job(shard=1) == 1
        current_runtime().search.refresh()
    assert found(api, wid, a, "words") == ["shardone words"]
    assert pending(app) == 1
    assert drain(app) == 1
    assert found(api, wid, a, "words") == ["shardone words", "shardzero words"]


def test_small_batches_drain_everything(api: Api, app: Flask) -> None:
    a, wid, ch = setup_channel(api)
    texts = [f"batchword number{i}" for i in range(11)]
    for t in texts:
        api.send(ch["id"], a, t)
    rt = app.extensions["teamchat"]
    with app.app_context():
        done = sum(indexing.drain_shard(rt, s, batch_size=3) for s in range(rt.dbs.shard_count))
        rt.search.refresh()
    assert done == 11
    assert pending(app) == 0
    assert found(api, wid, a, "batchword", limit=50) == list(reversed(texts))


def test_document_fields_drive_the_filters(api: Api, app: Flask) -> None:
    a = api.user()
    b = api.user()
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "general", members=[b])
    root = api.send(ch["id"], a, "plan for the offsite")
    api.send(ch["id"], b, "offsite reply in thread", thread_root_id=root["id"])
    api.send(ch["id"], a, f"offsite map https://maps.example.com/x and @{b['user']['username']}")
    api.send(ch["id"], b, "offsite plain")
    drain(app)
    assert found(api, wid, a, "offsite is:thread") == [
        "offsite reply in thread",
        "plan for the offsite",
    ]
    assert found(api, wid, a, "offsite has:link") == [
        f"offsite map https://maps.example.com/x and @{b['user']['username']}"
    ]
    assert found(api, wid, b, "offsite mentions:@me") == [
        f"offsite map https://maps.example.com/x and @{b['user']['username']}"
    ]
    assert found(api, wid, a, f"offsite from:@{b['user']['username']}") == [
        "offsite plain",
        "offsite reply in thread",
    ]


def test_has_link_follows_the_analyser() -> None:
    assert indexing.has_link("see https://example.com/a?b=c")
    assert indexing.has_link("www.example.org is up")
    assert not indexing.has_link("mail me at ana@example.com")
    assert not indexing.has_link("the file example.py")


def test_overlapping_drains_and_writes_lose_nothing(api: Api, app: Flask) -> None:
    a, wid, ch = setup_channel(api)
    stop = threading.Event()
    errors: list[BaseException] = []

    def drainer() -> None:
        try:
            while not stop.is_set():
                with app.app_context():
                    indexing.drain_outbox_job()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    workers = [threading.Thread(target=drainer) for _ in range(2)]
    for w in workers:
        w.start()
    try:
        texts = [f"overlap message{i}" for i in range(25)]
        for t in texts:
            api.send(ch["id"], a, t)
    finally:
        stop.set()
        for w in workers:
            w.join(30)
    assert errors == []
    drain(app)
    assert pending(app) == 0
    assert found(api, wid, a, "overlap", limit=100) == list(reversed(texts))
