"""Text analysis: folding, segmentation, token streams and offsets into the original."""

from __future__ import annotations

import pytest

from search.analysis import MAX_TERM_LENGTH, analyze, cap_term
from search.normalize import fold
from search.scanner import Kind


def body(text: str) -> list[str]:
    return [t.term for t in analyze(text).body]


def extra(text: str) -> list[str]:
    return [t.term for t in analyze(text).extra]


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("José", "jose"),
        ("Jose\u0301", "jose"),
        ("ÅNGSTRÖM", "angstrom"),
        ("Straße", "strasse"),
        ("ＡＢＣ１２３", "abc123"),
        ("ﬁne", "fine"),
        ("İstanbul", "istanbul"),
        ("Øre Łódź", "ore lodz"),
        ("don’t", "don't"),
        ("が", "が"),  # dakuten changes the kana: kept
        ("❤️", "❤"),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text).text == folded


def test_fold_maps_back_to_original_code_points() -> None:
    text = "a Jose\u0301 ﬁ"
    folded = fold(text)
    assert folded.text == "a jose fi"
    assert folded.span(2, 6) == (2, 7)  # the combining accent belongs to the "e"
    assert folded.span(7, 9) == (8, 9)  # both "f" and "i" come from the ligature


def test_token_offsets_point_into_the_original_text() -> None:
    text = "Hé ＡＢＣ-123 at https://x.org/p 東京 👍🏽"
    analysis = analyze(text)
    for tok in (*analysis.body, *analysis.extra):
        # Folding the original slice gives the term back (skin tones are dropped from terms).
        assert fold(text[tok.start : tok.end]).text.replace("\U0001f3fd", "") == tok.term


def test_body_positions_are_consecutive() -> None:
    tokens = analyze("merge ABC-123 into main, then 東京都 👍").body
    assert [t.position for t in tokens] == list(range(len(tokens)))


def test_tokens_never_contain_whitespace() -> None:
    text = "a\u00a0b\u2003c\u3000d https://x.org/a b@c.io\tfoo_bar"
    for tok in (*analyze(text).body, *analyze(text).extra):
        assert not any(ch.isspace() for ch in tok.term), tok


def test_compound_split_and_whole() -> None:
    assert body("ABC-123") == ["abc", "123"]
    assert extra("ABC-123") == ["abc-123"]
    assert "snake_case" in extra("snake_case_name")
    assert "case_name" in extra("snake_case_name")
    assert extra("report_final.pdf")[-1] == "report_final.pdf"


def test_trailing_punctuation_is_not_part_of_a_compound() -> None:
    assert extra("see ABC-123.") == ["abc-123"]
    assert extra("(os.path)") == ["os.path"]


def test_url_segment_and_sub_compounds() -> None:
    analysis = analyze("go to https://github.com/org/repo/issues/42).")
    assert analysis.units[-1].kind is Kind.URL
    assert analysis.units[-1].whole == "https://github.com/org/repo/issues/42"
    terms = [t.term for t in analysis.extra]
    assert "github.com" in terms
    assert "github.com/org/repo" in terms
    assert body("go to https://github.com/org/repo/issues/42).") == [
        "go",
        "to",
        "https",
        "github",
        "com",
        "org",
        "repo",
        "issues",
        "42",
    ]


def test_url_keeps_balanced_parentheses() -> None:
    unit = analyze("https://en.wikipedia.org/wiki/Python_(language)").units[0]
    assert unit.whole == "https://en.wikipedia.org/wiki/python_(language"


def test_email_parts_never_cross_the_at_sign() -> None:
    terms = extra("ana.lopez@example.com")
    assert terms == ["ana.lopez", "example.com", "ana.lopez@example.com"]
    assert analyze("ana.lopez@example.com").units[0].kind is Kind.EMAIL


def test_email_is_not_a_mention_and_sigils_after_words_are_plain() -> None:
    kinds = [u.kind for u in analyze("bob@example.com @ana #ops C# user@host").units]
    assert kinds == [
        Kind.EMAIL,
        Kind.MENTION,
        Kind.TAG,
        Kind.WORD,
        Kind.WORD,
        Kind.WORD,
    ]


def test_tags_and_mentions_keep_their_sigil_in_extra() -> None:
    assert extra("#release-2024") == ["release-2024", "#release-2024"]
    assert extra("@ana") == ["@ana"]
    assert body("@ana.b") == ["ana", "b"]


def test_cjk_bigrams_and_unigrams() -> None:
    analysis = analyze("東京都")
    assert [t.term for t in analysis.body] == ["東京", "京都"]
    assert [t.term for t in analysis.extra] == ["東", "京", "都"]
    assert body("京") == ["京"]
    assert body("abc東京") == ["abc", "東京"]


def test_emoji_tokens() -> None:
    assert body("👍🏽 ❤️ 🇫🇷 👨‍👩‍👧") == ["👍", "❤", "🇫🇷", "👨\u200d👩\u200d👧"]
    assert body("ok👍") == ["ok", "👍"]


def test_stop_words_are_kept() -> None:
    assert body("to be or not to be") == ["to", "be", "or", "not", "to", "be"]


def test_long_terms_are_capped_identically() -> None:
    url = "https://example.com/" + "a" * 300
    whole = analyze(url).units[0].whole
    assert whole is not None
    assert len(whole) <= MAX_TERM_LENGTH
    assert whole == cap_term(fold(url).text)
    assert cap_term("short") == "short"


def test_long_text_is_fine() -> None:
    text = "word " * 3000 + "東京" * 100
    analysis = analyze(text)
    assert len(analysis.body) == 3000 + 199
