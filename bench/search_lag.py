"""Post-to-searchable lag: how long after a POST a message is found by search.

A gunicorn app and a Celery worker (`celery -A indexer.worker worker`, as in
production) run on the bench stack (MariaDB shards, Redis broker, Elasticsearch;
bench/common.py). One user posts into one channel at a steady rate through the API;
every post enqueues `index.drain_outbox`, the worker drains the outbox into
Elasticsearch with the bulk API, and Elasticsearch makes writes searchable at its
next refresh (1 s by default). A poller searches for the run's tag back to back and
notes when each message first appears.

Lag = first search response that holds the message - the moment its POST was sent.
It includes the POST itself, the queue, the drain, the ES refresh and up to one poll.

    python bench/search_lag.py [--rate 10] [--seconds 15] [--concurrency 2]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
import uuid

import common
import requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=10.0, help="posts per second")
    parser.add_argument("--seconds", type=float, default=15.0, help="how long to post")
    parser.add_argument("--concurrency", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--timeout", type=float, default=60.0, help="give up on a message after")
    args = parser.parse_args()

    common.print_header("Post-to-searchable lag")
    prefix = f"bench-lag-{uuid.uuid4().hex[:8]}-"
    with common.services():
        common.reset_databases()
        common.reset_redis()
        env = common.app_env(index_prefix=prefix)
        app = common.Gunicorn(env, worker_class=common.conf_worker_class(), threads=16)
        worker = common.CeleryWorker(env, concurrency=args.concurrency)
        try:
            app.start_and_wait()
            worker.start_and_wait()
            print(f"App: {app.describe()}")
            print(f"Indexer: {worker.describe()}")
            print(f"Load: {args.rate:g} posts/s for {args.seconds:g} s, one channel, one poster")
            lags, post_times, missing = run(app.url, args.rate, args.seconds, args.timeout)
        finally:
            worker.stop()
            app.stop()
            common.drop_es_indexes(prefix)
    report(lags, post_times, missing)
    print(common.load_line("at end"))
    return 1 if missing or not lags else 0


def run(
    base: str, rate: float, seconds: float, timeout: float
) -> tuple[list[float], list[float], int]:
    user = common.register(base)
    wid = common.workspace_with_members(base, user, [])
    cid = common.channel_with_members(base, wid, user, [], name="lag")
    tag = f"lag{uuid.uuid4().hex[:10]}"
    sent_at: dict[str, float] = {}
    seen_at: dict[str, float] = {}
    post_times: list[float] = []
    lock = threading.Lock()
    done_posting = threading.Event()

    def poster() -> None:
        http = requests.Session()
        headers = {"Authorization": f"Bearer {user.token}"}
        count = int(rate * seconds)
        start = time.monotonic()
        for i in range(count):
            # A steady schedule: a slow POST does not push the later ones back.
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            t0 = time.monotonic()
            r = http.post(
                f"{base}/api/v1/channels/{cid}/messages",
                json={"text": f"{tag} message {i}"},
                headers=headers,
                timeout=30,
            )
            r.raise_for_status()
            post_times.append(time.monotonic() - t0)
            with lock:
                sent_at[r.json()["id"]] = t0
        done_posting.set()

    def poller() -> None:
        http = requests.Session()
        headers = {"Authorization": f"Bearer {user.token}"}
        url = f"{base}/api/v1/workspaces/{wid}/search"
        while True:
            r = http.get(url, params={"q": tag, "limit": 100}, headers=headers, timeout=30)
            now = time.monotonic()
            if r.status_code == 200:
                with lock:
                    for hit in r.json()["hits"]:
                        seen_at.setdefault(hit["message"]["id"], now)
            with lock:
                outstanding = [m for m in sent_at if m not in seen_at]
                oldest = min((sent_at[m] for m in outstanding), default=now)
            if done_posting.is_set() and not outstanding:
                return
            if outstanding and now - oldest > timeout:
                return
            time.sleep(0.01)

    threads = [threading.Thread(target=poster), threading.Thread(target=poller)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lags = [seen_at[m] - sent_at[m] for m in sent_at if m in seen_at]
    return lags, post_times, len(sent_at) - len(lags)


def report(lags: list[float], post_times: list[float], missing: int) -> None:
    print()
    common.print_table(
        ["measure", "n", "p50", "p90", "p99", "max"],
        [
            [
                "post to searchable",
                len(lags),
                *(common.ms(common.percentile(lags, p)) for p in (50, 90, 99)),
                common.ms(max(lags, default=float("nan"))),
            ],
            [
                "POST response",
                len(post_times),
                *(common.ms(common.percentile(post_times, p)) for p in (50, 90, 99)),
                common.ms(max(post_times, default=float("nan"))),
            ],
        ],
    )
    if missing:
        print(f"\n{missing} message(s) never became searchable within the timeout")
    print()


if __name__ == "__main__":
    sys.exit(main())
