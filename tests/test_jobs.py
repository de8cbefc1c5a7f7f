"""The in-process job worker: the periodic outbox sweep runs on its interval, busy or not."""

from __future__ import annotations

import threading

from flask import Flask

from teamchat.config import Settings
from teamchat.jobs import PERIODIC, InProcessJobQueue


def test_the_periodic_sweep_runs_while_the_queue_is_never_idle() -> None:
    jobs: InProcessJobQueue
    swept = threading.Event()
    done = threading.Event()
    ran: list[int] = []

    def busy(n: int) -> None:
        # Steady traffic: the next job is queued before this one ends, so the worker
        # never finds the queue empty.
        ran.append(n)
        if not done.is_set():
            jobs.enqueue("busy", n=n + 1)
        done.wait(0.002)  # not a spin

    def sweep() -> None:
        swept.set()

    functions = {"busy": busy, **{name: sweep for name in PERIODIC}}
    jobs = InProcessJobQueue(Settings(outbox_sweep_seconds=0.05), functions=functions)
    jobs.start(Flask(__name__))
    try:
        jobs.enqueue("busy", n=0)
        assert swept.wait(30), f"no sweep after {len(ran)} jobs of steady traffic"
        before = len(ran)
        swept.clear()
        assert swept.wait(30), "the sweep ran once, not on its interval"
        assert len(ran) > before  # the traffic went on meanwhile: the queue never idled
    finally:
        done.set()
        jobs.stop()
    assert ran == list(range(len(ran)))


def test_an_idle_queue_sweeps_too() -> None:
    swept = threading.Event()
    jobs = InProcessJobQueue(
        Settings(outbox_sweep_seconds=0.05), functions={name: swept.set for name in PERIODIC}
    )
    jobs.start(Flask(__name__))
    try:
        assert swept.wait(30)
    finally:
        jobs.stop()
