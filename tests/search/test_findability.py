"""Contract: what a user types finds what was written, on every engine."""

from __future__ import annotations

import pytest

from search.engine import SearchEngine
from tests.search.conftest import doc, find, put


def test_accents_and_case_fold(engine: SearchEngine) -> None:
    put(engine, doc(1, "José Núñez arrived"), doc(2, "Jose\u0301 decomposed"), doc(3, "joseph"))
    for query in ("jose", "JOSE", "José", "Jose\u0301", "JOSÉ"):
        assert find(engine, query) == [2, 1], query
    assert find(engine, "nunez") == [1]


def test_compatibility_forms_fold(engine: SearchEngine) -> None:
    put(engine, doc(1, "ＡＢＣ team in Straße ﬁle"))
    assert find(engine, "abc") == [1]
    assert find(engine, "strasse") == [1]
    assert find(engine, "file") == [1]


def test_ticket_id_whole_case_insensitive_and_exact(engine: SearchEngine) -> None:
    put(
        engine,
        doc(1, "fixed ABC-123 today"),
        doc(2, "ABC-1234 is another ticket"),
        doc(3, "ABC team said page 123 was fine"),
        doc(4, "see abc-123."),
    )
    assert find(engine, "ABC-123") == [4, 1]
    assert find(engine, "abc-123") == [4, 1]
    assert find(engine, '"ABC-123"') == [4, 1]
    assert find(engine, "ABC-1234") == [2]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("snake_case", [1]),
        ("snake", [1]),
        ("case", [1]),
        ("os.path.join", [2]),
        ("os.path", [2]),
        ("path", [2]),
        ("join", [2]),
        ("report_final.pdf", [3]),
        ("report_final", [3]),
        ("final", [3]),
        ("pdf", [3]),
    ],
)
def test_identifiers_by_whole_and_parts(
    engine: SearchEngine, query: str, expected: list[int]
) -> None:
    put(
        engine,
        doc(1, "the snake_case helper"),
        doc(2, "call os.path.join there"),
        doc(3, "open report_final.pdf please"),
    )
    assert find(engine, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "wiki.example.org",
        "example.org",
        "runbook",
        "platform",
        "teams/platform",
        "https://wiki.example.org/teams/platform/runbook?id=7",
        "wiki.example.org/teams/platform/runbook",
    ],
)
def test_url_by_host_path_and_whole(engine: SearchEngine, query: str) -> None:
    put(
        engine,
        doc(1, "notes at https://wiki.example.org/teams/platform/runbook?id=7."),
        doc(2, "unrelated https://other.example.net/x"),
    )
    assert find(engine, query) == [1]


def test_whole_url_does_not_match_another_page_of_the_host(engine: SearchEngine) -> None:
    put(engine, doc(1, "https://wiki.example.org/a"), doc(2, "https://wiki.example.org/b"))
    assert find(engine, "https://wiki.example.org/a") == [1]
    assert find(engine, "wiki.example.org") == [2, 1]


def test_email_whole_local_part_and_domain(engine: SearchEngine) -> None:
    put(
        engine,
        doc(1, "mail ana.lopez@example.com today"),
        doc(2, "or bob@example.com"),
        doc(3, "mary.lopez@other.org"),
    )
    assert find(engine, "ana.lopez@example.com") == [1]
    assert find(engine, "bob@example.com") == [2]
    assert find(engine, "lopez@example.com") == []
    assert find(engine, "ana.lopez") == [1]
    assert find(engine, "example.com") == [2, 1]
    assert find(engine, "lopez") == [3, 1]


def test_hashtags_are_tags(engine: SearchEngine) -> None:
    put(engine, doc(1, "ship it #release-2024"), doc(2, "#ops rocks"), doc(3, "ops and release"))
    assert find(engine, "#release-2024") == [1]
    assert find(engine, "#ops") == [2]
    assert find(engine, "ops") == [3, 2]
    assert find(engine, "release") == [3, 1]


def test_mentions_whole_and_parts(engine: SearchEngine) -> None:
    put(engine, doc(1, "thanks @ana.lopez!"), doc(2, "ana said"))
    assert find(engine, "@ana.lopez") == [1]
    assert find(engine, "ana") == [2, 1]


def test_stop_words_are_kept(engine: SearchEngine) -> None:
    put(engine, doc(1, "what about it"), doc(2, "about what"), doc(3, "whatever"))
    assert find(engine, "what about") == [2, 1]
    assert find(engine, '"what about"') == [1]


def test_phrases_keep_word_positions(engine: SearchEngine) -> None:
    put(engine, doc(1, "to be or not to be"), doc(2, "to be, maybe not or"))
    assert find(engine, '"to be or not"') == [1]
    assert find(engine, '"TO BE, OR NOT"') == [1]
    assert find(engine, "to be or not") == [2, 1]


def test_compound_parts_do_not_shift_phrase_positions(engine: SearchEngine) -> None:
    put(engine, doc(1, "merge ABC-123 into main today"))
    assert find(engine, '"into main today"') == [1]
    assert find(engine, '"merge abc 123 into"') == [1]


@pytest.mark.parametrize("query", ["deploy*", "DEPLOY*", "Deplo*", "dépl*"])
def test_prefix_whatever_its_case(engine: SearchEngine, query: str) -> None:
    put(engine, doc(1, "Deployment finished"), doc(2, "redeploy later"))
    assert find(engine, query) == [1]


def test_prefix_reaches_whole_compounds(engine: SearchEngine) -> None:
    put(engine, doc(1, "ABC-123 done"), doc(2, "ABC-99 open"))
    assert find(engine, "abc-1*") == [1]
    assert find(engine, "#rel*") == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("東京", [1]),
        ("京都", [1]),
        ("住んで", [1]),
        ("京", [1]),
        ("특별", [2]),
        ("明天", [3]),
        ("大阪", []),
    ],
)
def test_cjk_words_inside_unspaced_text(
    engine: SearchEngine, query: str, expected: list[int]
) -> None:
    put(
        engine,
        doc(1, "私は東京都に住んでいます"),
        doc(2, "서울특별시에 살아요"),
        doc(3, "我们明天开会"),
    )
    assert find(engine, query) == expected


def test_emoji_with_and_without_variation_selector(engine: SearchEngine) -> None:
    put(engine, doc(1, "great job 👍🏽"), doc(2, "love it ❤️"), doc(3, "plain ❤"))
    assert find(engine, "❤") == [3, 2]
    assert find(engine, "❤️") == [3, 2]
    assert find(engine, "👍") == [1]


def test_unknown_word_colon_is_plain_text(engine: SearchEngine) -> None:
    put(engine, doc(1, "got error:timeout again"), doc(2, "error and timeout"))
    assert find(engine, "error:timeout") == [1]


@pytest.mark.parametrize(
    "query",
    ["foo) OR (bar", "a AND b", "{x} [y] ^2 ~3", "\\ / : ! foo", "body:foo", "*foo", "NOT x"],
)
def test_engine_syntax_in_user_text_is_harmless(engine: SearchEngine, query: str) -> None:
    put(engine, doc(1, "foo bar"))
    assert isinstance(find(engine, query), list)
