"""Engines for the directory and the shards, and the unit of work that spans them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


def make_engine(url: str, pool_size: int = 10) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            pool_size=pool_size,
            max_overflow=20,
        )
        _sqlite_pragmas(engine)
        return engine
    return create_engine(
        url,
        pool_size=pool_size,
        max_overflow=20,
        pool_pre_ping=True,
        pool_recycle=3600,
        isolation_level="READ COMMITTED",
        connect_args={"charset": "utf8mb4"},
    )


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control so BEGIN IMMEDIATE can be issued below.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # SQLite has no row locks: the write lock taken up front serialises appends,
        # so commit order equals sequence order, and a read-then-write never fails
        # with SQLITE_BUSY on lock upgrade.
        conn.exec_driver_sql("BEGIN IMMEDIATE")


class Databases:
    """The directory engine and one engine per shard, each with a session factory."""

    def __init__(self, directory_url: str, shard_urls: tuple[str, ...] | list[str]) -> None:
        if not shard_urls:
            raise ValueError("at least one shard is required")
        self.directory_url = directory_url
        self.shard_urls = list(shard_urls)
        self.directory_engine = make_engine(directory_url)
        self.shard_engines = [make_engine(u) for u in self.shard_urls]
        self._directory_sessions = sessionmaker(self.directory_engine, expire_on_commit=False)
        self._shard_sessions = [sessionmaker(e, expire_on_commit=False) for e in self.shard_engines]
        # SQLite locks whole files: every transaction takes the directory's write lock
        # before any shard's, so two transactions can never wait on each other.
        self.directory_first = self.directory_engine.dialect.name == "sqlite"

    @property
    def shard_count(self) -> int:
        return len(self.shard_engines)

    def directory_session(self) -> Session:
        return self._directory_sessions()

    def shard_session(self, shard: int) -> Session:
        return self._shard_sessions[shard]()

    @contextmanager
    def transaction(self, rt: Any = None) -> Iterator[Tx]:
        tx = Tx(self, rt)
        try:
            yield tx
        except BaseException:
            tx.rollback()
            raise
        tx.commit()

    def dispose(self) -> None:
        self.directory_engine.dispose()
        for e in self.shard_engines:
            e.dispose()


class Tx:
    """One request's sessions, opened lazily, and the side effects that wait for commit.

    Shards commit before the directory: a shard row without its directory row is
    invisible and harmless, the reverse would point at nothing.
    """

    def __init__(self, dbs: Databases, rt: Any = None) -> None:
        self.dbs = dbs
        # The runtime (ids, settings, bus, jobs) for services that need it; None in
        # store-only scripts.
        self.rt = rt
        # Live events and jobs caused by this transaction, sent only after commit.
        self.events: list[dict[str, Any]] = []
        self.jobs: list[tuple[str, dict[str, Any]]] = []
        self._directory: Session | None = None
        self._shards: dict[int, Session] = {}
        self._after_commit: list[Callable[[], None]] = []
        self.done = False

    @property
    def directory(self) -> Session:
        if self._directory is None:
            self._directory = self.dbs.directory_session()
        return self._directory

    def shard(self, shard: int) -> Session:
        session = self._shards.get(shard)
        if session is None:
            if self.dbs.directory_first:
                self.directory.connection()  # begins the directory transaction now
            session = self.dbs.shard_session(shard)
            self._shards[shard] = session
        return session

    def after_commit(self, fn: Callable[[], None]) -> None:
        self._after_commit.append(fn)

    def publish(self, envelope: dict[str, Any]) -> None:
        """Queue a live event (see teamchat.realtime.events) for after commit."""
        self.events.append(envelope)

    def enqueue(self, name: str, **kwargs: Any) -> None:
        """Queue a background job for after commit; duplicates are sent once."""
        if (name, kwargs) not in self.jobs:
            self.jobs.append((name, kwargs))

    def commit(self) -> None:
        try:
            for shard in sorted(self._shards):
                self._shards[shard].commit()
            if self._directory is not None:
                self._directory.commit()
        except BaseException:
            self.rollback()
            raise
        finally:
            self._close()
        self.done = True
        if self.rt is not None:
            self._after_commit.insert(0, self._flush_side_effects)
        for fn in self._after_commit:
            try:
                fn()
            except Exception:  # a side effect must never undo or fail a committed change
                log.exception("after-commit hook failed")

    def _flush_side_effects(self) -> None:
        for envelope in self.events:
            try:
                self.rt.bus.publish(envelope)
            except Exception:  # live delivery is best effort; resume fills gaps
                log.exception("publishing an event failed")
        for name, kwargs in self.jobs:
            self.rt.jobs.enqueue(name, **kwargs)

    def rollback(self) -> None:
        for session in [*self._shards.values(), self._directory]:
            if session is not None:
                try:
                    session.rollback()
                except Exception:
                    log.exception("rollback failed")
        self._close()
        self._after_commit.clear()
        self.events.clear()
        self.jobs.clear()

    def _close(self) -> None:
        for session in [*self._shards.values(), self._directory]:
            if session is not None:
                session.close()
        self._shards = {}
        self._directory = None
