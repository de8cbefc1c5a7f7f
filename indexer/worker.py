"""Entry point: `celery -A indexer.worker worker` and `celery -A indexer.worker beat`."""

from indexer.celery_app import make_celery

celery_app = make_celery()
