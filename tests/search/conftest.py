"""Fixtures for the search tests: a fresh engine of each kind, and small helpers.

The ES node comes from TEAMCHAT_TEST_ES_URL; without it the ES cases are
skipped, or fail when TEAMCHAT_TEST_REQUIRE_SERVICES=1. Each test gets its own
index prefix under one per-session prefix, and every index is deleted after.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from search.engine import Document, Filters, SearchEngine
from search.local_engine import LocalEngine
from search.query import parse_query

_counter = itertools.count(1)


def _delete_indexes(client: Any, pattern: str) -> None:
    # ES refuses wildcard deletes by default (destructive_requires_name): name each one.
    found = client.indices.get_alias(index=pattern, allow_no_indices=True, ignore_unavailable=True)
    for name in found.body:
        client.indices.delete(index=name)


@pytest.fixture(scope="session")
def es_session() -> Iterator[tuple[Any, str]]:
    url = os.environ.get("TEAMCHAT_TEST_ES_URL")
    if not url:
        if os.environ.get("TEAMCHAT_TEST_REQUIRE_SERVICES") == "1":
            pytest.fail("TEAMCHAT_TEST_ES_URL is not set and TEAMCHAT_TEST_REQUIRE_SERVICES=1")
        pytest.skip("TEAMCHAT_TEST_ES_URL is not set")
    from elasticsearch import Elasticsearch

    client = Elasticsearch(url, request_timeout=30)
    prefix = f"test-{uuid.uuid4().hex[:12]}-"
    yield client, prefix
    _delete_indexes(client, f"{prefix}*")
    client.close()


@pytest.fixture(params=["local", pytest.param("es", marks=pytest.mark.es)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SearchEngine]:
    """A fresh, empty engine: local on a temp file, or ES under a unique prefix."""
    if request.param == "local":
        local = LocalEngine(str(tmp_path / "search.db"))
        local.ensure_index()
        yield local
        local.close()
        return
    from search.es_engine import ElasticsearchEngine

    client, session_prefix = request.getfixturevalue("es_session")
    prefix = f"{session_prefix}{next(_counter)}-"
    es = ElasticsearchEngine(client, prefix=prefix)
    es.ensure_index()
    yield es
    _delete_indexes(client, f"{prefix}*")


def doc(
    message_id: int,
    text: str,
    *,
    channel_id: int = 1,
    author_id: int = 100,
    created_at_ms: int | None = None,
    version: int = 1,
    **fields: Any,
) -> Document:
    """A document whose time defaults to its id, so newest-first is id order."""
    return Document(
        message_id=message_id,
        channel_id=channel_id,
        workspace_id=1,
        author_id=author_id,
        text=text,
        created_at_ms=message_id * 1000 if created_at_ms is None else created_at_ms,
        version=version,
        **fields,
    )


def find(
    engine: SearchEngine,
    query: str,
    *,
    channel_ids: tuple[int, ...] = (1, 2, 3),
    limit: int = 100,
    **filters: Any,
) -> list[int]:
    engine.refresh()
    parsed = parse_query(query)
    resolved = Filters.for_query(parsed, channel_ids=list(channel_ids), **filters)
    return engine.search(parsed, resolved, limit).ids


def put(engine: SearchEngine, *docs: Document) -> None:
    engine.index(list(docs))
    engine.refresh()
