"""Background jobs, enqueued by name after commit.

Production sends them to Celery workers (the `indexer` package holds the tasks);
the embedded default runs the same functions on one in-process thread. teamchat
never imports indexer: both sides call the functions listed in `job_functions`.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from flask import Flask

from teamchat.config import Settings

log = logging.getLogger(__name__)


def job_functions() -> dict[str, Callable[..., Any]]:
    """Name -> function(**kwargs). Imported lazily: the services import this module."""
    from teamchat.services import indexing

    return {
        "index.drain_outbox": indexing.drain_outbox_job,
        "index.sweep": indexing.sweep_job,
    }


# Jobs the in-process worker runs on a timer, like Celery beat does in production.
PERIODIC = ("index.sweep",)


class JobQueue(Protocol):
    def enqueue(self, name: str, **kwargs: Any) -> None: ...
    def start(self, app: Flask) -> None: ...
    def stop(self) -> None: ...


class InProcessJobQueue:
    """One worker thread; identical pending jobs are coalesced (they are idempotent).
    The periodic jobs are queued every interval, busy or not, as beat does."""

    def __init__(
        self, settings: Settings, functions: dict[str, Callable[..., Any]] | None = None
    ) -> None:
        """functions: name -> job, for tests of the worker; job_functions() otherwise."""
        self.settings = settings
        self._functions = functions
        self._queue: queue.Queue[tuple[str, tuple[tuple[str, Any], ...]] | None] = queue.Queue()
        self._pending: set[tuple[str, tuple[tuple[str, Any], ...]]] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._idle.set()

    def enqueue(self, name: str, **kwargs: Any) -> None:
        key = (name, tuple(sorted(kwargs.items())))
        with self._lock:
            if key in self._pending:
                return
            self._pending.add(key)
            self._idle.clear()
        self._queue.put(key)

    def start(self, app: Flask) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(
            target=self._run, args=(app,), name="teamchat-jobs", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._queue.put(None)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """For tests and imports: block until every enqueued job has run."""
        return self._idle.wait(timeout)

    def _run(self, app: Flask) -> None:
        functions = self._functions if self._functions is not None else job_functions()
        interval = self.settings.outbox_sweep_seconds
        due = time.monotonic() + interval
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= due:
                # On the clock, not after a quiet spell: steady traffic never has one.
                due = now + interval
                for name in PERIODIC:
                    self.enqueue(name)
            try:
                item = self._queue.get(timeout=max(0.0, due - now))
            except queue.Empty:
                continue
            if item is None:
                break
            name, kwargs = item
            with self._lock:
                self._pending.discard(item)
            try:
                with app.app_context():
                    functions[name](**dict(kwargs))
            except Exception:
                log.exception("job %s failed; the periodic sweep will retry", name)
            with self._lock:
                if not self._pending:
                    self._idle.set()


class CeleryJobQueue:
    """Sends jobs to the Celery broker by task name; a send failure is logged only,
    because every job is backed by committed data that the periodic sweep retries."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._celery: Any = None

    def _app(self) -> Any:
        if self._celery is None:
            from celery import Celery

            self._celery = Celery("teamchat", broker=self.settings.broker_url)
            self._celery.conf.broker_connection_retry_on_startup = False
            self._celery.conf.broker_transport_options = {"max_retries": 0}
        return self._celery

    def enqueue(self, name: str, **kwargs: Any) -> None:
        try:
            self._app().send_task(name, kwargs=kwargs, retry=False)
        except Exception:
            log.warning("could not enqueue %s; the periodic sweep will catch up", name)

    def start(self, app: Flask) -> None:
        return None

    def stop(self) -> None:
        return None


def make_job_queue(settings: Settings) -> JobQueue:
    if settings.broker_url:
        return CeleryJobQueue(settings)
    return InProcessJobQueue(settings)
