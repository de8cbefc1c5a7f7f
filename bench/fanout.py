"""Fan-out latency: from just before the POST of a message to its arrival at each
receiver's WebSocket, with 10, 100 and 1,000 receivers.

Two gunicorn processes share Redis (pub/sub carries every event to both). Receivers
alternate between the two, so half hear each message through their own process's
hub and half through the other process; the sender posts to the first. Each
receiver count has its own channel whose members are exactly its receivers and the
sender. Messages go one at a time: the next is posted once every receiver has the
last (or after 5 s). All receivers are raw sockets on one selector thread of this
process (bench/wsclient.py), timed with the same clock as the POST.

    python bench/fanout.py [--receivers 10,100,1000] [--messages 30]
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable

import common
from wsclient import WsConn, WsPool

TARGET_P99 = 0.050
MARK = re.compile(rb"fanout-(\d+)-(\d+)")


def pump_forever(pool: WsPool, stop: threading.Event) -> None:
    last_beat = time.monotonic()
    while not stop.is_set():
        pool.pump(0.2)
        if time.monotonic() - last_beat > 15:
            pool.ping_all()
            last_beat = time.monotonic()


class BusTap:
    """Listens on the Redis events channel too, to time when each message was
    published: POST-to-publish is the request's part, publish-to-socket the fan-out's."""

    def __init__(self, step: int) -> None:
        import redis

        self.step = step
        self.seen: dict[int, float] = {}
        self.pubsub = redis.Redis.from_url(common.REDIS_URL).pubsub(ignore_subscribe_messages=True)
        self.pubsub.subscribe(common.REDIS_PREFIX + "events")
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop.is_set():
            msg = self.pubsub.get_message(timeout=0.2)
            if msg is None:
                continue
            now = time.perf_counter()
            m = MARK.search(msg["data"])
            if m is not None and int(m.group(1)) == self.step and b"message.posted" in msg["data"]:
                self.seen.setdefault(int(m.group(2)), now)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(2)
        self.pubsub.close()


def run_step(
    servers: list[common.Gunicorn],
    sender: common.BenchUser,
    receivers: list[common.BenchUser],
    cid: str,
    messages: int,
    step: int,
) -> dict[str, object]:
    stop = threading.Event()
    pools = [WsPool("127.0.0.1", s.port) for s in servers]
    # Receiver i connects to server i % 2: conn.index within its pool maps back to i.
    owner: dict[tuple[int, int], int] = {}
    for p, pool in enumerate(pools):
        mine = [(i, u) for i, u in enumerate(receivers) if i % len(pools) == p]
        got = pool.open_many([f"/api/v1/ws?token={u.token}" for _, u in mine], in_flight=100)
        if got < len(mine):
            raise RuntimeError(f"only {got} of {len(mine)} receivers said hello")
        for conn, (i, _) in zip(pool.conns, mine, strict=True):
            owner[(p, conn.index)] = i
    # Route every pool's frames into one table keyed by receiver number.
    arrivals: dict[int, dict[int, float]] = defaultdict(dict)
    lock = threading.Lock()

    def make_on_raw(p: int) -> Callable[[WsConn, bytes, float], None]:
        def on_raw(conn: WsConn, text: bytes, now: float) -> None:
            if b'"message.posted"' not in text:
                return
            m = MARK.search(text)
            if m is None or int(m.group(1)) != step:
                return
            with lock:
                arrivals[int(m.group(2))].setdefault(owner[(p, conn.index)], now)

        return on_raw

    for p, pool in enumerate(pools):
        pool.on_raw = make_on_raw(p)
    threads = [
        threading.Thread(target=pump_forever, args=(pool, stop), daemon=True) for pool in pools
    ]
    for t in threads:
        t.start()
    tap = BusTap(step)
    http_conn = http.client.HTTPConnection("127.0.0.1", servers[0].port, timeout=30)
    headers = {"Authorization": f"Bearer {sender.token}", "Content-Type": "application/json"}
    sent_at: dict[int, float] = {}
    post_ms: list[float] = []
    n = len(receivers)
    try:
        time.sleep(0.5)
        for k in range(messages):
            body = json.dumps({"text": f"fanout-{step}-{k} hello"})
            t0 = time.perf_counter()
            sent_at[k] = t0
            http_conn.request("POST", f"/api/v1/channels/{cid}/messages", body, headers)
            resp = http_conn.getresponse()
            resp.read()
            post_ms.append(time.perf_counter() - t0)
            if resp.status != 201:
                raise RuntimeError(f"POST -> {resp.status}")
            deadline = time.perf_counter() + 5.0
            while time.perf_counter() < deadline:
                with lock:
                    if len(arrivals.get(k, {})) >= n:
                        break
                time.sleep(0.001)
            time.sleep(0.05)
    finally:
        stop.set()
        tap.close()
        for t in threads:
            t.join(5)
        http_conn.close()
        for pool in pools:
            pool.close_all()
    local: list[float] = []
    remote: list[float] = []
    from_bus: list[float] = []
    to_bus = [tap.seen[k] - t0 for k, t0 in sent_at.items() if k in tap.seen]
    delivered = 0
    for k, t0 in sent_at.items():
        for i, t in arrivals.get(k, {}).items():
            delivered += 1
            (local if i % len(pools) == 0 else remote).append(t - t0)
            if k in tap.seen:
                from_bus.append(t - tap.seen[k])
    return {
        "receivers": n,
        "messages": len(sent_at),
        "delivered": delivered,
        "expected": n * len(sent_at),
        "all": local + remote,
        "local": local,
        "remote": remote,
        "post": post_ms,
        "to_bus": to_bus,
        "from_bus": from_bus,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--receivers", default="10,100,1000")
    parser.add_argument("--messages", type=int, default=30, help="messages per receiver count")
    parser.add_argument("--worker-class", default="", help="default: docker/gunicorn.conf.py's")
    args = parser.parse_args()
    counts = [int(x) for x in args.receivers.split(",")]
    worker_class = args.worker_class or common.conf_worker_class()
    common.print_header("fanout: send-to-receipt latency over WebSockets, two app processes")
    common.raise_fd_limit(4 * max(counts) + 1000)
    common.reset_databases()
    common.reset_redis()
    env = common.app_env("bench-fanout-")
    per_process = max(counts) // 2 + 1
    threads = 3 * per_process + 64 if worker_class == "gthread" else 1
    servers = [
        common.Gunicorn(
            env,
            worker_class=worker_class,
            threads=threads,
            connections=per_process + 1000,
            name=f"gunicorn-{i}",
        )
        for i in range(2)
    ]
    for s in servers:
        s.start_and_wait()
    try:
        print(f"App: 2 x {servers[0].describe()}, sharing Redis {common.REDIS_URL}")
        t0 = time.perf_counter()
        users = common.register_many(servers[0].url, max(counts) + 1)
        sender, everyone = users[0], users[1:]
        wid = common.workspace_with_members(servers[0].url, sender, everyone)
        channels = {
            n: common.channel_with_members(servers[0].url, wid, sender, everyone[:n])
            for n in counts
        }
        print(
            f"Set-up: {len(users)} users, {len(counts)} channels in {time.perf_counter() - t0:.0f} s"
        )
        print(
            f"{args.messages} messages per receiver count, one at a time; latency per "
            "(message, receiver)\n"
        )
        results = []
        for step, n in enumerate(counts):
            r = run_step(servers, sender, everyone[:n], channels[n], args.messages, step)
            results.append(r)
            print(
                f"  {n} receivers: {r['delivered']}/{r['expected']} delivered, "
                f"p50 {common.ms(common.percentile(r['all'], 50))}, "  # type: ignore[arg-type]
                f"p99 {common.ms(common.percentile(r['all'], 99))}",  # type: ignore[arg-type]
                flush=True,
            )
        report(results)
    finally:
        for s in servers:
            s.stop()
        common.reset_redis()
    print(common.load_line("at end"))


def report(results: list[dict[str, object]]) -> None:
    def f(values: object, p: float) -> str:
        return f"{common.percentile(values, p) * 1000:.1f}"  # type: ignore[arg-type]

    print()
    common.print_table(
        (
            "receivers",
            "delivered",
            "p50 ms",
            "p99 ms",
            "max ms",
            "same-process p50/p99 ms",
            "other-process p50/p99 ms",
            "POST p50 ms",
            "POST-to-publish p50/p99 ms",
            "publish-to-socket p50/p99 ms",
        ),
        [
            (
                r["receivers"],
                f"{r['delivered']}/{r['expected']}",
                f(r["all"], 50),
                f(r["all"], 99),
                f(r["all"], 100),
                f"{f(r['local'], 50)} / {f(r['local'], 99)}",
                f"{f(r['remote'], 50)} / {f(r['remote'], 99)}",
                f(r["post"], 50),
                f"{f(r['to_bus'], 50)} / {f(r['to_bus'], 99)}",
                f"{f(r['from_bus'], 50)} / {f(r['from_bus'], 99)}",
            )
            for r in results
        ],
    )
    print(
        "\nPOST-to-publish: until the event reached Redis (as heard by a subscriber in this "
        "process), i.e. the request's own work; publish-to-socket: Redis, hub and socket."
    )
    print(f"Target: p99 < {TARGET_P99 * 1000:.0f} ms at 100 receivers.")


if __name__ == "__main__":
    with common.services():
        sys.exit(main())
