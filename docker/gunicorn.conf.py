"""Production gunicorn settings: `gunicorn -c docker/gunicorn.conf.py wsgi:app`.

Worker class: gevent, chosen by bench/connections.py (bench/RESULTS.md): one gevent
worker held 10,000 idle sockets in 700 MiB RSS (65 KiB each) on a few OS threads, where
gthread needs three threads per socket and was at 7,500 threads, 106 KiB per socket and
both cores busy in the kernel by 2,500 sockets.

Knobs of this file (TeamChat's own settings come from teamchat.config only):
GUNICORN_BIND (default TEAMCHAT_HOST:TEAMCHAT_PORT), GUNICORN_WORKERS (default the
CPU count; always 1 without TEAMCHAT_REDIS_URL), GUNICORN_WORKER_CLASS (gevent, or
gthread), GUNICORN_WORKER_CONNECTIONS (sockets per worker), GUNICORN_THREADS
(gthread only), GUNICORN_TIMEOUT, GUNICORN_GRACEFUL_TIMEOUT, GUNICORN_KEEPALIVE.
Anything else: gunicorn's own GUNICORN_CMD_ARGS, which wins over this file.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import threading
from typing import Any

from teamchat.config import Settings

_settings = Settings.from_env()


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = [os.environ.get("GUNICORN_BIND") or f"{_settings.host}:{_settings.port}"]
worker_class = os.environ.get("GUNICORN_WORKER_CLASS") or "gevent"
# Without Redis, live events, presence and rate limits live in the process that
# serves the socket: a second worker would never hear the first one's events.
workers = _int("GUNICORN_WORKERS", os.cpu_count() or 1) if _settings.redis_url else 1
# Idle WebSockets one worker holds; past it new connections wait in the backlog.
worker_connections = _int("GUNICORN_WORKER_CONNECTIONS", 10_000)
# gthread only: the handler of a WebSocket holds a pool thread for the socket's life.
threads = _int("GUNICORN_THREADS", worker_connections)
backlog = 2048
# A WebSocket is one long request; this is the silence allowed of a worker's heartbeat.
timeout = _int("GUNICORN_TIMEOUT", 120)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Longer than a load balancer's idle timeout (60 s on most), so it never reuses a
# connection gunicorn is closing.
keepalive = _int("GUNICORN_KEEPALIVE", 75)
# The app starts threads (jobs, presence, Redis subscriber) in create_app: each worker
# builds its own after the fork, and after gevent has patched threading.
preload_app = False
# A worker restart would drop thousands of sockets at once: no max_requests.
max_requests = 0

accesslog = "-"
errorlog = "-"
loglevel = _settings.log_level.lower()
# The path without its query string: a WebSocket URL carries the session token.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
# Behind a reverse proxy in the same network; X-Forwarded-* from elsewhere is ignored.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "teamchat-web"


def on_starting(server: Any) -> None:
    """Open files up to the hard limit: every socket is a file descriptor."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def post_worker_init(worker: Any) -> None:
    """On SIGTERM, also close every WebSocket with 1001 (going away): clients reconnect
    to another process and resume, and the worker need not wait out graceful_timeout
    for sockets that would never end by themselves. REST requests finish as usual."""
    app = worker.wsgi
    stop_worker = worker.handle_exit

    def handle_exit(sig: int, frame: Any) -> None:
        stop_worker(sig, frame)
        # Not in the signal handler itself: it may have interrupted a hub lock holder.
        threading.Thread(target=_close_sockets, args=(app,), daemon=True).start()

    signal.signal(signal.SIGTERM, handle_exit)


def _close_sockets(app: Any) -> None:
    hub = app.extensions.get("teamchat.hub")
    if hub is not None:
        hub.close()


def worker_exit(server: Any, worker: Any) -> None:
    """Requests are done: stop the app's threads and close its pools."""
    app = getattr(worker, "wsgi", None)
    if app is not None:
        app.extensions["teamchat"].close()
