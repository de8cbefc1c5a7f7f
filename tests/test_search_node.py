"""The search node the suite runs against is a real Elasticsearch 8 server.

Needs TEAMCHAT_TEST_ES_URL (scripts/services.sh starts a node and prints it).
Without it the test is skipped, or fails when TEAMCHAT_TEST_REQUIRE_SERVICES=1.
"""

import os
import uuid

import pytest

pytestmark = pytest.mark.es


def _service_url(var: str) -> str:
    url = os.environ.get(var)
    if url:
        return url
    message = f'{var} is not set (run scripts/test.sh, or: eval "$(scripts/services.sh env)")'
    if os.environ.get("TEAMCHAT_TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " but TEAMCHAT_TEST_REQUIRE_SERVICES=1")
    pytest.skip(message)


@pytest.fixture
def es():
    from elasticsearch import Elasticsearch

    client = Elasticsearch(_service_url("TEAMCHAT_TEST_ES_URL"), request_timeout=30)
    try:
        yield client
    finally:
        client.close()


def test_node_is_elasticsearch_8(es):
    # GET / does not exist on the test distribution: ask the cluster instead.
    health = es.cluster.health(wait_for_status="yellow", timeout="30s")
    assert health["status"] in ("green", "yellow")
    nodes = es.nodes.info(node_id="_local", metric="settings")["nodes"]
    (node,) = nodes.values()
    assert node["version"].startswith("8."), node["version"]


def test_index_search_delete_roundtrip(es):
    index = f"teamchat-test-node-{uuid.uuid4().hex}"
    es.indices.create(
        index=index,
        settings={"number_of_shards": 1, "number_of_replicas": 0},
        mappings={
            "properties": {
                "tokens": {"type": "text", "analyzer": "whitespace"},
                "channel_id": {"type": "long"},
                "kind": {"type": "keyword"},
            }
        },
    )
    try:
        es.index(
            index=index,
            id="42",
            document={"tokens": "héllo wörld 日本 本語 🎉", "channel_id": 7, "kind": "message"},
        )
        es.index(index=index, id="43", document={"tokens": "other", "channel_id": 8})
        es.indices.refresh(index=index)

        found = es.search(
            index=index,
            query={
                "bool": {
                    "must": [{"match": {"tokens": "wörld"}}],
                    "filter": [{"terms": {"channel_id": [7]}}],
                }
            },
        )
        assert [hit["_id"] for hit in found["hits"]["hits"]] == ["42"]
        phrase = es.search(index=index, query={"match_phrase": {"tokens": "日本 本語"}})
        assert phrase["hits"]["total"]["value"] == 1
        emoji = es.search(index=index, query={"term": {"tokens": "🎉"}})
        assert emoji["hits"]["total"]["value"] == 1
    finally:
        es.indices.delete(index=index)
    assert not es.indices.exists(index=index)


@pytest.mark.parametrize("analyzer", ["standard", "whitespace", "keyword"])
def test_builtin_analyzers_exist(es, analyzer):
    # The test distribution has no analysis-common module: only built-ins.
    result = es.indices.analyze(analyzer=analyzer, text="Hello World")
    assert result["tokens"]
