"""The search-box parser: clauses, filters, and a clear QueryError for every bad input."""

from __future__ import annotations

import pytest

from search.dates import DAY_MS, day_start_ms
from search.errors import QueryError
from search.query import ClauseKind, FilterTerm, NameRef, TextClause, parse_query


def kinds(query: str) -> list[tuple[ClauseKind, tuple[str, ...]]]:
    return [(c.kind, c.terms) for c in parse_query(query).include]


def test_plain_words_are_terms() -> None:
    assert kinds("Hello WORLD") == [
        (ClauseKind.TERM, ("hello",)),
        (ClauseKind.TERM, ("world",)),
    ]


def test_phrase_keeps_order_and_raw_text() -> None:
    parsed = parse_query('"To be, or not"')
    assert parsed.include == (
        TextClause(ClauseKind.PHRASE, ("to", "be", "or", "not"), '"To be, or not"'),
    )


def test_curly_quotes_count_as_quotes() -> None:
    assert kinds("\u201cto be\u201d") == [(ClauseKind.PHRASE, ("to", "be"))]


def test_compounds_are_exact_whole_terms() -> None:
    assert kinds("ABC-123") == [(ClauseKind.EXACT, ("abc-123",))]
    assert kinds('"ABC-123"') == [(ClauseKind.EXACT, ("abc-123",))]
    assert kinds("#Release") == [(ClauseKind.EXACT, ("#release",))]
    assert kinds("bob@Example.com") == [(ClauseKind.EXACT, ("bob@example.com",))]


def test_cjk_words_become_bigram_phrases_and_single_chars_exact() -> None:
    assert kinds("東京都") == [(ClauseKind.PHRASE, ("東京", "京都"))]
    assert kinds("東京") == [(ClauseKind.TERM, ("東京",))]
    assert kinds("京") == [(ClauseKind.EXACT, ("京",))]


def test_punctuated_word_becomes_a_phrase() -> None:
    assert kinds("(foo!bar)") == [(ClauseKind.PHRASE, ("foo", "bar"))]


def test_prefix_is_folded() -> None:
    assert kinds("DÉPLOY*") == [(ClauseKind.PREFIX, ("deploy",))]
    assert kinds("(abc-1*") == [(ClauseKind.PREFIX, ("abc-1",))]
    assert kinds("#rel*") == [(ClauseKind.PREFIX, ("#rel",))]


def test_exclusions() -> None:
    parsed = parse_query('alpha -beta -"gamma delta" -eps*')
    assert [(c.kind, c.terms) for c in parsed.exclude] == [
        (ClauseKind.TERM, ("beta",)),
        (ClauseKind.PHRASE, ("gamma", "delta")),
        (ClauseKind.PREFIX, ("eps",)),
    ]


def test_a_dash_before_punctuation_is_not_an_exclusion() -> None:
    assert kinds("--verbose") == [(ClauseKind.TERM, ("verbose",))]
    assert parse_query("a - b").exclude == ()


def test_name_filters_in_all_forms() -> None:
    parsed = parse_query("from:@Ana from:bob in:#General in:dev in:@carl mentions:@me from:me")
    assert parsed.from_users == (
        NameRef("ana", "@"),
        NameRef("bob", ""),
        NameRef("me", "", is_me=True),
    )
    assert parsed.in_channels == (
        NameRef("general", "#"),
        NameRef("dev", ""),
        NameRef("carl", "@"),
    )
    assert parsed.mentions == (NameRef("me", "@", is_me=True),)
    assert parsed.filters[0] == FilterTerm("from", "@Ana")


def test_filter_names_are_case_insensitive_and_values_may_be_quoted() -> None:
    parsed = parse_query('FROM:ana In:"dev ops"')
    assert parsed.from_users == (NameRef("ana", ""),)
    assert parsed.in_channels == (NameRef("dev ops", ""),)


def test_trailing_punctuation_after_a_name_is_dropped() -> None:
    assert parse_query("from:@ana, hi").from_users == (NameRef("ana", "@"),)


def test_boolean_filters() -> None:
    parsed = parse_query("has:link has:reactions is:thread")
    assert (parsed.has_link, parsed.has_reaction, parsed.is_thread) == (True, True, True)


def test_date_bounds() -> None:
    day = day_start_ms("on", "2024-03-10")
    assert day == 1710028800000
    assert parse_query("before:2024-03-10").before_ms == day
    assert parse_query("after:2024-03-10").after_ms == day + DAY_MS
    on = parse_query("on:2024-03-10")
    assert (on.after_ms, on.before_ms) == (day, day + DAY_MS)
    both = parse_query("after:2024-03-01 after:2024-03-05 before:2024-03-20 before:2024-03-09")
    assert both.after_ms == day_start_ms("after", "2024-03-06")
    assert both.before_ms == day_start_ms("before", "2024-03-09")


def test_dates_follow_the_searchers_utc_offset() -> None:
    utc = parse_query("on:2024-03-10").after_ms
    assert utc is not None
    assert parse_query("on:2024-03-10", utc_offset_minutes=120).after_ms == utc - 2 * 3_600_000


def test_unknown_word_colon_is_plain_text() -> None:
    parsed = parse_query("error:timeout https://x.org/a?in:b")
    assert parsed.filters == ()
    assert [c.terms for c in parsed.include] == [("error:timeout",), ("https://x.org/a?in:b",)]


def test_only_filters_is_a_valid_query() -> None:
    parsed = parse_query("from:@ana")
    assert parsed.include == ()


def test_exclusion_plus_filter_is_valid() -> None:
    assert parse_query("-beta from:@ana").exclude


@pytest.mark.parametrize(
    ("query", "message_part"),
    [
        ("", "Type something"),
        ("   ", "Type something"),
        ('say "hello', "quote is not closed"),
        ('"', "quote is not closed"),
        ("from:", "needs a value"),
        ("in: x", "needs a value"),
        ('in:""', "needs a value"),
        ("from:@", "needs a name"),
        ("in:#", "needs a name"),
        ("before:yesterday", "expects a date"),
        ("on:2024-3-1", "expects a date"),
        ("after:2024-02-30", "not a date in the calendar"),
        ("before:2024-13-01", "not a date in the calendar"),
        ("after:2024-03-10 before:2024-03-11", "leave no day"),
        ("before:2024-03-01 after:2024-03-05", "leave no day"),
        ("on:2024-03-10 after:2024-03-10", "leave no day"),
        ("-foo", "only narrows"),
        ('-foo -"bar baz"', "only narrows"),
        ("has:pictures", "has: accepts"),
        ("is:open", "is: accepts"),
        ("-from:ana", "cannot be excluded"),
        ("!!! ...", "Nothing to search for"),
        ("*", "before the *"),
        ("x" * 1001, "too long"),
        (" ".join(f"w{i}" for i in range(31)), "Too many search terms"),
        (" ".join("has:link" for _ in range(21)), "Too many filters"),
        ('"' + "a " * 70 + '"', "at most 64 words"),
        ("from:" + "a" * 81, "too long"),
    ],
)
def test_malformed_queries_raise_query_error(query: str, message_part: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert message_part in info.value.message


def test_query_error_is_a_value_error_with_message() -> None:
    with pytest.raises(ValueError, match="quote"):
        parse_query('"')


def test_thousand_characters_is_allowed() -> None:
    parse_query("a" * 1000)
