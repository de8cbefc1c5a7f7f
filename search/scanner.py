"""Splits folded text into segments: words, compounds, URLs, e-mails, tags, CJK runs, emoji.

Works on already folded text (see `normalize.fold`), so every rule here is
case- and accent-free. Offsets are into the folded text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    WORD = "word"
    COMPOUND = "compound"  # identifiers: ABC-123, snake_case, dotted.names, a/b/c
    URL = "url"
    EMAIL = "email"
    MENTION = "mention"
    TAG = "tag"
    CJK = "cjk"
    EMOJI = "emoji"


# Characters that glue word parts into one compound when nothing else separates them.
CONNECTORS = frozenset("_.-/:'+\\~=&?%,")
# Mentions and tags are names: only the characters names are made of.
NAME_CONNECTORS = frozenset("._-")
MAX_CONNECTOR_RUN = 3

_URL = re.compile(r"(?:[a-z][a-z0-9+.\-]{1,20}://|www\.)[^\s<>\"'`]+")
_EMAIL = re.compile(r"[\w.%+\-]+@[\w\-]+(?:\.[\w\-]+)+")
_URL_TRAILING = ".,;:!?*'\""
_CLOSERS = {")": "(", "]": "[", "}": "{"}

_CJK_RANGES = (
    (0x1100, 0x11FF),
    (0x2E80, 0x2FDF),
    (0x3005, 0x3007),
    (0x3021, 0x3029),
    (0x3031, 0x3035),
    (0x3038, 0x303C),
    (0x3040, 0x30FF),
    (0x3100, 0x31FF),
    (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF),
    (0xA960, 0xA97F),
    (0xAC00, 0xD7FF),
    (0xF900, 0xFAFF),
    (0xFF66, 0xFF9F),
    (0x1B000, 0x1B16F),
    (0x20000, 0x3134F),
)


def is_cjk(ch: str) -> bool:
    """Han, kana and Hangul letters: scripts written without spaces between words."""
    cp = ord(ch)
    if cp < 0x1100:
        return False
    if not any(lo <= cp <= hi for lo, hi in _CJK_RANGES):
        return False
    # Punctuation inside these blocks (the katakana middle dot) still separates.
    return unicodedata.category(ch)[0] in "LMN"


def is_word(ch: str) -> bool:
    """Letters, digits and the marks that belong to them, outside CJK."""
    if ch.isalnum():
        return not is_cjk(ch)
    return unicodedata.category(ch) in ("Mn", "Mc") and not is_cjk(ch)


def is_emoji(ch: str) -> bool:
    return unicodedata.category(ch) == "So" and not is_cjk(ch)


def is_skin_tone(ch: str) -> bool:
    return 0x1F3FB <= ord(ch) <= 0x1F3FF


def _is_regional(ch: str) -> bool:
    return 0x1F1E6 <= ord(ch) <= 0x1F1FF


def _is_tag_char(ch: str) -> bool:
    return 0xE0020 <= ord(ch) <= 0xE007F


@dataclass(frozen=True, slots=True)
class Segment:
    """One unit of text. `parts` are the word runs inside it (folded offsets).

    For e-mails `split` is how many parts belong to the local part; for
    mentions and tags `start` includes the sigil while `parts` do not.
    """

    kind: Kind
    start: int
    end: int
    parts: tuple[tuple[int, int], ...]
    split: int = 0


def _word_run(text: str, i: int) -> int:
    n = len(text)
    while i < n and is_word(text[i]):
        i += 1
    return i


def _compound_parts(text: str, i: int, connectors: frozenset[str]) -> list[tuple[int, int]]:
    """Word runs joined by short connector runs, starting at word character `i`."""
    parts: list[tuple[int, int]] = []
    n = len(text)
    while True:
        k = _word_run(text, i)
        parts.append((i, k))
        m = k
        while m < n and m - k < MAX_CONNECTOR_RUN and text[m] in connectors:
            m += 1
        if m > k and m < n and is_word(text[m]):
            i = m
            continue
        return parts


def _parts_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """All runs of word or CJK characters in [start, end): the parts of a URL or e-mail."""
    parts: list[tuple[int, int]] = []
    i = start
    while i < end:
        if is_word(text[i]) or is_cjk(text[i]):
            j = i + 1
            while j < end and (is_word(text[j]) or is_cjk(text[j])):
                j += 1
            parts.append((i, j))
            i = j
        else:
            i += 1
    return parts


def _trim_url(url: str) -> str:
    """Drop sentence punctuation after a URL, and closing brackets it did not open."""
    while url:
        last = url[-1]
        if (
            last in _URL_TRAILING
            or last in _CLOSERS
            and url.count(_CLOSERS[last]) < url.count(last)
        ):
            url = url[:-1]
        else:
            break
    return url


def _try_url(text: str, i: int) -> Segment | None:
    m = _URL.match(text, i)
    if m is None:
        return None
    url = _trim_url(m.group(0))
    parts = _parts_in(text, i, i + len(url))
    if len(parts) < 2:
        return None
    return Segment(Kind.URL, i, parts[-1][1], tuple(parts))


def _try_email(text: str, i: int) -> Segment | None:
    m = _EMAIL.match(text, i)
    if m is None:
        return None
    at = text.index("@", i, m.end())
    local = _parts_in(text, i, at)
    domain = _parts_in(text, at + 1, m.end())
    if not local or len(domain) < 2:
        return None
    return Segment(Kind.EMAIL, local[0][0], domain[-1][1], tuple(local + domain), len(local))


def _try_name(text: str, i: int, kind: Kind) -> Segment | None:
    """`@name` or `#name`, when the sigil does not follow a word (as in a@b or C#)."""
    if i > 0 and is_word(text[i - 1]):
        return None
    if i + 1 >= len(text) or not is_word(text[i + 1]):
        return None
    parts = _compound_parts(text, i + 1, NAME_CONNECTORS)
    return Segment(kind, i, parts[-1][1], tuple(parts))


def _emoji_end(text: str, i: int) -> int:
    """End of the emoji sequence at `i`: flags, skin tones, tag sequences, ZWJ joins."""
    n = len(text)
    j = i + 1
    if _is_regional(text[i]) and j < n and _is_regional(text[j]):
        j += 1
    while True:
        while j < n and (is_skin_tone(text[j]) or _is_tag_char(text[j])):
            j += 1
        if j + 1 < n and text[j] == "\u200d" and is_emoji(text[j + 1]):
            j += 2
            continue
        return j


def scan(text: str) -> list[Segment]:
    """Segment folded text, left to right."""
    segments: list[Segment] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        seg: Segment | None = None
        if is_word(ch):
            seg = _try_url(text, i) or _try_email(text, i)
            if seg is None:
                parts = _compound_parts(text, i, CONNECTORS)
                kind = Kind.COMPOUND if len(parts) > 1 else Kind.WORD
                seg = Segment(kind, i, parts[-1][1], tuple(parts))
        elif ch == "@":
            seg = _try_name(text, i, Kind.MENTION)
        elif ch == "#":
            seg = _try_name(text, i, Kind.TAG)
        elif is_cjk(ch):
            j = i + 1
            while j < n and is_cjk(text[j]):
                j += 1
            seg = Segment(Kind.CJK, i, j, ((i, j),))
        elif is_emoji(ch):
            j = _emoji_end(text, i)
            seg = Segment(Kind.EMOJI, i, j, ((i, j),))
        if seg is None:
            i += 1
        else:
            segments.append(seg)
            i = seg.end
    return segments
