"""Messages persisted per second through the REST API, and their latency.

One gunicorn process (the worker class of docker/gunicorn.conf.py, as in
production, or --worker-class; gthread gets 64 threads) on the bench databases, Redis and the
Celery broker (each post enqueues its index job, as in production; no worker drains
them during the run, indexing is measured by bench/indexing.py). 1, 8 and 32 senders,
each a thread with its own keep-alive connection, post for a fixed time; each sender
posts to its own channel (channels spread over both shards), and a second series puts
every sender in one channel, where posts take the channel's lock one after another.

    python bench/send.py [--seconds 5] [--repeats 3] [--senders 1,8,32] [--profile]
                         [--worker-class gevent|gthread]
"""

from __future__ import annotations

import argparse
import http.client
import json
import sys
import threading
import time
from dataclasses import dataclass, field

import common
import profiling

TARGET_PER_PROCESS = 1000.0


@dataclass
class Run:
    senders: int
    channels: int
    sent: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    server_cpu: float = 0.0  # seconds of CPU the app process used
    cpu: dict[str, float] = field(default_factory=dict)  # by process, incl. services

    @property
    def rate(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def sender(
    port: int,
    token: str,
    cid: str,
    start: threading.Barrier,
    stop_at: list[float],
    out: Run,
    lock: threading.Lock,
    max_posts: int,
) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    path = f"/api/v1/channels/{cid}/messages"
    latencies: list[float] = []
    errors = 0
    start.wait()
    n = 0
    while n < max_posts and time.perf_counter() < stop_at[0]:
        body = json.dumps({"text": f"bench message {n} from {token[:6]}: hello @nobody"})
        t0 = time.perf_counter()
        conn.request("POST", path, body, headers)
        resp = conn.getresponse()
        resp.read()
        elapsed = time.perf_counter() - t0
        if resp.status == 201:
            latencies.append(elapsed)
        else:
            errors += 1
        n += 1
    conn.close()
    with lock:
        out.latencies.extend(latencies)
        out.sent += len(latencies)
        out.errors += errors


def measure(
    server: common.Gunicorn,
    users: list[common.BenchUser],
    channels: list[str],
    senders: int,
    seconds: float,
) -> Run:
    run = Run(senders, len(set(channels[:senders])))
    lock = threading.Lock()
    start = threading.Barrier(senders + 1)
    stop_at = [0.0]
    threads = [
        threading.Thread(
            target=sender,
            args=(
                server.port,
                users[i].token,
                channels[i % len(channels)],
                start,
                stop_at,
                run,
                lock,
                100_000,
            ),
        )
        for i in range(senders)
    ]
    for t in threads:
        t.start()
    meter = common.CpuMeter(app=server.worker_pids()[0])
    meter.start()
    stop_at[0] = time.perf_counter() + seconds
    t0 = time.perf_counter()
    start.wait()
    for t in threads:
        t.join(seconds + 60)
    run.seconds = time.perf_counter() - t0
    run.cpu = meter.stop()
    run.server_cpu = run.cpu["app"]
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="length of one measurement")
    parser.add_argument("--repeats", type=int, default=3, help="measurements per setting")
    parser.add_argument("--senders", default="1,8,32", help="comma-separated sender counts")
    parser.add_argument("--threads", type=int, default=64, help="gunicorn threads (gthread)")
    parser.add_argument("--worker-class", default="", help="default: docker/gunicorn.conf.py's")
    parser.add_argument("--profile", action="store_true", help="py-spy the app under 8 senders")
    args = parser.parse_args()
    counts = [int(x) for x in args.senders.split(",")]

    common.print_header("send: messages/s through POST /api/v1/channels/{cid}/messages")
    common.reset_databases()
    common.reset_redis()
    server = common.Gunicorn(
        common.app_env("bench-send-"),
        worker_class=args.worker_class or common.conf_worker_class(),
        threads=args.threads,
    )
    server.start_and_wait()
    try:
        print(f"App: {server.describe()}")
        print("Client: one thread and one keep-alive http.client connection per sender\n")
        users = common.register_many(server.url, max(counts) + 1)
        owner, posters = users[0], users[1:]
        wid = common.workspace_with_members(server.url, owner, posters)
        spread = [
            common.channel_with_members(server.url, wid, owner, posters) for _ in range(max(counts))
        ]
        hot = [common.channel_with_members(server.url, wid, owner, posters)]
        measure(server, posters, spread, 8, 2.0)  # warm-up: pools, caches
        results: dict[tuple[str, int], list[Run]] = {}
        for label, channels in (("own channel each", spread), ("one shared channel", hot)):
            for n in counts:
                if label == "one shared channel" and n == 1:
                    continue  # the same as the first series
                for _ in range(args.repeats):
                    results.setdefault((label, n), []).append(
                        measure(server, posters, channels, n, args.seconds)
                    )
        report(results, args)
        if args.profile or any(
            common.median(r.rate for r in runs) < TARGET_PER_PROCESS
            for (label, _), runs in results.items()
            if label == "own channel each"
        ):
            profile(server, posters, spread)
    finally:
        server.stop()
        common.reset_redis()


