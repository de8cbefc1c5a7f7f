"""Fixtures for search in the app: the `app` of tests/conftest.py with a search engine
chosen per test (local FTS5 or the Elasticsearch test node, a fresh index prefix each)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from teamchat import create_app
from tests.conftest import need_env, storage_settings, test_settings


@pytest.fixture(params=["local", "elasticsearch"])
def engine_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def search_settings(engine_kind: str) -> Iterator[dict[str, Any]]:
    prefix = f"t{uuid.uuid4().hex[:12]}-"
    if engine_kind == "local":
        yield {"search_backend": "local", "search_index_prefix": prefix}
        return
    url = need_env("TEAMCHAT_TEST_ES_URL")
    yield {
        "search_backend": "elasticsearch",
        "elasticsearch_url": url,
        "search_index_prefix": prefix,
    }
    delete_es_indexes(url, prefix)


def delete_es_indexes(url: str, prefix: str) -> None:
    from elasticsearch import Elasticsearch

    es = Elasticsearch(url)
    try:
        es.indices.delete(
            index=f"{prefix}messages-v*", ignore_unavailable=True, allow_no_indices=True
        )
    finally:
        es.close()


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """More settings for one test module (override this fixture)."""
    return {}


@pytest.fixture
def app(
    backend: str,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    search_settings: dict[str, Any],
    app_overrides: dict[str, Any],
) -> Iterator[Flask]:
    settings = test_settings(
        **{**storage_settings(backend, tmp_path, request), **search_settings, **app_overrides}
    )
    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    yield flask_app
    flask_app.extensions["teamchat"].close()
