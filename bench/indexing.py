"""Indexing throughput: documents/s from the search outbox through Celery into
Elasticsearch, on the IRC corpus; then post-to-searchable lag under a steady send
load (bench/search_lag.py).

The corpus (by default its first 50 of 153 log files, a third of it, so that three
repeats fit in a few minutes) is imported with the product's IRC importer into
8 channels of one workspace, spread over both shards; the import writes a search
outbox row per message and no job runs yet. Then a Celery worker
(`celery -A indexer.worker worker`, prefork, 2 processes) is started, one
`index.drain_outbox` job per shard is enqueued, and the clock runs until both outboxes
are empty (rows go only once Elasticsearch has acknowledged their bulk writes). Each
repeat refills the outboxes and starts on a fresh index.

    python bench/indexing.py [--repeats 3] [--files 50] [--skip-lag]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

import common
import profiling
import requests
from sqlalchemy import create_engine, text

TARGET_DOCS_PER_S = 5000.0
CHANNELS = 8
PREFIX = "bench-index-"


def outbox_counts(engines: list) -> list[int]:  # type: ignore[type-arg]
    out = []
    for engine in engines:
        with engine.connect() as conn:
            out.append(int(conn.execute(text("SELECT COUNT(*) FROM search_outbox")).scalar()))
    return out


def refill_outboxes(engines: list) -> int:  # type: ignore[type-arg]
    """Every message needs indexing again, as after an import."""
    total = 0
    for engine in engines:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM search_outbox"))
            total += conn.execute(
                text(
                    "INSERT INTO search_outbox (message_id, channel_id, created_at) "
                    "SELECT id, channel_id, created_at FROM messages ORDER BY id"
                )
            ).rowcount
    return total


def es_count() -> int:
    requests.post(f"{common.ES_URL}/{PREFIX}messages/_refresh", timeout=60)
    body = requests.get(f"{common.ES_URL}/{PREFIX}messages/_count", timeout=60).json()
    return int(body.get("count", -1))


def import_corpus(files: list[Path]) -> tuple[int, float, dict[int, int]]:
    """Import the files into CHANNELS channels; returns (messages, seconds, shard -> channels)."""
    from teamchat import create_app
    from teamchat.config import Settings
    from teamchat.importers.irc import import_irc
    from teamchat.store import channels as channel_store

    settings = Settings.from_env(common.app_env(PREFIX, broker=False), start_background=False)
    app = create_app(settings)
    rt = app.extensions["teamchat"]
    messages = 0
    t0 = time.perf_counter()
    try:
        with app.app_context():
            for j in range(CHANNELS):
                part = files[j::CHANNELS]
                summary = import_irc(rt, part, "irc-bench", f"ubuntu-{j}")
                messages += summary.messages
            elapsed = time.perf_counter() - t0
            with rt.dbs.transaction(rt) as tx:
                ids = [c for (c,) in tx.directory.execute(text("SELECT id FROM channels"))]
                shards: dict[int, int] = {}
                for c in channel_store.get_channels(tx.directory, ids).values():
                    shards[c.shard] = shards.get(c.shard, 0) + 1
    finally:
        rt.close()
    return messages, elapsed, shards


def drain_once(engines: list, shards: list[int], docs: int, worker: common.CeleryWorker) -> float:  # type: ignore[type-arg]
    from celery import Celery

    sender = Celery("bench", broker=common.BROKER_URL)
    t0 = time.perf_counter()
    for shard in shards:
        sender.send_task("index.drain_outbox", kwargs={"shard": shard})
    deadline = t0 + max(300.0, docs / 200)
    while time.perf_counter() < deadline:
        if sum(outbox_counts(engines)) == 0:
            break
        if not worker.alive():
            raise RuntimeError(f"celery worker died:\n{worker.log_tail()}")
        time.sleep(0.1)
    else:
        raise RuntimeError(f"outboxes not drained in time: {outbox_counts(engines)}")
    elapsed = time.perf_counter() - t0
    sender.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--files", type=int, default=50, help="log files to import, 0 for all 153 (~197k messages)"
    )
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--skip-lag", action="store_true", help="do not run bench/search_lag.py")
    parser.add_argument("--profile", action="store_true", help="py-spy the worker in a repeat")
    args = parser.parse_args()

    common.print_header("indexing: outbox -> Celery -> Elasticsearch, documents/s")
    print(common.IRC_ATTRIBUTION)
    every = sorted(common.IRC_DIR.glob("*.log"))
    files = every[: args.files] if args.files else every
    print(f"Corpus: {len(files)} of {len(every)} log files, read in place from {common.IRC_DIR}\n")
    common.reset_databases()
    common.reset_redis()
    common.drop_es_indexes(PREFIX)
    docs, import_s, shard_channels = import_corpus(files)
    print(
        f"Set-up: imported {docs} messages into {CHANNELS} channels in {import_s:.0f} s "
        f"({docs / import_s:.0f} msg/s; channels per shard: {shard_channels})"
    )
    engines = [create_engine(u) for u in common.SHARD_URLS]
    shards = sorted(shard_channels)
    worker = common.CeleryWorker(
        common.app_env(PREFIX), concurrency=args.concurrency, name="celery-index"
    )
    runs: list[float] = []
    profile_path = None
    try:
        common.reset_redis()
        worker.start_and_wait()
        print(f"Worker: {worker.describe()}; broker {common.BROKER_URL}\n")
        # With --profile, one more run under py-spy, left out of the figures.
        for r in range(args.repeats + int(args.profile)):
            if r > 0:
                common.drop_es_indexes(PREFIX)
                refill_outboxes(engines)
            want_profile = r == args.repeats
            prof: list[Path | None] = []
            if want_profile:
                threading.Thread(
                    target=lambda out=prof: out.append(
                        profiling.record(worker.pid, 15, subprocesses=True)
                    ),
                    daemon=True,
                ).start()
            meter = common.CpuMeter(celery=worker.pid)
            meter.start()
            elapsed = drain_once(engines, shards, docs, worker)
            meter.stop()
            indexed = es_count()
            if not want_profile:
                runs.append(docs / elapsed)
            print(
                f"  {'profiled run' if want_profile else f'run {r + 1}'}: {docs} outbox rows drained in {elapsed:.1f} s = "
                f"{docs / elapsed:.0f} docs/s; {indexed} documents searchable; "
                f"CPU per 1,000 docs: {meter.per(docs, 1000)}",
                flush=True,
            )
            if want_profile:
                time.sleep(16)
                profile_path = prof[0] if prof else None
    finally:
        worker.stop()
        for e in engines:
            e.dispose()
    print()
    common.print_table(
        ("documents", "runs", "docs/s (median)", "docs/s (range)"),
        [(docs, len(runs), f"{common.median(runs):.0f}", f"{min(runs):.0f}–{max(runs):.0f}")],
    )
    print(f"\nTarget: >= {TARGET_DOCS_PER_S:.0f} docs/s.")
    if profile_path is not None:
        print("\n## Profile of the Celery worker processes during one drain (py-spy, 15 s)\n```")
        for line in profiling.summary(profile_path):
            print(line)
        print("```")
    if not args.skip_lag:
        lag()
    print(common.load_line("at end"))


def lag() -> None:
    script = common.REPO / "bench" / "search_lag.py"
    print("\n## Post-to-searchable lag (bench/search_lag.py)\n")
    if not script.exists():
        print("(bench/search_lag.py is not there yet: no lag figure)")
        return
    done = subprocess.run([sys.executable, str(script)], cwd=common.REPO, timeout=900)
    if done.returncode != 0:
        print(f"(bench/search_lag.py exited {done.returncode})")


if __name__ == "__main__":
    with common.services():
        sys.exit(main())
