"""Search latency over 1,000,000 messages: Elasticsearch (our `search` library, as the
app calls it) and MariaDB FULLTEXT side by side, on the same rows, same query mix,
same channel-permission filter; and mention search (the app's SQL on `mentions`).

The IRC corpus is repeated to 1,000,000 messages (bench/corpus.py) over 100 channels;
the searcher may read 60 of them, passed to both engines as a list of channel ids.
Elasticsearch gets the documents through the library's bulk path
(`ElasticsearchEngine.index`); MariaDB gets the same rows in the app's shard tables
(`messages`, `mentions`, `hides`) in database `teamchat_bench_search`, plus a FULLTEXT
index on messages.text. Both are kept between runs when their counts are right
(`--rebuild` starts over). Queries run interleaved, one engine then the other.

What is timed: for Elasticsearch, parse_query + Filters + engine.search (ids of the
newest 20 and the total, as the app asks); for MariaDB, one SELECT of the newest 20
ids and the total (MATCH ... AGAINST in BOOLEAN MODE, `channel_id IN (...)`). The
app's own steps after that (hydrating 20 rows by id from the shards) are the same
for both and are not included. Mention search runs the app's query function
(teamchat.store.search.mention_page) on the same 1,000,000 rows.

    python bench/search.py [--repeats 20] [--rebuild] [--docs 1000000]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

import common
import requests
from corpus import CHANNELS, WORKSPACE_ID, Corpus, Row
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import Engine

PREFIX = "bench-search-"
SQL_DB = "teamchat_bench_search"
SQL_URL = f"{common.MYSQL}/{SQL_DB}?charset=utf8mb4"
READABLE = list(range(1, 61))  # channel ids the searcher may read
TARGET_P99 = 0.050
BATCH = 2000


@dataclass(frozen=True)
class Query:
    kind: str
    q: str  # the app's query language
    boolean: str  # the same words for MATCH ... AGAINST (... IN BOOLEAN MODE)


MIX = (
    Query("one word, frequent", "ubuntu", "+ubuntu"),
    Query("one word", "grub", "+grub"),
    Query("one word, rare", "ndiswrapper", "+ndiswrapper"),
    Query("two words", "sound card", "+sound +card"),
    Query("phrase", '"apt-get install"', '+"apt-get install"'),
    Query("prefix", "partit*", "+partit*"),
    Query("word -exclude", "wireless -ndiswrapper", "+wireless -ndiswrapper"),
    Query("from: filter", "from:dr_willis install", "+install"),
    Query("in: filter", "in:c7 nvidia", "+nvidia"),
    Query("dates filter", "after:2007-01-01 before:2008-01-01 kernel", "+kernel"),
)


# -- building the Elasticsearch index ------------------------------------------------

_engine: Any = None


def _index_batch(rows: list[Row]) -> int:
    """In a pool process: the library's bulk path, as the indexer calls it."""
    global _engine
    from search import Document
    from search.es_engine import ElasticsearchEngine
    from teamchat.services.indexing import has_link

    if _engine is None:
        _engine = ElasticsearchEngine(common.ES_URL, prefix=PREFIX, request_timeout=120)
    docs = [
        Document(
            message_id=r.id,
            channel_id=r.channel_id,
            workspace_id=WORKSPACE_ID,
            author_id=r.author_id,
            text=r.text,
            created_at_ms=r.created_at,
            has_link=has_link(r.text),
            mention_user_ids=[r.mentioned] if r.mentioned else [],
            version=1,
        )
        for r in rows
    ]
    _engine.index(docs)
    return len(docs)


def es_count() -> int:
    r = requests.get(f"{common.ES_URL}/{PREFIX}messages/_count", timeout=60)
    return int(r.json()["count"]) if r.status_code == 200 else -1


