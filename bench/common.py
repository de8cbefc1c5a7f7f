"""Shared parts of the benchmarks: the bench databases and settings, starting and
stopping gunicorn and Celery, setting up users and channels through the API,
figures (percentiles, medians) and the machine they were measured on.

Benchmarks run against the services already up on this machine (MariaDB, Redis,
Elasticsearch; `scripts/services.sh start`), on the `teamchat_bench_*` databases, a
Redis key prefix and database of their own, and Elasticsearch indexes named `bench-*`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import platform
import resource
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

REPO = Path(__file__).resolve().parents[1]
# The checkout first: bench/search.py must not hide the product's `search` package.
sys.path.insert(0, str(REPO))
# The shared data sits beside the checkout; it is read in place, never copied.
SHARED = REPO.parent / "shared"
IRC_DIR = SHARED / "data" / "irc" / "ubuntu"
IRC_ATTRIBUTION = (
    "IRC corpus: the #ubuntu channel of the Ubuntu IRC logs as selected in Kummerfeld et al., "
    '"A Large-Scale Corpus for Conversation Disentanglement", ACL 2019; CC-BY-4.0 '
    "(https://creativecommons.org/licenses/by/4.0/)"
)

MYSQL = "mysql+pymysql://teamchat:teamchat@127.0.0.1:3306"
DIRECTORY_URL = f"{MYSQL}/teamchat_bench_directory?charset=utf8mb4"
SHARD_URLS = (
    f"{MYSQL}/teamchat_bench_shard0?charset=utf8mb4",
    f"{MYSQL}/teamchat_bench_shard1?charset=utf8mb4",
)
REDIS_URL = "redis://127.0.0.1:6379/0"
# The Celery queue lives in a Redis database of its own, so tests and benchmarks
# never consume each other's jobs; services() claims it the way the test suite's
# Celery fixtures claim theirs, so no test run picks it while a benchmark flushes it.
BROKER_DB = 8
BROKER_URL = f"redis://127.0.0.1:6379/{BROKER_DB}"
BROKER_CLAIM_KEY = f"teamchat-test:celery-db:{BROKER_DB}"
REDIS_PREFIX = "teamchat-bench:"
ES_URL = "http://127.0.0.1:9200"
PASSWORD = "bench-password-1"


# -- figures ----------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0..100), linear between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Iterable[float]) -> float:
    got = list(values)
    return statistics.median(got) if got else float("nan")


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def print_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A Markdown table, so output pastes into RESULTS.md as it is."""
    print("| " + " | ".join(headers) + " |")
    print("|" + "|".join("---" for _ in headers) + "|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")


# -- the machine ------------------------------------------------------------------


