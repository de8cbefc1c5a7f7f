"""The embedded search engine: SQLite FTS5 through the standard library.

An "index" is a set of tables `{prefix}messages_vN_{docs,fts,mentions}`; the
table `{prefix}search_meta` plays the alias: key `live` names the index that
searches read, key `next` the index being rebuilt (written too, see
`search.engine`). Writes and alias changes are single SQLite transactions.

Threads: a file database gets one connection per thread (WAL lets readers run
beside the one writer); `:memory:` has a single connection behind a lock,
since separate connections would see separate databases.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from search.analysis import analyze
from search.cursor import decode_cursor, encode_cursor
from search.engine import Document, Filters, SearchResult, Sort, stored_rank
from search.errors import EngineError, QueryError
from search.local_query import filter_conditions, match_all, match_any, spell_all
from search.query import ParsedQuery

_PREFIX = re.compile(r"[a-z0-9_]*")
_DOC_COLUMNS = (
    "channel_id",
    "workspace_id",
    "author_id",
    "created_at_ms",
    "thread_root_id",
    "is_thread",
    "has_link",
    "has_reaction",
)


class LocalEngine:
    """SQLite FTS5 engine; `path` is a file or `:memory:`."""

    def __init__(self, path: str, *, prefix: str = "", busy_timeout_ms: int = 10_000) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError("prefix may hold only a-z, 0-9 and _")
        self._path = path
        self._prefix = prefix
        self._meta = f"{prefix}search_meta"
        self._name = re.compile(rf"{re.escape(prefix)}messages_v\d+")
        self._busy_timeout_ms = busy_timeout_ms
        self._lock = threading.RLock()
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._shared = self._open() if path == ":memory:" else None

    # -- connections -------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        conn = sqlite3.connect(
            self._path, isolation_level=None, check_same_thread=False, timeout=30
        )
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout_ms)}")
        if self._path != ":memory:":
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        with self._lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def _conn(self) -> Iterator[sqlite3.Connection]:
        if self._shared is not None:
            with self._lock:
                yield self._shared
            return
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
        yield conn

    @contextmanager
    def _tx(self, *, write: bool) -> Iterator[sqlite3.Connection]:
        """One transaction; IMMEDIATE for writes so two writers never deadlock on upgrade."""
        with self._conn() as conn:
            try:
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.Error as exc:
                raise EngineError(f"local search index unavailable: {exc}") from exc
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()

    # -- alias and index management ------------------------------------------------------------

    def _get(self, conn: sqlite3.Connection, key: str) -> str | None:
        row = conn.execute(f"SELECT value FROM {self._meta} WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set(self, conn: sqlite3.Connection, key: str, value: str | None) -> None:
        if value is None:
            conn.execute(f"DELETE FROM {self._meta} WHERE key = ?", (key,))
        else:
            conn.execute(
                f"INSERT INTO {self._meta}(key, value) VALUES (?, ?)"
                " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _check_name(self, conn: sqlite3.Connection, name: str) -> str:
        if not self._name.fullmatch(name):
            raise ValueError(f"not an index of this engine: {name!r}")
        row = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (f"{name}_docs",)
        ).fetchone()
        if row is None:
            raise ValueError(f"no such index: {name!r}")
        return name

    def _create_tables(self, conn: sqlite3.Connection) -> str:
        seq = int(self._get(conn, "seq") or 0) + 1
        self._set(conn, "seq", str(seq))
        t = f"{self._prefix}messages_v{seq}"
        conn.execute(
            f"CREATE TABLE {t}_docs (message_id INTEGER PRIMARY KEY, rank INTEGER NOT NULL,"
            " deleted INTEGER NOT NULL, channel_id INTEGER, workspace_id INTEGER,"
            " author_id INTEGER, created_at_ms INTEGER, thread_root_id INTEGER,"
            " is_thread INTEGER, has_link INTEGER, has_reaction INTEGER)"
        )
        conn.execute(f"CREATE INDEX {t}_docs_time ON {t}_docs(created_at_ms, message_id)")
        conn.execute(f"CREATE INDEX {t}_docs_channel ON {t}_docs(channel_id, created_at_ms)")
        conn.execute(
            f"CREATE TABLE {t}_mentions (user_id INTEGER NOT NULL, message_id INTEGER NOT NULL,"
            " PRIMARY KEY (user_id, message_id)) WITHOUT ROWID"
        )
        conn.execute(f"CREATE INDEX {t}_mentions_message ON {t}_mentions(message_id)")
        conn.execute(f"CREATE VIRTUAL TABLE {t}_fts USING fts5(body, extra, tokenize='ascii')")
        return t

    def _drop_tables(self, conn: sqlite3.Connection, name: str) -> None:
        for suffix in ("fts", "mentions", "docs"):
            conn.execute(f"DROP TABLE IF EXISTS {name}_{suffix}")

    def ensure_index(self) -> None:
        with self._tx(write=True) as conn:
            conn.execute(
                f"CREATE TABLE IF NOT EXISTS {self._meta} (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
            )
            if self._get(conn, "live") is None:
                self._set(conn, "live", self._create_tables(conn))

    def live_index(self) -> str:
        with self._tx(write=False) as conn:
            return self._live(conn)

    def _live(self, conn: sqlite3.Connection) -> str:
        try:
            live = self._get(conn, "live")
        except sqlite3.OperationalError:
            live = None
        if live is None:
            raise EngineError("search index missing: call ensure_index() first")
        return live

    def create_new_index(self) -> str:
        """A new empty index that every later index()/delete() also writes to, until swapped."""
        with self._tx(write=True) as conn:
            self._live(conn)
            name = self._create_tables(conn)
            old_next = self._get(conn, "next")
            if old_next is not None:
                self._drop_tables(conn, old_next)  # one rebuild at a time: the newest wins
            self._set(conn, "next", name)
            return name

    def swap_alias(self, name: str) -> None:
        """Point searches and writes at `name`, and drop the index it replaces."""
        with self._tx(write=True) as conn:
            self._check_name(conn, name)
            old = self._live(conn)
            self._set(conn, "live", name)
            if self._get(conn, "next") == name:
                self._set(conn, "next", None)
            if old != name:
                self._drop_tables(conn, old)

    def drop_index(self, name: str) -> None:
        with self._tx(write=True) as conn:
            self._check_name(conn, name)
            if self._live(conn) == name:
                raise ValueError("cannot drop the live index; swap to another first")
            if self._get(conn, "next") == name:
                self._set(conn, "next", None)
            self._drop_tables(conn, name)

    def _targets(self, conn: sqlite3.Connection, index_name: str | None) -> list[str]:
        if index_name is not None:
            return [self._check_name(conn, index_name)]
        targets = [self._live(conn)]
        nxt = self._get(conn, "next")
        if nxt is not None and nxt != targets[0]:
            targets.append(nxt)
        return targets

    # -- writes ----------------------------------------------------------------------------------

    def index(self, docs: list[Document], *, index_name: str | None = None) -> None:
        rows = []
        for doc in docs:
            analysis = analyze(doc.text)
            values = (
                doc.channel_id,
                doc.workspace_id,
                doc.author_id,
                doc.created_at_ms,
                doc.thread_root_id,
                int(doc.is_thread),
                int(doc.has_link),
                int(doc.has_reaction),
            )
            rank = stored_rank(doc.version, deleted=False)
            body, extra = analysis.body_string(), analysis.extra_string()
            rows.append((doc.message_id, rank, values, body, extra, doc.mention_user_ids))
        cols = ", ".join(_DOC_COLUMNS)
        marks = ", ".join("?" for _ in _DOC_COLUMNS)
        updates = ", ".join(f"{c} = excluded.{c}" for c in _DOC_COLUMNS)
        with self._tx(write=True) as conn:
            for t in self._targets(conn, index_name):
                for mid, rank, values, body, extra, mentions in rows:
                    cur = conn.execute(
                        f"INSERT INTO {t}_docs (message_id, rank, deleted, {cols})"
                        f" VALUES (?, ?, 0, {marks}) ON CONFLICT(message_id) DO UPDATE SET"
                        f" rank = excluded.rank, deleted = 0, {updates}"
                        f" WHERE excluded.rank >= {t}_docs.rank",
                        (mid, rank, *values),
                    )
                    if cur.rowcount == 0:
                        continue  # an equal or newer version is already there
                    self._clear_content(conn, t, mid)
                    conn.execute(
                        f"INSERT INTO {t}_fts (rowid, body, extra) VALUES (?, ?, ?)",
                        (mid, _spelled(body), _spelled(extra)),
                    )
                    conn.executemany(
                        f"INSERT OR IGNORE INTO {t}_mentions (user_id, message_id) VALUES (?, ?)",
                        [(uid, mid) for uid in mentions],
                    )

    def delete(self, items: list[tuple[int, int]], *, index_name: str | None = None) -> None:
        """Tombstone each (message_id, version): content gone, version kept to block old writes."""
        nulls = ", ".join(f"{c} = NULL" for c in _DOC_COLUMNS)
        with self._tx(write=True) as conn:
            for t in self._targets(conn, index_name):
                for mid, version in items:
                    rank = stored_rank(version, deleted=True)
                    cur = conn.execute(
                        f"INSERT INTO {t}_docs (message_id, rank, deleted) VALUES (?, ?, 1)"
                        f" ON CONFLICT(message_id) DO UPDATE SET rank = excluded.rank,"
                        f" deleted = 1, {nulls} WHERE excluded.rank >= {t}_docs.rank",
                        (mid, rank),
                    )
                    if cur.rowcount:
                        self._clear_content(conn, t, mid)

    @staticmethod
    def _clear_content(conn: sqlite3.Connection, t: str, mid: int) -> None:
        conn.execute(f"DELETE FROM {t}_fts WHERE rowid = ?", (mid,))
        conn.execute(f"DELETE FROM {t}_mentions WHERE message_id = ?", (mid,))

    # -- reads -----------------------------------------------------------------------------------

    def search(
        self,
        query: ParsedQuery,
        filters: Filters,
        limit: int,
        cursor: str | None = None,
        sort: Sort = "newest",
    ) -> SearchResult:
        if limit < 1:
            raise QueryError("limit must be at least 1")
        after = decode_cursor(cursor, sort) if cursor else None
        if filters.matches_nothing():
            return SearchResult([], 0, None)
        with self._tx(write=False) as conn:
            t = self._live(conn)
            where = filter_conditions(filters, f"{t}_mentions")
            source = f"{t}_docs d"
            score = "0.0"
            params: list[object] = []
            if query.include:
                match = match_all(query.include)
                if query.exclude:
                    match = f"({match}) NOT ({match_any(query.exclude)})"
                source = (
                    f"(SELECT rowid AS id, -bm25({t}_fts) AS score FROM {t}_fts"
                    f" WHERE {t}_fts MATCH ?) h JOIN {t}_docs d ON d.message_id = h.id"
                )
                score = "h.score"
                params.append(match)
            elif query.exclude:
                where.add(
                    f"d.message_id NOT IN (SELECT rowid FROM {t}_fts WHERE {t}_fts MATCH ?)",
                    match_any(query.exclude),
                )
            base = f"FROM {source} WHERE {where.text()}"
            base_params = [*params, *where.params]
            total = conn.execute(f"SELECT COUNT(*) {base}", base_params).fetchone()[0]
            key = "d.created_at_ms, d.message_id"
            if sort == "relevance":
                key = f"{score}, {key}"
            page_sql = f"SELECT {key} {base}"
            page_params = list(base_params)
            if after is not None:
                marks = ", ".join("?" for _ in after)
                page_sql += f" AND ({key}) < ({marks})"
                page_params.extend(after)
            order = ", ".join(f"{k.strip()} DESC" for k in key.split(","))
            page_sql += f" ORDER BY {order} LIMIT ?"
            page_params.append(limit + 1)
            rows = conn.execute(page_sql, page_params).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        next_cursor = encode_cursor(sort, tuple(rows[-1])) if more and rows else None
        return SearchResult([int(r[-1]) for r in rows], int(total), next_cursor)

    def health(self) -> bool:
        try:
            with self._tx(write=False) as conn:
                self._live(conn)
            return True
        except (EngineError, sqlite3.Error):
            return False

    def refresh(self) -> None:
        """Nothing to do: a committed SQLite write is visible at once."""


def _spelled(joined: str) -> str:
    return spell_all(joined.split(" ")) if joined else ""
