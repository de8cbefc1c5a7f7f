"""Builds the configured search engine from settings (the engines live in `search/`)."""

from __future__ import annotations

from typing import Any

from teamchat.config import Settings


def make_engine(settings: Settings) -> Any:
    if settings.search_backend == "elasticsearch":
        from search.es_engine import ElasticsearchEngine

        return ElasticsearchEngine(settings.elasticsearch_url, prefix=settings.search_index_prefix)
    if settings.search_backend == "local":
        from search.local_engine import LocalEngine

        settings.data_path.mkdir(parents=True, exist_ok=True)
        return LocalEngine(str(settings.data_path / "search.db"))
    raise ValueError(f"unknown search backend {settings.search_backend!r}")
