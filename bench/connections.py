"""Idle WebSockets one app process holds, and the memory each costs.

For each gunicorn worker class (gthread: a thread per socket plus its writer thread;
gevent: greenlets), one worker process takes sockets in steps up to --sockets; after
each step the RSS of the worker process is read. Every socket belongs to its own
user, says hello, resumes with nothing, and heartbeats like a browser tab would, also
while later sockets are still opening (a slow step must not lose the early ones to
the server's silence limit). While all are held, the worker's CPU use is read too:
what idle sockets cost when nothing is said. The client is one selector thread over
raw sockets (bench/wsclient.py).

    python bench/connections.py [--sockets 10000] [--classes gthread,gevent]
"""

from __future__ import annotations

import argparse
import sys
import time

import common
from wsclient import WsPool

TARGET_SOCKETS = 10_000
TARGET_BYTES = 1024**3
HEARTBEAT_SECONDS = 15.0
# Sockets opened between two looks at the heartbeat clock.
OPEN_CHUNK = 250


def steps_up_to(total: int) -> list[int]:
    marks = [s for s in (100, 1000, 2500, 5000, 7500, 10_000, 15_000, 20_000) if s < total]
    return [*marks, total]


def measure(
    worker_class: str, tokens: list[str], steps: list[int], sources: list[str], hold: float
) -> dict[str, object]:
    total = steps[-1]
    server = common.Gunicorn(
        common.app_env("bench-conn-"),
        worker_class=worker_class,
        threads=total + 64 if worker_class == "gthread" else 1,
        connections=total + 1000,
        name=f"gunicorn-{worker_class}",
    )
    server.start_and_wait()
    pool = WsPool("127.0.0.1", server.port)
    rows: list[tuple[int, int, int, float, float]] = []
    out: dict[str, object] = {"class": worker_class, "describe": server.describe(), "rows": rows}
    try:
        worker = server.worker_pids()[0]
        time.sleep(1.0)
        base = common.rss_bytes(worker)
        out["base_rss"] = base
        opened = 0
        last_beat = time.monotonic()
        started = time.perf_counter()
        for step in steps:
            step_started = time.perf_counter()
            got = 0
            for lo in range(opened, step, OPEN_CHUNK):
                hi = min(lo + OPEN_CHUNK, step)
                paths = [f"/api/v1/ws?token={t}" for t in tokens[lo:hi]]
                got += pool.open_many(paths, source_ips=sources, in_flight=200)
                if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                    pool.ping_all()
                    last_beat = time.monotonic()
            rate = (step - opened) / (time.perf_counter() - step_started)
            if got < step - opened:
                print(f"  {worker_class}: only {got} of {step - opened} new sockets said hello")
            opened = step
            pool.pump(2.0)
            if time.monotonic() - last_beat > HEARTBEAT_SECONDS:
                pool.ping_all()
                last_beat = time.monotonic()
            alive = pool.open_count
            rss = common.rss_bytes(worker)
            per = (rss - base) / alive if alive else 0.0
            rows.append((alive, rss, common.thread_count(worker), per, rate))
            print(
                f"  {worker_class}: {alive} open, worker RSS {rss / 2**20:.0f} MiB, "
                f"{common.thread_count(worker)} threads, {per / 1024:.1f} KiB/socket, "
                f"opened at {rate:.0f}/s",
                flush=True,
            )
            if alive < step * 0.9:
                print(f"  {worker_class}: stopping: sockets are failing")
                break
        out["open_seconds"] = time.perf_counter() - started
        # Hold them: sockets must stay open (heartbeats answered, none dropped).
        held_from = pool.open_count
        cpu_before = common.cpu_seconds(worker)
        deadline = time.monotonic() + hold
        while time.monotonic() < deadline:
            pool.ping_all()
            pool.pump(min(HEARTBEAT_SECONDS, max(0.0, deadline - time.monotonic())))
        out["held"] = (held_from, pool.open_count, hold)
        out["idle_cpu"] = (common.cpu_seconds(worker) - cpu_before) / hold
        out["final_rss"] = common.rss_bytes(worker)
        out["master_rss"] = common.rss_bytes(server.pid)
    except Exception as exc:  # report what was reached
        out["error"] = f"{exc.__class__.__name__}: {exc}"
        print(f"  {worker_class}: failed: {out['error']}\n{server.log_tail(10)}")
    finally:
        pool.close_all()
        server.stop()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sockets", type=int, default=TARGET_SOCKETS)
    parser.add_argument("--classes", default="gthread,gevent")
    parser.add_argument("--hold", type=float, default=20.0, help="seconds to hold them all")
    parser.add_argument(
        "--sources",
        type=int,
        default=0,
        help="loopback source addresses to spread over (0: one per 20,000 sockets)",
    )
    args = parser.parse_args()
    common.print_header(f"connections: idle WebSockets per app process, up to {args.sockets}")
    limit = common.raise_fd_limit(2 * args.sockets + 1000)
    print(f"Open-file limit (this process and the servers it starts): {limit}")
    n_sources = args.sources or max(1, -(-args.sockets // 20_000))
    sources = [f"127.0.0.{i + 1}" for i in range(n_sources)]
    print(f"Client source addresses: {', '.join(sources)}")
    common.reset_databases()
    common.reset_redis()
    setup = common.Gunicorn(common.app_env("bench-conn-"), threads=32, name="gunicorn-setup")
    setup.start_and_wait()
    try:
        t0 = time.perf_counter()
        users = common.register_many(setup.url, args.sockets, workers=8)
        print(f"Set-up: {len(users)} users registered in {time.perf_counter() - t0:.0f} s\n")
    finally:
        setup.stop()
    tokens = [u.token for u in users]
    steps = steps_up_to(args.sockets)
    results = []
    for worker_class in args.classes.split(","):
        print(f"## {worker_class}")
        results.append(measure(worker_class, tokens, steps, sources, args.hold))
        common.reset_redis()
        print()
    report(results, args)
    print(common.load_line("at end"))


def report(results: list[dict[str, object]], args: argparse.Namespace) -> None:
    print("## Results\n")
    for r in results:
        print(f"### {r['describe']}\n")
        rows = r["rows"]
        base = r.get("base_rss", 0)
        print(f"Worker RSS before any socket: {int(base) / 2**20:.0f} MiB")  # type: ignore[arg-type]
        common.print_table(
            (
                "open sockets",
                "worker RSS MiB",
                "threads",
                "KiB per socket (over base)",
                "opened per s (this step)",
            ),
            [
                (alive, f"{rss / 2**20:.0f}", threads, f"{per / 1024:.1f}", f"{rate:.0f}")
                for alive, rss, threads, per, rate in rows  # type: ignore[attr-defined]
            ],
        )
        if "held" in r:
            start, end, hold = r["held"]  # type: ignore[misc]
            print(
                f"\nOpened in {r['open_seconds']:.0f} s; held {hold:.0f} s: {start} open before, "
                f"{end} after. Worker RSS at the end {int(r['final_rss']) / 2**20:.0f} MiB "  # type: ignore[call-overload]
                f"(master process {int(r['master_rss']) / 2**20:.0f} MiB). Worker CPU while "  # type: ignore[call-overload]
                f"holding them: {float(r['idle_cpu']) * 100:.1f}% of a core."  # type: ignore[arg-type]
            )
        if "error" in r:
            print(f"\nStopped by: {r['error']}")
        print()
    print(
        f"Target: {TARGET_SOCKETS} idle sockets per process in < {TARGET_BYTES / 2**30:.0f} GiB "
        "(worker RSS)."
    )


if __name__ == "__main__":
    with common.services():
        sys.exit(main())