def report(results: dict[tuple[str, int], list[Run]], args: argparse.Namespace) -> None:
    print(f"Each figure: the median of {args.repeats} runs of {args.seconds:.0f} s.\n")
    rows = []
    for (label, n), runs in results.items():
        rates = [r.rate for r in runs]
        best = sorted(runs, key=lambda r: r.rate)[len(runs) // 2]
        rows.append(
            (
                n,
                label,
                f"{common.median(rates):.0f}",
                f"{min(rates):.0f}–{max(rates):.0f}",
                f"{common.median(common.percentile(r.latencies, 50) for r in runs) * 1000:.1f}",
                f"{common.median(common.percentile(r.latencies, 99) for r in runs) * 1000:.1f}",
                f"{best.server_cpu / max(best.sent, 1) * 1000:.2f}",
                sum(r.errors for r in runs),
            )
        )
    common.print_table(
        (
            "senders",
            "channels",
            "msg/s (median)",
            "msg/s (range)",
            "p50 ms",
            "p99 ms",
            "app CPU ms/msg",
            "errors",
        ),
        rows,
    )
    print(
        "\napp CPU ms/msg: CPU-seconds of the app process per message persisted, in the median "
        "run; the machine's 2 cores cap a process at 2000 / that many msg/s even when idle."
    )
    print("CPU per message by process (median run of each setting; services are shared):")
    for (label, n), runs in results.items():
        mid = sorted(runs, key=lambda r: r.rate)[len(runs) // 2]
        parts = sorted(mid.cpu.items(), key=lambda kv: -kv[1])
        shown = ", ".join(f"{k} {v / max(mid.sent, 1) * 1000:.2f} ms" for k, v in parts)
        print(f"  {n} senders, {label}: {shown}")
    print(f"\nTarget: >= {TARGET_PER_PROCESS:.0f} msg/s per app process.")


def profile(server: common.Gunicorn, posters: list[common.BenchUser], spread: list[str]) -> None:
    """Two py-spy views of the app under 8 senders: every busy thread (where a request's
    time goes, waits on MariaDB included) and the GIL holder only (Python's CPU)."""
    if not profiling.available():
        print("\n(py-spy is not installed: `pip install py-spy` for a profile)")
        return
    worker = server.worker_pids()[0]
    for gil, title in ((False, "all busy threads"), (True, "GIL holder only: CPU")):
        print(f"\n## Profile of the app process under 8 senders, {title} (py-spy, 200 Hz, 8 s)\n")
        result: list[object] = []
        t = threading.Thread(
            target=lambda out=result, g=gil: out.append(profiling.record(worker, 8, gil=g)),
            name="py-spy",
            daemon=True,
        )
        t.start()
        time.sleep(0.5)
        measure(server, posters, spread, 8, 9.0)
        t.join(90)
        path = result[0] if result else None
        if path is None:
            print("(no profile)")
            continue
        print("```")
        for line in profiling.summary(path):  # type: ignore[arg-type]
            print(line)
        print("```")
        print(f"(raw collapsed stacks: {path})")


if __name__ == "__main__":
    with common.services():
        sys.exit(main())
