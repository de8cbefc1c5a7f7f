"""Live-event fixtures: two real server processes sharing one storage (SQLite files or
the MariaDB test databases) and one Redis, each with a Redis prefix of its own."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import empty_mysql, need_env
from tests.realtime.live import Http, LiveServer, server_env, start_serve

# Short, so that the presence tests wait seconds, not minutes.
PRESENCE_TIMEOUT = 3


@dataclass
class Cluster:
    """Servers that share storage and Redis, as production processes behind a load
    balancer do."""

    servers: list[LiveServer]

    @property
    def a(self) -> LiveServer:
        return self.servers[0]

    @property
    def b(self) -> LiveServer:
        return self.servers[1]

    def http(self, i: int = 0) -> Http:
        return Http(self.servers[i].base_url)


@pytest.fixture(scope="package", params=["sqlite", "mysql"])
def live_backend(request: pytest.FixtureRequest) -> str:
    return request.param


def _storage(backend: str, folder: Path, source: Any) -> dict[str, str]:
    if backend == "sqlite":
        for f in Path(source).glob("*.db"):
            shutil.copy(f, folder / f.name)
        return {"TEAMCHAT_DATA_DIR": str(folder)}
    directory, shards = source
    empty_mysql(directory, shards)
    return {
        "TEAMCHAT_DATA_DIR": str(folder),
        "TEAMCHAT_DIRECTORY_URL": directory,
        "TEAMCHAT_SHARD_URLS": ",".join(shards),
    }


@pytest.fixture(scope="package")
def start_cluster(
    live_backend: str, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[Callable[..., Cluster]]:
    """Starts n servers on one storage and one fresh Redis prefix, with settings."""
    redis_url = need_env("TEAMCHAT_TEST_REDIS_URL")
    # Migrated SQLite files to copy, or the migrated MariaDB test databases.
    source = request.getfixturevalue(
        "sqlite_template" if live_backend == "sqlite" else "mysql_urls"
    )
    started: list[LiveServer] = []

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
        return Cluster(servers)

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="package")
def cluster(start_cluster: Callable[..., Cluster]) -> Cluster:
    """Two servers for the tests that need nothing special."""
    return start_cluster(2)
