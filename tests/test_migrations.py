"""Alembic brings every database to the newest schema, idempotently, utf8mb4 on MariaDB."""

from __future__ import annotations

from sqlalchemy import inspect, text

from teamchat.models import DirectoryBase, ShardBase
from teamchat.store.db import Databases
from teamchat.store.migrate import upgrade_all
from tests.conftest import need_env


def _check(dbs: Databases) -> None:
    upgrade_all(dbs)
    upgrade_all(dbs)  # a second run changes nothing and does not fail
    names = set(inspect(dbs.directory_engine).get_table_names())
    assert {t.name for t in DirectoryBase.metadata.sorted_tables} <= names
    for engine in dbs.shard_engines:
        names = set(inspect(engine).get_table_names())
        assert {t.name for t in ShardBase.metadata.sorted_tables} <= names


def test_sqlite_upgrade(tmp_path) -> None:  # type: ignore[no-untyped-def]
    dbs = Databases(
        f"sqlite:///{tmp_path}/d.db", [f"sqlite:///{tmp_path}/s0.db", f"sqlite:///{tmp_path}/s1.db"]
    )
    try:
        _check(dbs)
    finally:
        dbs.dispose()


def test_mariadb_upgrade_and_charset() -> None:
    directory = need_env("TEAMCHAT_TEST_MYSQL_DIRECTORY_URL")
    shards = need_env("TEAMCHAT_TEST_MYSQL_SHARD_URLS").split(",")
    dbs = Databases(directory, shards)
    try:
        _check(dbs)
        with dbs.shard_engines[0].connect() as conn:
            collation = conn.execute(
                text(
                    "SELECT COLLATION_NAME FROM information_schema.COLUMNS "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME='messages' "
                    "AND COLUMN_NAME='text'"
                )
            ).scalar()
            assert collation == "utf8mb4_bin"
            assert conn.execute(text("SELECT @@character_set_connection")).scalar() == "utf8mb4"
    finally:
        dbs.dispose()
