"""Contract: versions, deletes, paging and reindexing behave the same on every engine."""

from __future__ import annotations

import pytest

from search.engine import Filters, SearchEngine
from search.errors import CursorError
from search.query import parse_query
from tests.search.conftest import doc, find, put


def test_older_version_is_ignored(engine: SearchEngine) -> None:
    put(engine, doc(1, "new words", version=2))
    put(engine, doc(1, "old words", version=1))
    assert find(engine, "new") == [1]
    assert find(engine, "old") == []


def test_same_version_is_idempotent(engine: SearchEngine) -> None:
    put(engine, doc(1, "hello there", version=3))
    put(engine, doc(1, "hello there", version=3))
    assert find(engine, "hello") == [1]


def test_newer_version_replaces_text_and_fields(engine: SearchEngine) -> None:
    put(engine, doc(1, "first draft", version=1, mention_user_ids=[7]))
    put(engine, doc(1, "second draft", version=2, channel_id=2))
    assert find(engine, "first") == []
    assert find(engine, "second") == [1]
    assert find(engine, "draft", channel_ids=(1,)) == []
    assert find(engine, "mentions:@me", mention_user_ids=[7]) == []


def test_delete_beats_an_older_reindex(engine: SearchEngine) -> None:
    put(engine, doc(1, "secret plan", version=2))
    engine.delete([(1, 3)])
    assert find(engine, "secret") == []
    put(engine, doc(1, "secret plan", version=2))
    assert find(engine, "secret") == []


def test_delete_wins_a_tie_of_versions(engine: SearchEngine) -> None:
    engine.delete([(1, 5)])
    put(engine, doc(1, "late arrival", version=5))
    assert find(engine, "late") == []


def test_older_delete_is_ignored(engine: SearchEngine) -> None:
    put(engine, doc(1, "edited text", version=4))
    engine.delete([(1, 2)])
    assert find(engine, "edited") == [1]


def test_newest_first_with_id_breaking_time_ties(engine: SearchEngine) -> None:
    put(
        engine,
        doc(10, "tick", created_at_ms=5000),
        doc(11, "tick", created_at_ms=5000),
        doc(12, "tick", created_at_ms=1000),
        doc(13, "tick", created_at_ms=9000),
    )
    assert find(engine, "tick") == [13, 11, 10, 12]


def _all_pages(engine: SearchEngine, limit: int, sort: str, between=None) -> list[int]:
    parsed = parse_query("tick")
    filters = Filters(channel_ids=[1])
    seen: list[int] = []
    cursor = None
    while True:
        engine.refresh()
        page = engine.search(parsed, filters, limit, cursor, sort)  # type: ignore[arg-type]
        seen.extend(page.ids)
        if between is not None:
            between()
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


@pytest.mark.parametrize("sort", ["newest", "relevance"])
def test_cursor_pages_neither_repeat_nor_skip(engine: SearchEngine, sort: str) -> None:
    put(engine, *(doc(i, "tick " * (1 + i % 3), created_at_ms=1000 + i // 2) for i in range(1, 24)))
    seen = _all_pages(engine, 5, sort)
    assert sorted(seen) == list(range(1, 24))
    if sort == "newest":
        assert seen == sorted(seen, reverse=True)


def test_cursor_is_stable_under_new_inserts(engine: SearchEngine) -> None:
    put(engine, *(doc(i, "tick") for i in range(1, 21)))
    fresh = iter(range(100, 200))

    def new_message() -> None:
        put(engine, doc(next(fresh), "tick"))

    seen = _all_pages(engine, 6, "newest", between=new_message)
    assert seen == list(range(20, 0, -1))


def test_bad_cursor_is_a_query_error(engine: SearchEngine) -> None:
    put(engine, doc(1, "tick"), doc(2, "tick"))
    parsed = parse_query("tick")
    filters = Filters(channel_ids=[1])
    with pytest.raises(CursorError):
        engine.search(parsed, filters, 1, "not-a-cursor")
    newest = engine.search(parsed, filters, 1).next_cursor
    with pytest.raises(CursorError):
        engine.search(parsed, filters, 1, newest, "relevance")


def test_health(engine: SearchEngine) -> None:
    assert engine.health() is True


def test_reindex_with_writes_during_the_rebuild(engine: SearchEngine) -> None:
    put(engine, doc(1, "keep me", version=1), doc(2, "edit me", version=1), doc(3, "drop me"))
    name = engine.create_new_index()
    # Writes while the rebuild runs: they reach the live index and the new one.
    put(engine, doc(4, "brand new message"), doc(2, "edited text", version=2))
    engine.delete([(3, 2)])
    assert find(engine, "edited") == [2]
    # The backfill read its rows before those writes landed: stale versions.
    engine.index(
        [doc(1, "keep me"), doc(2, "edit me", version=1), doc(3, "drop me")], index_name=name
    )
    engine.swap_alias(name)
    assert find(engine, "keep") == [1]
    assert find(engine, "edit") == []
    assert find(engine, "edited") == [2]
    assert find(engine, "drop") == []
    assert find(engine, "brand") == [4]
    # After the swap, writes keep going to the new live index.
    put(engine, doc(5, "after swap"))
    assert find(engine, "after") == [5]


def test_abandoned_rebuild_leaves_the_live_index_alone(engine: SearchEngine) -> None:
    put(engine, doc(1, "stays"))
    name = engine.create_new_index()
    engine.drop_index(name)
    put(engine, doc(2, "stays too"))
    assert find(engine, "stays") == [2, 1]
    with pytest.raises(ValueError):
        engine.swap_alias(name)
