"""Live-event fixtures: two real server processes sharing one storage (SQLite files or
the MariaDB test databases) and one Redis, each with a Redis prefix of its own."""

from __future__ import annotations

import contextlib
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import create_engine, make_url, text

from teamchat.store.db import Databases
from teamchat.store.migrate import upgrade_all
from tests.conftest import need_env
from tests.realtime.live import Http, LiveServer, server_env, start_serve

# Short, so that the presence tests wait seconds, not minutes.
PRESENCE_TIMEOUT = 3


@dataclass
class Cluster:
    """Servers that share storage and Redis, as production processes behind a load
    balancer do."""

    servers: list[LiveServer]
    redis_url: str
    redis_prefix: str
    start_unheard: Callable[[], LiveServer]
    _unheard: LiveServer | None = None

    @property
    def a(self) -> LiveServer:
        return self.servers[0]

    @property
    def b(self) -> LiveServer:
        return self.servers[1]

    def http(self, i: int = 0) -> Http:
        return Http(self.servers[i].base_url)

    def unheard(self) -> LiveServer:
        """A server on the same storage whose live events nobody hears (its bus is
        another Redis channel): what it writes is in the channel logs, never live, as
        when a publish after commit fails."""
        if self._unheard is None:
            self._unheard = self.start_unheard()
        return self._unheard

    def publish_raw(self, envelope: dict[str, Any]) -> None:
        """Put an envelope on the event bus as a server does after commit: for frames
        that arrive late, twice or out of order, which real races make only now and then."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            client.publish(self.redis_prefix + "events", json.dumps(envelope))
        finally:
            client.close()


@pytest.fixture(scope="package", params=["sqlite", "mysql"])
def live_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _storage(backend: str, folder: Path, source: Any) -> dict[str, str]:
    if backend == "sqlite":
        for f in Path(source).glob("*.db"):
            shutil.copy(f, folder / f.name)
        return {"TEAMCHAT_DATA_DIR": str(folder)}
    directory, shards = source
    return {
        "TEAMCHAT_DATA_DIR": str(folder),
        "TEAMCHAT_DIRECTORY_URL": directory,
        "TEAMCHAT_SHARD_URLS": ",".join(shards),
    }


@contextlib.contextmanager
def own_mysql_databases() -> Iterator[tuple[str, tuple[str, ...]]]:
    """A directory and two shards of our own on the MariaDB test server, migrated, and
    dropped afterwards. Other test runs empty the shared test databases at every test,
    which would pull the rows from under servers that live for a whole package."""
    directory = need_env("TEAMCHAT_TEST_MYSQL_DIRECTORY_URL")
    shards = [u for u in need_env("TEAMCHAT_TEST_MYSQL_SHARD_URLS").split(",") if u.strip()]
    tag = uuid.uuid4().hex[:10]
    names = [f"teamchat_rt{tag}_directory"] + [f"teamchat_rt{tag}_shard{i}" for i in range(2)]
    urls = [
        make_url(u).set(database=n).render_as_string(hide_password=False)
        for u, n in zip([directory, shards[0], shards[-1]], names, strict=True)
    ]
    server = create_engine(make_url(directory).set(database=None))
    try:
        with server.begin() as conn:
            for name in names:
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        dbs = Databases(urls[0], urls[1:])
        upgrade_all(dbs)
        dbs.dispose()
        yield urls[0], tuple(urls[1:])
    finally:
        with server.begin() as conn:
            for name in names:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        server.dispose()


@pytest.fixture(scope="package")
def start_cluster(
    live_backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Cluster]]:
    """Starts n servers on one storage and one fresh Redis prefix, with settings."""
    redis_url = need_env("TEAMCHAT_TEST_REDIS_URL")
    started: list[LiveServer] = []
    stack = contextlib.ExitStack()
    # Migrated SQLite files to copy, or migrated MariaDB databases of our own.
    if live_backend == "sqlite":
        source: Any = request.getfixturevalue("sqlite_template")
    else:
        source = stack.enter_context(own_mysql_databases())

    def start(n: int = 2, **settings: Any) -> Cluster:
        folder = tmp_path_factory.mktemp(f"live-{live_backend}")
        storage = _storage(live_backend, folder, source)
        prefix = f"tctest:{uuid.uuid4().hex[:12]}:"
        settings.setdefault("presence_timeout_seconds", PRESENCE_TIMEOUT)
        env = server_env(storage, redis_url, prefix, **settings)
        servers = []
        for i in range(n):  # one by one: each runs the (idempotent) migrations at start
            servers.append(start_serve(env, folder / f"server{i}.log"))
            started.append(servers[-1])

        def start_unheard() -> LiveServer:
            # A node id of its own: its prefix does not share the others' counter.
            more = {**settings, "node_id": 1000}
            env = server_env(storage, redis_url, f"{prefix}unheard:", **more)
            started.append(start_serve(env, folder / "unheard.log"))
            return started[-1]

        return Cluster(servers, redis_url, prefix, start_unheard)

    try:
        yield start
    finally:
        for server in started:
            server.stop()
        stack.close()


@pytest.fixture(scope="package")
def cluster(start_cluster: Callable[..., Cluster]) -> Cluster:
    """Two servers for the tests that need nothing special."""
    return start_cluster(2)
