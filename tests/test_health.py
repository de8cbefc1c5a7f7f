"""`teamchat serve` in an empty folder answers /healthz and names every part in /readyz."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from flask.testing import FlaskClient


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_in_empty_folder(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMCHAT_")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "teamchat.cli",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(tmp_path / "data"),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                r = requests.get(base + "/healthz", timeout=2)
                break
            except requests.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read().decode() if proc.stdout else ""
                    raise AssertionError(f"server did not start:\n{out}") from None
                time.sleep(0.2)
        assert r.status_code == 200 and r.json() == {"status": "ok"}
        r = requests.get(base + "/readyz", timeout=10)
        body = r.json()
        assert r.status_code == 200, body
        assert set(body["parts"]) == {"directory", "shard0", "shard1", "realtime", "jobs", "search"}
        assert all(p["status"] == "ok" for p in body["parts"].values())
        assert sorted(p.name for p in (tmp_path / "data").iterdir() if p.suffix == ".db") == [
            "directory.db",
            "search.db",
            "shard0.db",
            "shard1.db",
        ]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_readyz_names_a_down_part(client: FlaskClient, backend: str) -> None:
    rt = client.application.extensions["teamchat"]
    rt.dbs.shard_engines[1].dispose()
    # Point shard 1 at a database that cannot be opened.
    from teamchat.store.db import make_engine

    rt.dbs.shard_engines[1] = make_engine(
        "sqlite:////nonexistent-dir/x.db"
        if backend == "sqlite"
        else "mysql+pymysql://nobody:wrong@127.0.0.1:1/none?charset=utf8mb4"
    )
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 503
    assert body["down"] == ["shard1"] and body["parts"]["shard0"]["status"] == "ok"
