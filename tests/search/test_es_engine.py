"""The ES engine's own duties: strict mapping, tombstones, queries built without user syntax."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from search.engine import Filters
from search.es_engine import ElasticsearchEngine
from search.es_query import search_query
from search.query import parse_query
from tests.search.conftest import _delete_indexes, doc, put


@pytest.fixture
def es(es_session: tuple[Any, str]) -> Iterator[ElasticsearchEngine]:
    client, session_prefix = es_session
    prefix = f"{session_prefix}own-"
    engine = ElasticsearchEngine(client, prefix=prefix)
    engine.ensure_index()
    yield engine
    _delete_indexes(client, f"{prefix}*")


def test_query_keeps_user_text_out_of_query_parsers() -> None:
    parsed = parse_query('title:(x OR y) AND "a b" -c* ABC-123')
    body = json.dumps(search_query(parsed, Filters(channel_ids=[7], exclude_message_ids=[9])))
    assert "query_string" not in body
    assert "simple_query_string" not in body
    dsl = search_query(parsed, Filters(channel_ids=[7], exclude_message_ids=[9]))["bool"]
    assert {"terms": {"channel_id": [7]}} in dsl["filter"]
    assert {"terms": {"message_id": [9]}} in dsl["must_not"]


def test_unreachable_node_is_unhealthy() -> None:
    engine = ElasticsearchEngine("http://127.0.0.1:9", request_timeout=1)
    assert engine.health() is False
    engine.close()


@pytest.mark.es
def test_mapping_is_strict_with_whitespace_token_fields(es: ElasticsearchEngine) -> None:
    name = es.live_index()
    mapping = es.client.indices.get_mapping(index=name)[name]["mappings"]
    assert mapping["dynamic"] == "strict"
    assert mapping["properties"]["body"]["analyzer"] == "whitespace"
    assert es.client.indices.exists_alias(name=es.alias)


@pytest.mark.es
def test_documents_hold_tokens_and_tombstones_hold_no_content(es: ElasticsearchEngine) -> None:
    put(es, doc(1, "Hello ABC-123"))
    source = es.client.get(index=es.alias, id="1")["_source"]
    assert source["body"] == "hello abc 123"
    assert source["extra"] == "abc-123"
    es.delete([(1, 2)])
    tomb = es.client.get(index=es.alias, id="1")
    assert tomb["_source"] == {"message_id": 1, "version": 2, "deleted": True}
    assert tomb["_version"] == 5


@pytest.mark.es
def test_ensure_index_is_idempotent(es: ElasticsearchEngine) -> None:
    first = es.live_index()
    es.ensure_index()
    assert es.live_index() == first


@pytest.mark.es
def test_write_racing_a_swap_neither_fails_nor_creates_an_index(es: ElasticsearchEngine) -> None:
    # The writer saw a rebuild, then the swap removed the -next alias before its bulk landed.
    source = {"message_id": 1, "version": 1, "deleted": True}
    es._bulk([es.alias, es.next_alias], [(1, 3, source)])
    assert not es.client.indices.exists(index=es.next_alias)


@pytest.mark.es
def test_concurrent_ensure_index_leaves_one_live_index(es_session: tuple[Any, str]) -> None:
    import threading

    client, session_prefix = es_session
    prefix = f"{session_prefix}race-"
    engines = [ElasticsearchEngine(client, prefix=prefix) for _ in range(4)]
    threads = [threading.Thread(target=e.ensure_index) for e in engines]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        holders = [n for n, held in engines[0]._indexes().items() if engines[0].alias in held]
        assert len(holders) == 1
    finally:
        _delete_indexes(client, f"{prefix}*")
