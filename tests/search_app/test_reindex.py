"""Full reindex while messages keep arriving, and the ops commands
`teamchat reindex` and `teamchat index drain`."""

from __future__ import annotations

import threading
from typing import Any

from click.testing import CliRunner
from flask import Flask

from teamchat.cli import main
from teamchat.services import indexing
from tests.conftest import Api
from tests.search_app.helpers import drain, found, pending, search, settings_env


def test_reindex_under_writes_loses_nothing(api: Api, app: Flask) -> None:
    a = api.user()
    wid = api.workspace(a)
    cid = api.channel(wid, a, "general")["id"]
    before = [api.send(cid, a, f"corpus old{i}")["id"] for i in range(30)]
    edited, deleted = before[3], before[4]
    drain(app)
    rt = app.extensions["teamchat"]
    writer_api = Api(app.test_client())
    during: list[str] = []
    errors: list[BaseException] = []
    started = threading.Event()

    def writer() -> None:
        try:
            started.wait(10)
            for i in range(25):
                during.append(writer_api.send(cid, a, f"corpus new{i}")["id"])
                if i == 5:
                    r = writer_api.patch(
                        f"/api/v1/messages/{edited}", {"text": "corpus rewritten"}, a["token"]
                    )
                    assert r.status_code == 200, r.get_json()
                if i == 10:
                    r = writer_api.delete(f"/api/v1/messages/{deleted}?scope=everyone", a["token"])
                    assert r.status_code in (200, 204), r.get_json()
                if i % 4 == 0:  # the indexer keeps draining meanwhile
                    with app.app_context():
                        indexing.drain_outbox_job()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    messages: list[str] = []

    def progress(line: str) -> None:
        messages.append(line)
        started.set()  # the new index exists: start writing

    with app.app_context():
        read = indexing.reindex(rt, batch_size=4, progress=progress)
    thread.join(60)
    assert errors == []
    assert read >= 30
    assert messages[0].startswith("building index")
    drain(app)
    assert pending(app) == 0
    expected = {m for m in before + during if m != deleted}
    hits: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 100}
        if cursor:
            params["cursor"] = cursor
        body = search(api, wid, a, "corpus", **params).get_json()
        hits += [h["message"]["id"] for h in body["hits"]]
        cursor = body["next_cursor"]
        if not cursor:
            break
    assert sorted(hits) == sorted(expected)
    assert body["total"] == len(expected)
    assert found(api, wid, a, "rewritten") == ["corpus rewritten"]
    assert found(api, wid, a, "old3") == []
    assert found(api, wid, a, "old4") == []


def test_reindex_rebuilds_a_lost_index(api: Api, app: Flask) -> None:
    """What reindex is for: an index that lost documents gets them all back."""
    a = api.user()
    wid = api.workspace(a)
    cid = api.channel(wid, a, "general")["id"]
    m = api.send(cid, a, "keeper of the flame")
    drain(app)
    engine = app.extensions["teamchat"].search
    engine.delete([(int(m["id"]), 10**6)])  # a stray tombstone hides it from the live index
    engine.refresh()
    assert found(api, wid, a, "flame") == []
    with app.app_context():
        indexing.reindex(app.extensions["teamchat"])
    engine.refresh()
    assert found(api, wid, a, "flame") == ["keeper of the flame"]


def test_cli_index_drain_and_reindex(api: Api, app: Flask) -> None:
    a = api.user()
    wid = api.workspace(a)
    cid = api.channel(wid, a, "general")["id"]
    for i in range(3):
        api.send(cid, a, f"clitest {i}")
    runner = CliRunner()
    env = settings_env(app)
    result = runner.invoke(main, ["index", "drain"], env=env)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "3 outbox row(s) indexed"
    app.extensions["teamchat"].search.refresh()
    assert found(api, wid, a, "clitest") == ["clitest 2", "clitest 1", "clitest 0"]
    api.send(cid, a, "clitest 3")
    result = runner.invoke(main, ["reindex", "--batch-size", "2"], env=env)
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("building index ")
    assert lines[-2].endswith("is live with 4 messages")
    assert lines[-1] == "then 1 pending outbox row(s) indexed"
    app.extensions["teamchat"].search.refresh()
    assert found(api, wid, a, "clitest") == ["clitest 3", "clitest 2", "clitest 1", "clitest 0"]
