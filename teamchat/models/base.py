"""Declarative bases: one metadata for the directory database, one for every shard."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Integer, MetaData, String, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# utf8mb4 everywhere, binary collation so stored text compares exactly as sent.
MYSQL_TABLE: dict[str, Any] = {
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_bin",
    "mysql_engine": "InnoDB",
}

# Ids are snowflakes made by the app, never autoincrement.
Id = BigInteger
# An autoincrement key that SQLite also understands (it needs INTEGER PRIMARY KEY).
AutoId = BigInteger().with_variant(Integer, "sqlite")
# Message text is up to 16,000 code points: 64,000 bytes in utf8mb4, past MySQL TEXT.
LongText = Text().with_variant(mysql.MEDIUMTEXT(), "mysql", "mariadb")


def Name(length: int) -> String:  # noqa: N802 - reads like a type
    return String(length)


class DirectoryBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class ShardBase(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
