"""Contract: operators, filters and permissions behave the same on every engine."""

from __future__ import annotations

import pytest

from search.dates import day_start_ms
from search.engine import Filters, SearchEngine
from search.query import parse_query
from tests.search.conftest import doc, find, put

DAY = 86_400_000


@pytest.fixture
def chat(engine: SearchEngine) -> SearchEngine:
    """A small history across three channels, two authors and several days."""
    base = day_start_ms("on", "2024-03-10")
    put(
        engine,
        doc(1, "alpha beta gamma", channel_id=1, author_id=100, created_at_ms=base),
        doc(2, "alpha only", channel_id=1, author_id=200, created_at_ms=base + DAY),
        doc(
            3,
            "beta with https://example.com",
            channel_id=2,
            author_id=100,
            created_at_ms=base + 2 * DAY,
            has_link=True,
        ),
        doc(
            4,
            "alpha in a thread",
            channel_id=2,
            author_id=200,
            created_at_ms=base + 3 * DAY,
            is_thread=True,
            thread_root_id=3,
            has_reaction=True,
        ),
        doc(
            5,
            "hey @ana alpha beta",
            channel_id=3,
            author_id=100,
            created_at_ms=base + 4 * DAY,
            mention_user_ids=[300],
        ),
    )
    return engine


def test_words_are_all_required(chat: SearchEngine) -> None:
    assert find(chat, "alpha beta") == [5, 1]
    assert find(chat, "alpha") == [5, 4, 2, 1]


def test_exclusions(chat: SearchEngine) -> None:
    assert find(chat, "alpha -beta") == [4, 2]
    assert find(chat, 'alpha -"alpha beta"') == [4, 2]
    assert find(chat, "alpha -thr*") == [5, 2, 1]
    assert find(chat, "beta -#nothing") == [5, 3, 1]


def test_exclusion_with_only_filters(chat: SearchEngine) -> None:
    assert find(chat, "-beta from:x", author_ids=[100]) == []
    assert find(chat, "-gamma from:x", author_ids=[100]) == [5, 3]


def test_from_filter_takes_resolved_authors(chat: SearchEngine) -> None:
    assert find(chat, "alpha from:@bob", author_ids=[200]) == [4, 2]
    assert find(chat, "alpha from:nobody", author_ids=[]) == []


def test_in_filter_takes_resolved_channels(chat: SearchEngine) -> None:
    assert find(chat, "alpha in:#one", in_channel_ids=[1]) == [2, 1]
    assert find(chat, "alpha in:one in:two", in_channel_ids=[1, 2]) == [4, 2, 1]


def test_dates(chat: SearchEngine) -> None:
    assert find(chat, "alpha on:2024-03-11") == [2]
    assert find(chat, "alpha after:2024-03-11") == [5, 4]
    assert find(chat, "alpha before:2024-03-11") == [1]
    assert find(chat, "alpha after:2024-03-10 before:2024-03-14") == [4, 2]


def test_has_and_is_filters(chat: SearchEngine) -> None:
    assert find(chat, "has:link") == [3]
    assert find(chat, "has:reaction") == [4]
    assert find(chat, "is:thread") == [4]
    assert find(chat, "beta has:link") == [3]


def test_mentions_filter(chat: SearchEngine) -> None:
    assert find(chat, "mentions:@me", mention_user_ids=[300]) == [5]
    assert find(chat, "alpha mentions:@ana", mention_user_ids=[100]) == []


def test_filters_only_query(chat: SearchEngine) -> None:
    assert find(chat, "from:@ana", author_ids=[100]) == [5, 3, 1]


def test_permitted_channels_bound_every_search(chat: SearchEngine) -> None:
    assert find(chat, "alpha", channel_ids=(1,)) == [2, 1]
    assert find(chat, "alpha", channel_ids=(2, 3)) == [5, 4]
    assert find(chat, "alpha", channel_ids=()) == []
    # in: cannot widen what the searcher may read.
    assert find(chat, "alpha", channel_ids=(1,), in_channel_ids=[2]) == []


def test_excluded_message_ids(chat: SearchEngine) -> None:
    assert find(chat, "alpha", exclude_message_ids=[2, 5]) == [4, 1]


def test_total_counts_all_matches_not_the_page(chat: SearchEngine) -> None:
    parsed = parse_query("alpha")
    result = chat.search(parsed, Filters(channel_ids=[1, 2, 3]), limit=2)
    assert result.ids == [5, 4]
    assert result.total == 4
    assert result.next_cursor is not None


def test_relevance_sort_returns_the_same_matches(chat: SearchEngine) -> None:
    parsed = parse_query("alpha")
    result = chat.search(parsed, Filters(channel_ids=[1, 2, 3]), limit=10, sort="relevance")
    assert sorted(result.ids) == [1, 2, 4, 5]
    assert result.total == 4
