"""Highlight spans: code points of the original text, for positive clauses only."""

from __future__ import annotations

from search.highlight import highlight, merge_spans
from search.query import parse_query


def marked(text: str, query: str) -> list[str]:
    return [text[s:e] for s, e in highlight(text, parse_query(query))]


def test_terms_fold_to_the_original_spelling() -> None:
    assert marked("José and JOSE and jose", "jose") == ["José", "JOSE", "jose"]


def test_decomposed_accent_is_inside_the_span() -> None:
    text = "hi Jose\u0301!"
    assert highlight(text, parse_query("jose")) == [[3, 8]]


def test_offsets_are_code_points_past_astral_characters() -> None:
    text = "👍🏽 great 東京 great"
    assert highlight(text, parse_query("great")) == [[3, 8], [12, 17]]


def test_phrase_spans_first_to_last_word() -> None:
    assert marked("so, to be, or not to be", '"to be or not"') == ["to be, or not"]


def test_compound_whole_and_prefix() -> None:
    assert marked("see ABC-123 and ABC-1234", "ABC-123") == ["ABC-123"]
    assert marked("Deployment and deploys", "deploy*") == ["Deployment", "deploys"]


def test_url_email_tag_mention() -> None:
    text = "ask @Ana via ana@x.org about #ops at https://x.org/a/b."
    assert marked(text, "x.org") == ["x.org", "x.org"]
    assert marked(text, "@ana") == ["@Ana"]
    assert marked(text, "#ops") == ["#ops"]
    assert marked(text, "https://x.org/a/b") == ["https://x.org/a/b"]


def test_cjk_and_emoji() -> None:
    assert marked("私は東京都に", "京都") == ["京都"]
    assert marked("私は東京都に", "東京都") == ["東京都"]
    assert marked("nice ❤️ and ❤", "❤") == ["❤️", "❤"]


def test_overlapping_matches_merge() -> None:
    assert marked("to be or not", '"to be" "be or" not') == ["to be or", "not"]


def test_exclusions_and_filters_are_not_highlighted() -> None:
    assert marked("alpha beta", "alpha -beta from:@ana") == ["alpha"]
    assert highlight("alpha", parse_query("from:@ana")) == []


def test_merge_spans() -> None:
    assert merge_spans([(5, 8), (0, 2), (1, 3), (8, 9)]) == [[0, 3], [5, 9]]
    assert merge_spans([]) == []
