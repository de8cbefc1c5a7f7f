"""Celery tasks, named like the jobs teamchat enqueues (teamchat.jobs.job_functions).

Each re-reads the outbox it drains, so a duplicate, late or retried task is harmless;
a failed one leaves its rows for the periodic sweep.
"""

from __future__ import annotations

from celery import shared_task

from teamchat.services import indexing


@shared_task(name="index.drain_outbox")
def drain_outbox(shard: int | None = None) -> int:
    return indexing.drain_outbox_job(shard)


@shared_task(name="index.sweep")
def sweep() -> int:
    return indexing.sweep_job()
