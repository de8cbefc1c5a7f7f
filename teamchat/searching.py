"""Builds the configured search engine from settings (the engines live in `search/`)."""

from __future__ import annotations

import re
from typing import Any

from teamchat.config import Settings


def make_engine(settings: Settings) -> Any:
    """A ready engine: its live index exists (created on first use of an empty cluster)."""
    if settings.search_backend == "elasticsearch":
        from search.es_engine import ElasticsearchEngine

        engine: Any = ElasticsearchEngine(
            settings.elasticsearch_url, prefix=settings.search_index_prefix
        )
    elif settings.search_backend == "local":
        from search.local_engine import LocalEngine

        settings.data_path.mkdir(parents=True, exist_ok=True)
        engine = LocalEngine(
            str(settings.data_path / "search.db"), prefix=local_prefix(settings.search_index_prefix)
        )
    else:
        raise ValueError(f"unknown search backend {settings.search_backend!r}")
    try:
        ensure_index(engine)
    except Exception:
        engine.close()
        raise
    return engine


def ensure_index(engine: Any) -> None:
    """`engine.ensure_index()`, tried twice: when two processes create the first index
    at once, the ES engine's loser fails (its retry asks for a second write index)
    even though the index now exists, and a second call finds it."""
    from search.errors import EngineError

    try:
        engine.ensure_index()
    except EngineError:
        engine.ensure_index()


def local_prefix(prefix: str) -> str:
    """The local engine names SQLite tables: only a-z, 0-9 and _ (so `teamchat-` -> `teamchat_`)."""
    return re.sub(r"[^a-z0-9_]", "_", prefix.lower())