def build_es(corpus: Corpus, total: int, rebuild: bool) -> str:
    from search.es_engine import ElasticsearchEngine

    if not rebuild and es_count() == total:
        return f"Elasticsearch: kept the existing {PREFIX}messages ({total} documents)"
    common.drop_es_indexes(PREFIX)
    engine = ElasticsearchEngine(common.ES_URL, prefix=PREFIX)
    engine.ensure_index()
    live = engine.live_index()
    es = engine.client
    # Bulk loading: no refreshes until the end (the app's index keeps ES's default).
    es.indices.put_settings(index=live, settings={"index": {"refresh_interval": "-1"}})
    t0 = time.perf_counter()
    batches: list[list[Row]] = []
    batch: list[Row] = []
    for row in corpus.rows(total):
        batch.append(row)
        if len(batch) == BATCH:
            batches.append(batch)
            batch = []
    if batch:
        batches.append(batch)
    done = 0
    with multiprocessing.get_context("fork").Pool(2) as pool:
        for n in pool.imap_unordered(_index_batch, batches):
            done += n
            if done % 100_000 < BATCH:
                print(f"  es: {done} indexed", flush=True)
    es.indices.put_settings(index=live, settings={"index": {"refresh_interval": None}})
    es.indices.refresh(index=live)
    elapsed = time.perf_counter() - t0
    engine.close()
    return (
        f"Elasticsearch: built {PREFIX}messages, {done} documents in {elapsed:.0f} s "
        f"({done / elapsed:.0f} docs/s through ElasticsearchEngine.index, 2 processes)"
    )


# -- building the MariaDB table ------------------------------------------------------


