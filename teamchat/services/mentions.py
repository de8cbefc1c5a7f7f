"""Finding @mentions in message text.

`@username` (the longest known name wins, so `@john.doe` is not `@john`; trailing
punctuation is not part of it), `@channel`, `@all`, `@here`. Nothing inside inline
code or code blocks, and an e-mail address is not a mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

SPECIAL = ("channel", "all", "here")
NAME_PUNCT = "._-"
_CODE = re.compile(r"```.*?(?:```|\Z)|`[^`\n]+`", re.DOTALL)
# Not after a word character or address punctuation: `bob@example.com` is no mention.
_AT = re.compile(r"(?<![\w.+\-@/])@([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class MentionSpan:
    kind: str  # user | channel | all | here
    name: str  # lower-cased username or the special word
    start: int  # code-point offsets of "@name" in the text
    end: int


def _code_regions(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in _CODE.finditer(text)]


def _candidates(word: str) -> list[str]:
    """Prefixes that could be the name: the whole word, and the word cut before each
    punctuation mark; longest first."""
    cuts = [k for k in range(len(word), 0, -1) if k == len(word) or word[k] in NAME_PUNCT]
    return [word[:k].lower() for k in cuts]


def candidate_names(text: str) -> set[str]:
    """Every name a lookup must check for `find_mentions` to decide."""
    out: set[str] = set()
    regions = _code_regions(text)
    for m in _AT.finditer(text):
        if not _inside(m.start(), regions):
            out.update(_candidates(m.group(1)))
    return out - set(SPECIAL)


def find_mentions(text: str, is_known: Callable[[str], bool]) -> list[MentionSpan]:
    regions = _code_regions(text)
    spans: list[MentionSpan] = []
    for m in _AT.finditer(text):
        if _inside(m.start(), regions):
            continue
        word = m.group(1)
        for name in _candidates(word):
            special = name if name in SPECIAL else None
            if special or is_known(name):
                start = m.start()
                spans.append(MentionSpan(special or "user", name, start, start + 1 + len(name)))
                break
    return spans


def _inside(pos: int, regions: Iterable[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in regions)
