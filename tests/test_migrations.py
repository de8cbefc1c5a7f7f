"""Alembic brings every database to the newest schema, idempotently, utf8mb4 on MariaDB."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, make_url, text
from sqlalchemy.exc import IntegrityError

from teamchat.models import DirectoryBase, ShardBase
from teamchat.store.db import Databases
from teamchat.store.migrate import upgrade_all, upgrade_engine
from tests.conftest import need_env

# The directory revision before workspace names became display names.
WORKSPACE_NAMES_UNIQUE = "2ed24913c991"


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


def _fresh_mysql_directory() -> tuple[str, Callable[[], None]]:
    """An empty directory database of our own on the MariaDB test server, and how to
    drop it: the shared test databases are at the newest schema already."""
    server = make_url(need_env("TEAMCHAT_TEST_MYSQL_DIRECTORY_URL"))
    name = f"teamchat_mig{uuid.uuid4().hex[:10]}"
    admin = create_engine(server.set(database=None))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()

    return server.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(params=["sqlite", "mysql"])
def empty_directory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path}/d.db")
        yield engine
        engine.dispose()
        return
    url, drop = _fresh_mysql_directory()
    engine = create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()
        drop()


WORKSPACE_ROWS = [
    {"id": 11, "name": "Acme", "key": "acme", "window": 0, "by": 1, "at": 1000},
    {"id": 12, "name": "Globex", "key": "globex", "window": 600, "by": 2, "at": 2000},
]


def test_workspace_names_stop_being_unique_and_rows_stay(empty_directory: Engine) -> None:
    upgrade_engine(empty_directory, "directory", WORKSPACE_NAMES_UNIQUE)
    insert = text(
        "INSERT INTO workspaces (id, name, name_key, recall_window_seconds, created_by,"
        " created_at) VALUES (:id, :name, :key, :window, :by, :at)"
    )
    with empty_directory.begin() as conn:
        for row in WORKSPACE_ROWS:
            conn.execute(insert, row)
        conn.execute(
            text(
                "INSERT INTO workspace_members (workspace_id, user_id, role, joined_at)"
                " VALUES (11, 1, 'admin', 1000)"
            )
        )
    # The previous schema refuses a second "Acme"; that is what the revision changes.
    with pytest.raises(IntegrityError), empty_directory.begin() as conn:
        conn.execute(insert, {**WORKSPACE_ROWS[0], "id": 13})

    upgrade_engine(empty_directory, "directory")

    with empty_directory.begin() as conn:
        rows = conn.execute(
            text(
                "SELECT id, name, name_key, recall_window_seconds, created_by, created_at"
                " FROM workspaces ORDER BY id"
            )
        ).all()
        assert [tuple(r) for r in rows] == [tuple(r.values()) for r in WORKSPACE_ROWS]
        member = conn.execute(text("SELECT workspace_id, user_id, role FROM workspace_members"))
        assert [tuple(r) for r in member] == [(11, 1, "admin")]
        conn.execute(insert, {**WORKSPACE_ROWS[0], "id": 13, "by": 3})
        same = conn.execute(text("SELECT id FROM workspaces WHERE name_key = 'acme' ORDER BY id"))
        assert [r[0] for r in same] == [11, 13]
    found = inspect(empty_directory)
    assert found.get_unique_constraints("workspaces") == []
    indexes = {i["name"]: i for i in found.get_indexes("workspaces")}
    assert indexes["ix_workspaces_name_key"]["column_names"] == ["name_key"]
    assert not indexes["ix_workspaces_name_key"]["unique"]


def test_models_and_migrations_agree(empty_directory: Engine) -> None:
    """The newest migration builds exactly the tables the models describe."""
    upgrade_engine(empty_directory, "directory")
    with empty_directory.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, DirectoryBase.metadata) == []
