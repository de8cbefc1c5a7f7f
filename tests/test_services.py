"""The Redis server and MariaDB databases the suite runs against are reachable
and set up as the app expects (utf8mb4 end to end).

Needs the TEAMCHAT_TEST_* variables printed by scripts/services.sh env.
Without them the tests are skipped, or fail when TEAMCHAT_TEST_REQUIRE_SERVICES=1.
"""

import os
import uuid
from urllib.parse import unquote, urlsplit

import pytest


def _service_url(var: str) -> str:
    url = os.environ.get(var)
    if url:
        return url
    message = f'{var} is not set (run scripts/test.sh, or: eval "$(scripts/services.sh env)")'
    if os.environ.get("TEAMCHAT_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " but TEAMCHAT_TEST_REQUIRE_SERVICES=1")
    pytest.skip(message)


def _mysql_urls() -> list[str]:
    directory = _service_url("TEAMCHAT_TEST_MYSQL_DIRECTORY_URL")
    shards = [u for u in _service_url("TEAMCHAT_TEST_MYSQL_SHARD_URLS").split(",") if u]
    return [directory, *shards]


def _connect(url: str):
    import pymysql

    parts = urlsplit(url)
    assert parts.scheme == "mysql+pymysql", url
    return pymysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        database=parts.path.lstrip("/"),
        charset="utf8mb4",
        connect_timeout=10,
    )


@pytest.mark.redis
def test_redis_set_get():
    import redis

    client = redis.Redis.from_url(_service_url("TEAMCHAT_TEST_REDIS_URL"), socket_timeout=10)
    key = f"teamchat:test:{uuid.uuid4().hex}"
    try:
        assert client.set(key, "héllo 🎉", ex=60)
        assert client.get(key).decode() == "héllo 🎉"
    finally:
        client.delete(key)
        client.close()


@pytest.mark.mysql
def test_mysql_test_databases_are_distinct_and_utf8mb4():
    urls = _mysql_urls()
    assert len(urls) >= 3, "a directory and at least two shards"
    names = []
    for url in urls:
        conn = _connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT DATABASE(), @@character_set_database, @@character_set_server")
                name, charset_db, charset_server = cur.fetchone()
                assert charset_db == "utf8mb4", (url, charset_db)
                assert charset_server == "utf8mb4", (url, charset_server)
                names.append(name)
                # A 4-byte character survives a round trip.
                cur.execute(
                    "CREATE TEMPORARY TABLE t_probe (s VARCHAR(16)) "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                )
                cur.execute("INSERT INTO t_probe VALUES (%s)", ("a🎉日",))
                cur.execute("SELECT s FROM t_probe")
                assert cur.fetchone()[0] == "a🎉日"
        finally:
            conn.close()
    assert len(set(names)) == len(names), names
