"""Text analysis shared by indexing, querying and highlighting, for every engine.

Two token streams come out of a text:

- `body`: one token per word part, CJK bigram or emoji, at consecutive
  positions (position == index in the list). Phrases match on it, so the
  whitespace-joined body string is all an engine needs to index.
- `extra`: whole compounds (`abc-123`, `snake_case`, `john.doe@example.com`,
  the URL), their contiguous sub-compounds (`github.com`, `github.com/org`),
  mentions and tags with their sigil (`@ana`, `#release`), and CJK single
  characters. Kept apart so they never shift the phrase positions of `body`.

Every token carries its code-point [start, end) in the ORIGINAL text. Tokens
never contain whitespace (ES splits the stored string on whitespace), and are
at most `MAX_TERM_LENGTH` code points: longer ones are cut and suffixed with a
hash, the same way at index and query time, so a pasted long URL still matches.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from search.normalize import Folded, fold
from search.scanner import Kind, Segment, is_skin_tone, scan

# ES's whitespace tokenizer splits tokens longer than 255 UTF-16 units; stay well under.
MAX_TERM_LENGTH = 100
_KEEP_OF_LONG = 80
# Sub-compounds of at most this many parts are indexed (the whole one always is)...
MAX_WINDOW_PARTS = 8
# ...unless the compound is this long, which only junk is: then just the whole.
MAX_WINDOWED_COMPOUND = 32

COMPOUND_KINDS = frozenset({Kind.COMPOUND, Kind.URL, Kind.EMAIL, Kind.MENTION, Kind.TAG})


def cap_term(term: str) -> str:
    """Keep a term within `MAX_TERM_LENGTH`, identically for index and query."""
    if len(term) <= MAX_TERM_LENGTH:
        return term
    digest = hashlib.blake2b(term.encode("utf-8"), digest_size=8).hexdigest()
    return f"{term[:_KEEP_OF_LONG]}~{digest}"


@dataclass(frozen=True, slots=True)
class Token:
    """A term and the [start, end) code points of the original text it stands for."""

    term: str
    start: int
    end: int
    position: int = -1


@dataclass(frozen=True, slots=True)
class Unit:
    """What one segment contributes, as the query side needs it."""

    kind: Kind
    body: tuple[str, ...]
    whole: str | None  # the whole-compound term (in `extra`) for compound kinds
    chars: tuple[str, ...] = ()  # CJK single characters (in `extra`)


@dataclass(frozen=True, slots=True)
class Analysis:
    body: tuple[Token, ...]
    extra: tuple[Token, ...]
    units: tuple[Unit, ...]

    def body_string(self) -> str:
        """Whitespace-joined body terms, as stored in an engine's positional field."""
        return " ".join(t.term for t in self.body)

    def extra_string(self) -> str:
        return " ".join(t.term for t in self.extra)


class _Builder:
    def __init__(self, folded: Folded) -> None:
        self.folded = folded
        self.body: list[Token] = []
        self.extra: list[Token] = []

    def term(self, start: int, end: int) -> str:
        return self.folded.text[start:end]

    def token(self, term: str, start: int, end: int, *, body: bool) -> Token:
        ostart, oend = self.folded.span(start, end)
        if body:
            tok = Token(cap_term(term), ostart, oend, len(self.body))
            self.body.append(tok)
        else:
            tok = Token(cap_term(term), ostart, oend)
            self.extra.append(tok)
        return tok

    def windows(self, parts: tuple[tuple[int, int], ...]) -> None:
        """Index contiguous runs of 2+ parts, and the whole run however long."""
        n = len(parts)
        if n < 2:
            return
        for a in range(n if n <= MAX_WINDOWED_COMPOUND else 0):
            for b in range(a + 1, min(n, a + MAX_WINDOW_PARTS)):
                if a == 0 and b == n - 1:
                    continue  # the whole, added below
                s, e = parts[a][0], parts[b][1]
                self.token(self.term(s, e), s, e, body=False)
        s, e = parts[0][0], parts[-1][1]
        self.token(self.term(s, e), s, e, body=False)

    def segment(self, seg: Segment) -> Unit:
        if seg.kind is Kind.CJK:
            return self._cjk(seg)
        if seg.kind is Kind.EMOJI:
            term = "".join(ch for ch in self.term(seg.start, seg.end) if not is_skin_tone(ch))
            self.token(term, seg.start, seg.end, body=True)
            return Unit(seg.kind, (cap_term(term),), None)
        body = tuple(self.token(self.term(s, e), s, e, body=True).term for s, e in seg.parts)
        whole: str | None = None
        if seg.kind is Kind.EMAIL:
            self.windows(seg.parts[: seg.split])
            self.windows(seg.parts[seg.split :])
            whole = self.token(self.term(seg.start, seg.end), seg.start, seg.end, body=False).term
        elif seg.kind in (Kind.MENTION, Kind.TAG):
            self.windows(seg.parts)
            whole = self.token(self.term(seg.start, seg.end), seg.start, seg.end, body=False).term
        elif seg.kind in (Kind.COMPOUND, Kind.URL):
            self.windows(seg.parts)
            whole = self.extra[-1].term
        return Unit(seg.kind, body, whole)

    def _cjk(self, seg: Segment) -> Unit:
        # Overlapping bigrams find a word inside unspaced text; a lone character stays a unigram.
        s, e = seg.start, seg.end
        if e - s == 1:
            terms = (self.token(self.term(s, e), s, e, body=True).term,)
        else:
            terms = tuple(
                self.token(self.term(k, k + 2), k, k + 2, body=True).term for k in range(s, e - 1)
            )
        chars = tuple(
            self.token(self.term(k, k + 1), k, k + 1, body=False).term for k in range(s, e)
        )
        return Unit(seg.kind, terms, None, chars)


def analyze(text: str) -> Analysis:
    """Tokens of `text` for indexing and highlighting (and, via `units`, for queries)."""
    folded = fold(text)
    builder = _Builder(folded)
    units = tuple(builder.segment(seg) for seg in scan(folded.text))
    return Analysis(tuple(builder.body), tuple(builder.extra), units)


def fold_prefix(text: str) -> str:
    """Fold the text before a `*` the way indexed terms were folded."""
    return fold(text).text
