"""The Celery app of the indexer: broker from teamchat Settings, tasks run in a Flask
app context, and beat's schedule for the periodic outbox sweep.

    celery -A indexer.worker worker     # runs index.drain_outbox and index.sweep
    celery -A indexer.worker beat       # sends index.sweep every outbox_sweep_seconds
"""

from __future__ import annotations

from typing import Any

from celery import Celery, Task
from celery.signals import worker_process_init
from flask import Flask

from teamchat import create_app
from teamchat.config import Settings


def celery_init_app(app: Flask) -> Celery:
    """A Celery app bound to `app`: every task body runs inside its app context."""
    settings: Settings = app.extensions["teamchat"].settings
    if not settings.broker_url:
        raise RuntimeError("TEAMCHAT_BROKER_URL is not set: the indexer needs a Celery broker")

    class FlaskTask(Task):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            with app.app_context():
                return self.run(*args, **kwargs)

    celery_app = Celery(app.name, task_cls=FlaskTask, include=["indexer.tasks"])
    celery_app.conf.update(
        broker_url=settings.broker_url,
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        # A job is acknowledged once done, so a worker that dies mid-drain leaves it
        # queued; drains are idempotent, so running one twice is harmless.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        beat_schedule={
            "index-sweep": {
                "task": "index.sweep",
                "schedule": settings.outbox_sweep_seconds,
                # Sweeps piled up while no worker ran are dropped: the next one does it all.
                "options": {"expires": settings.outbox_sweep_seconds},
            },
        },
    )
    celery_app.set_default()
    app.extensions["celery"] = celery_app

    def fresh_connections(**_kwargs: Any) -> None:
        # A forked pool process must not share the parent's database connections.
        dbs = app.extensions["teamchat"].dbs
        for engine in [dbs.directory_engine, *dbs.shard_engines]:
            engine.dispose(close=False)

    worker_process_init.connect(fresh_connections, weak=False)
    return celery_app


def make_celery(settings: Settings | None = None) -> Celery:
    """The worker's Celery app, with a TeamChat app that runs no background thread."""
    settings = settings or Settings.from_env()
    flask_app = create_app(settings.with_overrides(start_background=False))
    return celery_init_app(flask_app)