def _first_line(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        return "?"
    return out.strip().splitlines()[0] if out.strip() else "?"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def ram_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def service_versions() -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        import pymysql

        conn = pymysql.connect(host="127.0.0.1", user="teamchat", password="teamchat")
        with conn.cursor() as cur:
            cur.execute("SELECT VERSION(), @@innodb_buffer_pool_size")
            version, pool = cur.fetchone()  # type: ignore[misc]
        conn.close()
        out["MariaDB"] = f"{version} (innodb_buffer_pool_size {int(pool) // 2**20} MiB)"
    except Exception as exc:  # a figure is still worth printing without it
        out["MariaDB"] = f"? ({exc.__class__.__name__})"
    try:
        # The integ-test distribution answers no GET /: read the node info instead.
        node = requests.get(
            f"{ES_URL}/_nodes/_local/jvm?filter_path=nodes.*.version,nodes.*.jvm.mem", timeout=5
        ).json()
        info = next(iter(node["nodes"].values()))
        heap = info["jvm"]["mem"]["heap_max_in_bytes"] // 2**20
        out["Elasticsearch"] = f"{info['version']} (single node, heap {heap} MiB)"
    except Exception as exc:
        out["Elasticsearch"] = f"? ({exc.__class__.__name__})"
    try:
        import redis

        out["Redis"] = str(redis.Redis.from_url(REDIS_URL).info("server")["redis_version"])
    except Exception as exc:
        out["Redis"] = f"? ({exc.__class__.__name__})"
    return out


def machine_lines() -> list[str]:
    import gunicorn

    lines = [
        f"CPU: {cpu_model()}, {os.cpu_count()} cores; RAM {ram_gib():.1f} GiB",
        f"Kernel: {platform.system()} {platform.release()}",
        f"Python: {platform.python_version()} ({sys.executable}); gunicorn {gunicorn.__version__}",
    ]
    lines += [f"{name}: {version}" for name, version in service_versions().items()]
    lines.append(load_line("at start"))
    return lines


def load_line(when: str) -> str:
    load = os.getloadavg()
    return f"Load average {when} (1/5/15 min): {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def print_header(title: str) -> None:
    """Title, date, machine and the command that reproduces this run."""
    print(f"# {title}")
    print(f"Date: {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"Command: cd {REPO} && {command_line()}")
    for line in machine_lines():
        print(line)
    print(
        "Note: a shared 2-core machine where other engineers run test suites: figures are "
        "noisy; compare ratios within one run."
    )
    print()


def command_line() -> str:
    script = Path(sys.argv[0]).resolve()
    try:
        shown = str(script.relative_to(REPO))
    except ValueError:
        shown = str(script)
    return shlex.join(["python", shown, *sys.argv[1:]])


# -- the shared services ----------------------------------------------------------

STATE_DIR = Path(os.environ.get("TEAMCHAT_SERVICES_STATE", "/var/lib/teamchat-ci"))


@contextlib.contextmanager
def services() -> Iterator[None]:
    """MariaDB, Redis and Elasticsearch up for the whole run (scripts/services.sh start
    launches what is down). Like scripts/test.sh, the run holds the users lock shared, so
    no test run stops the services under it, and at the end stops what it launched
    unless another run still holds the lock."""
    lock_dir = STATE_DIR / "locks"
    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = (lock_dir / "users.lock").open("w")
    fcntl.flock(lock, fcntl.LOCK_SH)
    started_file = Path(tempfile.mkstemp(prefix="bench-services-")[1])
    try:
        subprocess.run(
            [
                "bash",
                str(REPO / "scripts" / "services.sh"),
                "start",
                "--started-file",
                str(started_file),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        started = started_file.read_text().split()
        if started:
            print(f"(started the services that were down: {' '.join(started)})")
        claim_broker_db()
        yield
    finally:
        started = started_file.read_text().split() if started_file.exists() else []
        started_file.unlink(missing_ok=True)
        if started:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                print(f"(another run uses the services; left running: {' '.join(started)})")
            else:
                subprocess.run(
                    ["bash", str(REPO / "scripts" / "services.sh"), "stop", *started],
                    check=False,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
        lock.close()


def claim_broker_db() -> None:
    """Mark the bench's broker database taken for the test suite's Celery fixtures
    (they pick a free one by this key in db 0). It expires rather than being deleted,
    so a nested run (indexing.py starting search_lag.py) cannot free it early."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.set(BROKER_CLAIM_KEY, "bench", ex=3 * 3600)
    finally:
        client.close()


# -- limits and ports -------------------------------------------------------------


def raise_fd_limit(wanted: int) -> int:
    """Raise this process's open-file limit towards `wanted` (children inherit it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            # Root may raise the hard limit too.
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, wanted))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def thread_count(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Threads:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process has used so far (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU of a process and of its live children (a gunicorn or Celery master)."""
    return cpu_seconds(pid) + sum(cpu_seconds(c) for c in child_pids(pid))


def pids_matching(comm: str, needle: str = "") -> list[int]:
    """Processes named `comm` whose command line holds `needle`."""
    out = []
    for path in Path("/proc").glob("[0-9]*/comm"):
        try:
            if path.read_text().strip() != comm:
                continue
            if needle and needle.encode() not in (path.parent / "cmdline").read_bytes():
                continue
        except OSError:
            continue
        out.append(int(path.parent.name))
    return sorted(out)


SERVICE_PROCESSES = {
    "MariaDB": ("mariadbd", ""),
    "Elasticsearch": ("java", "org.elasticsearch.bootstrap"),
    "Redis": ("redis-server", ""),
}


class CpuMeter:
    """CPU-seconds used by named processes between start() and stop(). The services
    serve other engineers' test runs too, so their share is an upper bound."""

    def __init__(self, **pids: int) -> None:
        self.pids = dict(pids)
        for name, (comm, needle) in SERVICE_PROCESSES.items():
            found = pids_matching(comm, needle)
            if found:
                self.pids[name] = found[0]
        self.used: dict[str, float] = {}
        self._start: dict[str, float] = {}

    def start(self) -> None:
        self._start = {name: tree_cpu(pid) for name, pid in self.pids.items()}

    def stop(self) -> dict[str, float]:
        self.used = {name: tree_cpu(pid) - self._start[name] for name, pid in self.pids.items()}
        return self.used

    def per(self, count: int, unit: float = 1.0) -> str:
        """`name x.xx ms` per item (or per `unit` items), biggest first."""
        parts = sorted(self.used.items(), key=lambda kv: -kv[1])
        return ", ".join(f"{n} {v / max(count, 1) * unit * 1000:.2f} ms" for n, v in parts)


def child_pids(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return sorted(out)


# -- settings and databases -------------------------------------------------------


def app_env(index_prefix: str = "bench-", broker: bool = True, **extra: str) -> dict[str, str]:
    """The environment of an app process (gunicorn, Celery, the CLI) on the bench stack.

    Passwords hash at argon2's cheapest cost: setting up thousands of users is not what
    is measured, and no measured request hashes a password."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMCHAT_")}
    env.update(
        TEAMCHAT_DIRECTORY_URL=DIRECTORY_URL,
        TEAMCHAT_SHARD_URLS=",".join(SHARD_URLS),
        TEAMCHAT_REDIS_URL=REDIS_URL,
        TEAMCHAT_REDIS_PREFIX=REDIS_PREFIX,
        TEAMCHAT_BROKER_URL=BROKER_URL if broker else "",
        TEAMCHAT_SEARCH_BACKEND="elasticsearch",
        TEAMCHAT_ELASTICSEARCH_URL=ES_URL,
        TEAMCHAT_SEARCH_INDEX_PREFIX=index_prefix,
        TEAMCHAT_ARGON2_TIME_COST="1",
        TEAMCHAT_ARGON2_MEMORY_COST="1024",
        TEAMCHAT_LOGIN_ATTEMPTS_PER_MINUTE="1000000",
        TEAMCHAT_LOG_LEVEL="WARNING",
        TEAMCHAT_DATA_DIR=str(Path(tempfile.gettempdir()) / "teamchat-bench-data"),
        PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""),
    )
    env.update(extra)
    return env


def bench_settings(**overrides: Any) -> Any:
    """The same settings as app_env, for code that builds the app in this process."""
    from teamchat.config import Settings

    return Settings.from_env(app_env(**{k: v for k, v in overrides.items() if k == "index_prefix"}))


def reset_databases() -> None:
    """Migrate the bench databases (`teamchat db upgrade`) and empty every table."""
    from sqlalchemy import create_engine, inspect, text

    subprocess.run(
        [sys.executable, "-m", "teamchat.cli", "db", "upgrade"],
        env=app_env(),
        cwd=REPO,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    for url in (DIRECTORY_URL, *SHARD_URLS):
        engine = create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
                for table in inspect(conn).get_table_names():
                    if table != "alembic_version":
                        conn.execute(text(f"TRUNCATE TABLE `{table}`"))
                conn.execute(text("SET FOREIGN_KEY_CHECKS = 1"))
        finally:
            engine.dispose()


def reset_redis() -> None:
    """Drop the bench's Redis keys (events prefix, presence, node ids) and its broker db."""
    import redis

    r = redis.Redis.from_url(REDIS_URL)
    keys = list(r.scan_iter(match=REDIS_PREFIX + "*", count=1000))
    for i in range(0, len(keys), 500):
        r.delete(*keys[i : i + 500])
    redis.Redis.from_url(BROKER_URL).flushdb()


def drop_es_indexes(prefix: str) -> None:
    if not prefix.startswith("bench-"):
        raise ValueError("benchmarks only drop their own bench-* indexes")
    requests.delete(f"{ES_URL}/{prefix}*", timeout=60)


# -- processes --------------------------------------------------------------------


@dataclass
class Process:
    """A subprocess in its own process group, its output in a log file."""

    name: str
    cmd: list[str]
    env: dict[str, str]
    log_path: Path = field(init=False)
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_path = Path(tempfile.mkstemp(prefix=f"bench-{self.name}-", suffix=".log")[1])
        log = self.log_path.open("wb")
        self.popen = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=REPO,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM the process group we started, then SIGKILL it after `grace` seconds."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(10)
        # Workers left in the group (a master killed hard) go too.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen = None


GUNICORN_CONF = REPO / "docker" / "gunicorn.conf.py"


def conf_worker_class() -> str:
    """The worker class docker/gunicorn.conf.py picks (production's), else gthread."""
    if GUNICORN_CONF.exists():
        import runpy

        conf = runpy.run_path(str(GUNICORN_CONF))
        return str(conf.get("worker_class", "gthread"))
    return "gthread"


class Gunicorn(Process):
    """`gunicorn wsgi:app` on a free loopback port: docker/gunicorn.conf.py when it
    exists, with the worker count, class and threads given here on top."""

    def __init__(
        self,
        env: dict[str, str],
        *,
        worker_class: str = "gthread",
        threads: int = 64,
        connections: int = 1000,
        workers: int = 1,
        port: int | None = None,
        name: str = "gunicorn",
    ) -> None:
        self.port = port or free_port()
        self.worker_class = worker_class
        self.threads = threads
        cmd = [sys.executable, "-m", "gunicorn"]
        if GUNICORN_CONF.exists():
            cmd += ["-c", str(GUNICORN_CONF)]
        cmd += [
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--worker-connections",
            str(connections),
            "--backlog",
            "4096",
            "--timeout",
            "120",
            "--graceful-timeout",
            "5",
            "wsgi:app",
        ]
        super().__init__(name, cmd, env)
        self.url = f"http://127.0.0.1:{self.port}"

    def describe(self) -> str:
        conf = "docker/gunicorn.conf.py + " if GUNICORN_CONF.exists() else ""
        extra = f", {self.threads} threads" if self.worker_class == "gthread" else ""
        return f"gunicorn ({conf}1 worker, {self.worker_class}{extra}) on {self.url}"

    def start_and_wait(self, timeout: float = 60.0) -> None:
        self.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            try:
                if requests.get(self.url + "/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer /healthz in {timeout:.0f}s")

    def worker_pids(self) -> list[int]:
        return child_pids(self.pid)


class CeleryWorker(Process):
    """`celery -A indexer.worker worker` on the bench broker."""

    def __init__(
        self, env: dict[str, str], concurrency: int = 2, pool: str = "prefork", name: str = "celery"
    ) -> None:
        self.concurrency = concurrency
        self.pool = pool
        cmd = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "indexer.worker",
            "worker",
            "--loglevel",
            "INFO",
            "--concurrency",
            str(concurrency),
            "--pool",
            pool,
            "--hostname",
            f"bench-{uuid.uuid4().hex[:6]}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        super().__init__(name, cmd, env)

    def describe(self) -> str:
        return f"celery -A indexer.worker worker ({self.pool} pool, concurrency {self.concurrency})"

    def start_and_wait(self, timeout: float = 60.0) -> None:
        self.start()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"celery worker exited:\n{self.log_tail()}")
            if " ready." in self.log_path.read_text(errors="replace"):
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"celery worker not ready in {timeout:.0f}s:\n{self.log_tail()}")


# -- API set-up -------------------------------------------------------------------


class Client:
    """A keep-alive client of the v1 API for setting up users, workspaces, channels."""

    def __init__(self, base_url: str, token: str | None = None) -> None:
        self.base = base_url.rstrip("/")
        self.http = requests.Session()
        self.token = token

    def call(self, method: str, path: str, body: Any = None, expect: Iterable[int] = ()) -> Any:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        r = self.http.request(method, self.base + path, json=body, headers=headers, timeout=60)
        wanted = set(expect) or {200, 201, 204}
        if r.status_code not in wanted:
            raise RuntimeError(f"{method} {path} -> {r.status_code}: {r.text[:300]}")
        return r.json() if r.content else None


@dataclass
class BenchUser:
    id: str
    username: str
    token: str


def register(base_url: str, username: str | None = None) -> BenchUser:
    name = username or f"b{uuid.uuid4().hex[:12]}"
    body = Client(base_url).call(
        "POST", "/api/v1/auth/register", {"username": name, "password": PASSWORD}
    )
    return BenchUser(body["user"]["id"], name, body["token"])


def register_many(base_url: str, count: int, workers: int = 8) -> list[BenchUser]:
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(lambda _: register(base_url), range(count)))


def workspace_with_members(base_url: str, owner: BenchUser, members: list[BenchUser]) -> str:
    """A workspace owned by `owner` with `members` added (by the owner, as an admin)."""
    admin = Client(base_url, owner.token)
    wid = admin.call("POST", "/api/v1/workspaces", {"name": f"bench-{uuid.uuid4().hex[:6]}"})["id"]

    def add(m: BenchUser) -> None:
        Client(base_url, owner.token).call(
            "POST", f"/api/v1/workspaces/{wid}/members", {"username": m.username}
        )

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(add, members))
    return str(wid)


def channel_with_members(
    base_url: str, wid: str, owner: BenchUser, members: list[BenchUser], name: str = ""
) -> str:
    """A public channel with `members` added in chunks of at most 1,000."""
    admin = Client(base_url, owner.token)
    cid = admin.call(
        "POST",
        f"/api/v1/workspaces/{wid}/channels",
        {"name": name or f"c-{uuid.uuid4().hex[:8]}", "private": False, "member_ids": []},
    )["id"]
    ids = [m.id for m in members if m.id != owner.id]
    for i in range(0, len(ids), 1000):
        admin.call("POST", f"/api/v1/channels/{cid}/members", {"user_ids": ids[i : i + 1000]})
    return str(cid)
