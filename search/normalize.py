"""Folding of text for search, keeping a map back to the original code points.

Folding = NFKC compatibility normalisation, case folding and accent folding.
It is done per grapheme-ish cluster (a base character and the combining marks
after it) so every folded character knows which original span it came from;
that is what lets highlighting point into the text the user actually wrote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Letters that carry no combining mark yet users expect folded, as ES asciifolding does.
_SPECIAL: dict[str, str] = {
    "ø": "o",
    "đ": "d",
    "ð": "d",
    "ł": "l",
    "ŀ": "l",
    "ħ": "h",
    "ı": "i",
    "ŧ": "t",
    "æ": "ae",
    "œ": "oe",
    "þ": "th",
    "ƒ": "f",
    # Typographic apostrophes and hyphens, so "don’t" and "ABC‑123" match what is typed.
    "\u2018": "'",
    "\u2019": "'",
    "\u02bc": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
}

# Variation selectors only choose a glyph style: an emoji with or without one is the same.
_DROPPED = frozenset("\ufe0e\ufe0f")


def _is_diacritic(ch: str) -> bool:
    """Combining marks of the Latin/Greek/Cyrillic diacritic blocks.

    Only these are dropped: marks of other scripts (Japanese dakuten,
    Devanagari vowel signs) change the letter, not just its accent.
    """
    cp = ord(ch)
    return (
        0x0300 <= cp <= 0x036F
        or 0x1AB0 <= cp <= 0x1AFF
        or 0x1DC0 <= cp <= 0x1DFF
        or 0x20D0 <= cp <= 0x20FF
        or 0xFE20 <= cp <= 0xFE2F
    )


def _joins_previous(ch: str) -> bool:
    """True for characters that belong to the cluster of the character before."""
    if ch in _DROPPED:
        return True
    cat = unicodedata.category(ch)
    return cat in ("Mn", "Me", "Mc")


@lru_cache(maxsize=8192)
def fold_cluster(cluster: str) -> str:
    """Fold one cluster: compatibility-decompose, case-fold, drop accents, recompose."""
    text = unicodedata.normalize("NFKD", cluster).casefold()
    text = unicodedata.normalize("NFKD", text)
    text = "".join(_SPECIAL.get(ch, ch) for ch in text if ch not in _DROPPED)
    text = "".join(ch for ch in text if not _is_diacritic(ch))
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True, slots=True)
class Folded:
    """Folded text plus, for each folded character, its original [start, end)."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Map a folded [start, end) to the original code-point [start, end)."""
        return self.starts[start], self.ends[end - 1]


def fold(text: str) -> Folded:
    """Fold `text` for matching, remembering where each folded character came from."""
    if text.isascii():
        # Fast path: ASCII needs only lower-casing and keeps its offsets.
        rng = tuple(range(len(text)))
        return Folded(text.lower(), rng, tuple(i + 1 for i in rng))
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        j = i + 1
        while j < n and _joins_previous(text[j]):
            j += 1
        piece = fold_cluster(text[i:j])
        out.append(piece)
        starts.extend([i] * len(piece))
        ends.extend([j] * len(piece))
        i = j
    return Folded("".join(out), tuple(starts), tuple(ends))


def fold_plain(text: str) -> str:
    """Fold without keeping offsets (query side)."""
    return fold(text).text
