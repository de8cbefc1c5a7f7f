"""Bring the directory and every shard up to the newest schema with Alembic."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def alembic_config(which: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS / which))
    return cfg


def upgrade_engine(engine: Engine, which: str, revision: str = "head") -> None:
    cfg = alembic_config(which)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def upgrade_all(dbs: object) -> None:
    from teamchat.store.db import Databases

    assert isinstance(dbs, Databases)
    upgrade_engine(dbs.directory_engine, "directory")
    for engine in dbs.shard_engines:
        upgrade_engine(engine, "shard")
