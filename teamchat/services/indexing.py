"""Draining the search outbox into the search engine (run by Celery or the job thread)."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def drain_outbox_job(shard: int | None = None) -> None:
    """Index every pending outbox row of one shard (or all)."""
    log.debug("drain_outbox shard=%s: search indexing is not wired yet", shard)


def sweep_job() -> None:
    drain_outbox_job(None)