def sql_engine() -> Engine:
    import pymysql

    conn = pymysql.connect(host="127.0.0.1", user="teamchat", password="teamchat")
    with conn.cursor() as cur:
        cur.execute(
            f"CREATE DATABASE IF NOT EXISTS `{SQL_DB}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        )
    conn.close()
    return create_engine(SQL_URL, pool_size=2)


def sql_ready(engine: Engine, total: int) -> bool:
    with engine.connect() as conn:
        has = conn.execute(
            text(
                "SELECT COUNT(*) FROM information_schema.statistics WHERE table_schema = :db "
                "AND table_name = 'messages' AND index_type = 'FULLTEXT'"
            ),
            {"db": SQL_DB},
        ).scalar()
        if not has:
            return False
        return int(conn.execute(text("SELECT COUNT(*) FROM messages")).scalar() or 0) == total


def build_sql(engine: Engine, corpus: Corpus, total: int, rebuild: bool) -> str:
    from teamchat.models import Hide, Mention, Message, ShardBase

    if not rebuild and sql_ready(engine, total):
        return f"MariaDB: kept the existing {SQL_DB}.messages ({total} rows, FULLTEXT index)"
    tables = [Message.__table__, Mention.__table__, Hide.__table__]
    ShardBase.metadata.drop_all(engine, tables=tables)  # type: ignore[arg-type]
    ShardBase.metadata.create_all(engine, tables=tables)  # type: ignore[arg-type]
    t0 = time.perf_counter()
    messages: list[dict[str, Any]] = []
    mentions: list[dict[str, Any]] = []

    def flush() -> None:
        with engine.begin() as conn:
            conn.execute(insert(Message.__table__), messages)
            if mentions:
                conn.execute(insert(Mention.__table__), mentions)
        messages.clear()
        mentions.clear()

    done = 0
    for r in corpus.rows(total):
        spans = []
        if r.mentioned:
            spans = [{"kind": "user", "user_id": str(r.mentioned), "start": 0, "end": 1}]
            mentions.append(
                {
                    "message_id": r.id,
                    "user_id": r.mentioned,
                    "channel_id": r.channel_id,
                    "seq": r.seq,
                    "kind": "user",
                    "created_at": r.created_at,
                }
            )
        messages.append(
            {
                "id": r.id,
                "channel_id": r.channel_id,
                "seq": r.seq,
                "author_id": r.author_id,
                "kind": r.kind,
                "text": r.text,
                "created_at": r.created_at,
                "edited_at": None,
                "deleted_at": None,
                "thread_root_id": None,
                "reply_count": 0,
                "last_reply_at": None,
                "client_msg_id": None,
                "mentions_json": json.dumps(spans),
                "version": 1,
            }
        )
        done += 1
        if len(messages) == 10_000:
            flush()
            if done % 100_000 == 0:
                print(f"  mariadb: {done} rows", flush=True)
    if messages:
        flush()
    loaded = time.perf_counter() - t0
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE messages ADD FULLTEXT INDEX ft_messages_text (text)"))
        conn.execute(text("ANALYZE TABLE messages, mentions"))
    elapsed = time.perf_counter() - t0
    return (
        f"MariaDB: built {SQL_DB}.messages, {done} rows in {loaded:.0f} s, then the FULLTEXT "
        f"index in {elapsed - loaded:.0f} s"
    )


# -- the workload --------------------------------------------------------------------


class Engines:
    def __init__(self, corpus: Corpus, sql: Engine) -> None:
        from search.es_engine import ElasticsearchEngine

        self.corpus = corpus
        self.es = ElasticsearchEngine(common.ES_URL, prefix=PREFIX, request_timeout=60)
        self.sql = sql
        self.conn = sql.connect()

    def _filters(self, parsed: Any) -> Any:
        from search import Filters

        authors = [self.corpus.user_ids.get(r.name, -1) for r in parsed.from_users] or None
        channels = [int(r.name[1:]) for r in parsed.in_channels] or None
        return Filters.for_query(
            parsed, channel_ids=READABLE, author_ids=authors, in_channel_ids=channels
        )

    def search_es(self, q: Query) -> tuple[float, int]:
        from search import parse_query

        t0 = time.perf_counter()
        parsed = parse_query(q.q)
        result = self.es.search(parsed, self._filters(parsed), limit=20)
        return time.perf_counter() - t0, result.total

    def search_sql(self, q: Query) -> tuple[float, int]:
        from search import parse_query

        parsed = parse_query(q.q)  # for the filters only; not timed
        f = self._filters(parsed)
        where = [
            "MATCH(text) AGAINST(:q IN BOOLEAN MODE)",
            f"channel_id IN ({','.join(str(int(c)) for c in f.channel_ids)})",
            "deleted_at IS NULL",
        ]
        if f.in_channel_ids is not None:
            where.append(f"channel_id IN ({','.join(str(int(c)) for c in f.in_channel_ids)})")
        if f.author_ids is not None:
            where.append(f"author_id IN ({','.join(str(int(a)) for a in f.author_ids)})")
        if f.after_ms is not None:
            where.append(f"created_at >= {int(f.after_ms)}")
        if f.before_ms is not None:
            where.append(f"created_at < {int(f.before_ms)}")
        sql = (
            "SET STATEMENT max_statement_time=30 FOR "
            "SELECT id, COUNT(*) OVER () AS total FROM messages WHERE "
            + " AND ".join(where)
            + " ORDER BY created_at DESC, id DESC LIMIT 21"
        )
        t0 = time.perf_counter()
        rows = self.conn.execute(text(sql), {"q": q.boolean}).all()
        elapsed = time.perf_counter() - t0
        return elapsed, int(rows[0][1]) if rows else 0

    def close(self) -> None:
        self.conn.close()
        self.es.close()


def run_mix(engines: Engines, repeats: int) -> dict[str, dict[str, list[float]]]:
    times: dict[str, dict[str, list[float]]] = {q.kind: {"es": [], "sql": []} for q in MIX}
    totals: dict[str, dict[str, int]] = {q.kind: {} for q in MIX}
    for q in MIX:  # warm-up: each query once on each engine
        totals[q.kind]["es"] = engines.search_es(q)[1]
        totals[q.kind]["sql"] = engines.search_sql(q)[1]
    for _ in range(repeats):
        for q in MIX:
            times[q.kind]["es"].append(engines.search_es(q)[0])
            times[q.kind]["sql"].append(engines.search_sql(q)[0])
    for q in MIX:
        times[q.kind]["totals"] = [totals[q.kind]["es"], totals[q.kind]["sql"]]  # type: ignore[list-item]
    return times


def run_mentions(
    engine: Engine, corpus: Corpus, repeats: int
) -> list[tuple[str, list[float], int]]:
    """The app's mention query for the most-mentioned user and a typical one, first
    page and the page after it."""
    from sqlalchemy.orm import Session

    from teamchat.store.search import mention_page

    with engine.connect() as conn:
        readable = ",".join(str(c) for c in READABLE)
        rows = conn.execute(
            text(
                "SELECT user_id, COUNT(*) FROM mentions "
                f"WHERE channel_id IN ({readable}) GROUP BY user_id"
            )
        )
        counts = Counter({int(uid): int(n) for uid, n in rows.tuples()})
    ranked = [uid for uid, _ in counts.most_common()]
    users = [("most mentioned", ranked[0]), ("median mentioned", ranked[len(ranked) // 2])]
    out = []
    with Session(engine) as s:
        for label, uid in users:
            first = mention_page(s, uid, READABLE, None, 21)
            cursor = (first[-2][0], first[-2][1].id) if len(first) > 20 else None
            for page, before in (("page 1", None), ("page 2", cursor)):
                if page == "page 2" and before is None:
                    continue
                times = []
                for _ in range(repeats):
                    t0 = time.perf_counter()
                    got = mention_page(s, uid, READABLE, before, 21)
                    times.append(time.perf_counter() - t0)
                    s.expunge_all()
                out.append((f"{label} ({counts[uid]} mentions), {page}", times, len(got)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=20, help="runs of each query per engine")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the index and table")
    args = parser.parse_args()
    common.print_header(f"search: latency over {args.docs} messages, Elasticsearch vs MariaDB")
    print(common.IRC_ATTRIBUTION)
    corpus = Corpus.load()
    print(
        f"Corpus: {len(corpus.lines)} messages from {common.IRC_DIR}, repeated to {args.docs} "
        f"over {CHANNELS} channels; the searcher may read {len(READABLE)} channels\n"
    )
    sql = sql_engine()
    print(build_es(corpus, args.docs, args.rebuild), flush=True)
    print(build_sql(sql, corpus, args.docs, args.rebuild), flush=True)
    print(f"Index sizes: {sizes(sql)}\n", flush=True)
    engines = Engines(corpus, sql)
    try:
        times = run_mix(engines, args.repeats)
        mentions = run_mentions(sql, corpus, args.repeats * 2)
    finally:
        engines.close()
        sql.dispose()
    report(times, mentions, args)
    print(common.load_line("at end"))


def sizes(sql: Engine) -> str:
    r = requests.get(f"{common.ES_URL}/{PREFIX}messages/_stats/store", timeout=30).json()
    es_bytes = r["_all"]["primaries"]["store"]["size_in_bytes"]
    with sql.connect() as conn:
        data, index = conn.execute(
            text(
                "SELECT SUM(data_length), SUM(index_length) FROM information_schema.tables "
                "WHERE table_schema = :db AND table_name = 'messages'"
            ),
            {"db": SQL_DB},
        ).one()
    return (
        f"Elasticsearch {es_bytes / 2**20:.0f} MiB; MariaDB messages data {int(data) / 2**20:.0f} "
        f"MiB + indexes {int(index) / 2**20:.0f} MiB (FULLTEXT tables not counted by InnoDB)"
    )


def report(
    times: dict[str, dict[str, list[float]]],
    mentions: list[tuple[str, list[float], int]],
    args: argparse.Namespace,
) -> None:
    def f(values: list[float], p: float) -> str:
        return f"{common.percentile(values, p) * 1000:.1f}"

    print(f"## Query mix: {args.repeats} runs of each query on each engine\n")
    rows = []
    all_es: list[float] = []
    all_sql: list[float] = []
    for q in MIX:
        t = times[q.kind]
        all_es += t["es"]
        all_sql += t["sql"]
        es_total, sql_total = t["totals"]
        ratio = common.median(t["sql"]) / max(common.median(t["es"]), 1e-9)
        rows.append(
            (
                q.kind,
                f"`{q.q}`",
                f"{f(t['es'], 50)} / {f(t['es'], 99)}",
                f"{f(t['sql'], 50)} / {f(t['sql'], 99)}",
                f"{ratio:.1f}x",
                f"{int(es_total)} / {int(sql_total)}",
            )
        )
    ratio = common.median(all_sql) / max(common.median(all_es), 1e-9)
    rows.append(
        (
            "**whole mix**",
            "",
            f"**{f(all_es, 50)} / {f(all_es, 99)}**",
            f"**{f(all_sql, 50)} / {f(all_sql, 99)}**",
            f"{ratio:.1f}x",
            "",
        )
    )
    common.print_table(
        (
            "query",
            "text",
            "Elasticsearch p50 / p99 ms",
            "MariaDB FULLTEXT p50 / p99 ms",
            "p50 ratio",
            "matches ES / MariaDB",
        ),
        rows,
    )
    print(
        "\nMatches differ where the analysers do: ours keeps identifiers (apt-get) whole and "
        "split, folds accents and drops nothing; InnoDB splits on '-', skips words under 3 "
        "letters and its stopwords."
    )
    print(f"\n## Mention search (the app's SQL, mention_page, {len(mentions[0][1])} runs each)\n")
    common.print_table(
        ("user and page", "p50 ms", "p99 ms", "rows"),
        [(label, f(t, 50), f(t, 99), n) for label, t, n in mentions],
    )
    print(f"\nTarget: search p99 < {TARGET_P99 * 1000:.0f} ms at 1,000,000 messages.")


if __name__ == "__main__":
    with common.services():
        sys.exit(main())
