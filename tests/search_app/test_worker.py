"""The Celery side: task names match the jobs teamchat enqueues, and a real worker
process on the test Redis makes a posted message searchable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from indexer.celery_app import celery_init_app
from teamchat.jobs import job_functions
from tests.conftest import Api, need_env
from tests.search_app.helpers import search, settings_env

ROOT = Path(__file__).resolve().parents[2]


def test_tasks_are_named_like_the_jobs(tmp_path: Path) -> None:
    from teamchat import create_app
    from tests.conftest import test_settings

    app = create_app(
        test_settings(data_dir=str(tmp_path), broker_url="redis://127.0.0.1:1/0", node_id=1)
    )
    try:
        celery_app = celery_init_app(app)
        celery_app.loader.import_default_modules()
        names = {n for n in celery_app.tasks if not n.startswith("celery.")}
        assert names == set(job_functions())
        schedule = celery_app.conf.beat_schedule
        assert [e["task"] for e in schedule.values()] == ["index.sweep"]
        assert celery_app.conf.broker_url == "redis://127.0.0.1:1/0"
    finally:
        app.extensions["teamchat"].close()


@pytest.fixture
def broker_url() -> Iterator[str]:
    """A Redis database of the test server that no other run uses meanwhile: claimed
    with a key in db 0, so parallel runs get different queues."""
    import redis

    base = need_env("TEAMCHAT_TEST_REDIS_URL").rsplit("/", 1)[0]
    client = redis.Redis.from_url(f"{base}/0")
    token = uuid.uuid4().hex
    claimed = None
    for db in range(15, 0, -1):
        if client.set(f"teamchat-test:celery-db:{db}", token, nx=True, ex=600):
            claimed = db
            break
    if claimed is None:
        pytest.fail("no free Redis database for a Celery test queue")
    try:
        yield f"{base}/{claimed}"
    finally:
        if client.get(f"teamchat-test:celery-db:{claimed}") == token.encode():
            client.delete(f"teamchat-test:celery-db:{claimed}")
        client.close()


@pytest.fixture
def app_overrides(broker_url: str) -> dict[str, Any]:
    return {"broker_url": broker_url}


@pytest.fixture
def worker(app: Flask, broker_url: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMCHAT_")}
    env.update(settings_env(app, TEAMCHAT_BROKER_URL=broker_url))
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "indexer.worker",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "--hostname",
            f"test-{uuid.uuid4().hex[:8]}@localhost",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield proc
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


def wait_found(api: Api, wid: str, who: dict[str, Any], q: str, want: list[str]) -> bool:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        r = search(api, wid, who, q)
        if r.status_code == 200 and [h["message"]["text"] for h in r.get_json()["hits"]] == want:
            return True
        time.sleep(0.2)
    return False


@pytest.mark.parametrize("engine_kind", ["elasticsearch"])
def test_a_real_worker_indexes_posted_messages(
    api: Api, app: Flask, worker: subprocess.Popen[bytes], tmp_path: Path
) -> None:
    a = api.user()
    wid = api.workspace(a)
    cid = api.channel(wid, a, "general")["id"]
    # Posted while the worker may still be starting: the job waits in the queue.
    api.send(cid, a, "celery first")
    ok = wait_found(api, wid, a, "celery", ["celery first"])
    assert ok, (tmp_path / "worker.log").read_text()[-3000:]
    api.send(cid, a, "celery second")
    ok = wait_found(api, wid, a, "celery", ["celery second", "celery first"])
    assert ok, (tmp_path / "worker.log").read_text()[-3000:]
    assert worker.poll() is None
    log = (tmp_path / "worker.log").read_text()
    assert "index.drain_outbox" in log and "succeeded" in log
