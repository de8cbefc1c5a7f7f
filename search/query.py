"""Parses the search box into structured clauses and filters.

Syntax: plain words (all required), `"phrases"`, `prefix*`, `-word`,
`-"phrase"`, `-prefix*`, and filters `from:`, `in:`, `mentions:` (values
`@name`, `#name` or `name`; `@me`/`me` is the searcher), `before:`,
`after:`, `on:` (`YYYY-MM-DD`), `has:link`, `has:reaction`, `is:thread`.

An unknown `word:value` is plain text, as in Slack, so `error:timeout` or a
pasted URL is searched for rather than refused. Text never reaches an
engine's own query parser: each clause holds analysed terms only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from search.analysis import COMPOUND_KINDS, MAX_TERM_LENGTH, analyze, fold_prefix
from search.dates import DAY_MS, day_start_ms
from search.errors import QueryError
from search.scanner import Kind, is_cjk, is_word

MAX_QUERY_LENGTH = 1000
MAX_CLAUSES = 30
MAX_FILTERS = 20
MAX_PHRASE_TERMS = 64
MAX_NAME_LENGTH = 80

FILTER_NAMES = ("from", "in", "mentions", "before", "after", "on", "has", "is")
_FILTER = re.compile(r"([A-Za-z]+):(.*)", re.DOTALL)
_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\uff02": '"'})
_NAME_TRAILING = ",;.!?"
_HAS_VALUES = {"link": "link", "links": "link", "reaction": "reaction", "reactions": "reaction"}
_IS_VALUES = {"thread": "thread", "threads": "thread"}


class ClauseKind(StrEnum):
    TERM = "term"  # one body term
    PHRASE = "phrase"  # body terms at consecutive positions
    EXACT = "exact"  # one extra term: a whole compound, tag, mention or CJK character
    PREFIX = "prefix"  # any body or extra term that starts with terms[0]


@dataclass(frozen=True, slots=True)
class TextClause:
    kind: ClauseKind
    terms: tuple[str, ...]
    raw: str  # as typed, for messages to the user


@dataclass(frozen=True, slots=True)
class NameRef:
    """A user or channel named in a filter, for the caller to resolve to ids.

    `sigil` is "@", "#" or "" as typed (`in:@bob` is the DM with bob in
    Slack's manner); `name` is lower-cased without the sigil.
    """

    name: str
    sigil: str
    is_me: bool = False


@dataclass(frozen=True, slots=True)
class FilterTerm:
    name: str
    value: str


@dataclass(frozen=True)
class ParsedQuery:
    """A validated query. Dates are resolved here; names are left to the caller.

    `after_ms` is an inclusive lower bound and `before_ms` an exclusive upper
    bound on `created_at_ms` (`after:D` starts the day after D, `on:D` is D).
    """

    raw: str
    include: tuple[TextClause, ...] = ()
    exclude: tuple[TextClause, ...] = ()
    filters: tuple[FilterTerm, ...] = ()
    from_users: tuple[NameRef, ...] = ()
    in_channels: tuple[NameRef, ...] = ()
    mentions: tuple[NameRef, ...] = ()
    before_ms: int | None = None
    after_ms: int | None = None
    has_link: bool | None = None
    has_reaction: bool | None = None
    is_thread: bool | None = None


@dataclass
class _State:
    include: list[TextClause] = field(default_factory=list)
    exclude: list[TextClause] = field(default_factory=list)
    filters: list[FilterTerm] = field(default_factory=list)
    from_users: list[NameRef] = field(default_factory=list)
    in_channels: list[NameRef] = field(default_factory=list)
    mentions: list[NameRef] = field(default_factory=list)
    before_ms: int | None = None
    after_ms: int | None = None
    has_link: bool | None = None
    has_reaction: bool | None = None
    is_thread: bool | None = None
    dropped: list[str] = field(default_factory=list)
    utc_offset_minutes: int = 0


def text_clause(text: str, raw: str) -> TextClause | None:
    """The clause a word or phrase stands for, or None when it has nothing searchable."""
    units = analyze(text).units
    if not units:
        return None
    if len(units) == 1:
        unit = units[0]
        if unit.kind in COMPOUND_KINDS and unit.whole is not None:
            return TextClause(ClauseKind.EXACT, (unit.whole,), raw)
        if unit.kind is Kind.CJK and len(unit.chars) == 1:
            return TextClause(ClauseKind.EXACT, unit.chars, raw)
    terms = tuple(term for unit in units for term in unit.body)
    if len(terms) > MAX_PHRASE_TERMS:
        raise QueryError(f"A phrase can have at most {MAX_PHRASE_TERMS} words.")
    kind = ClauseKind.TERM if len(terms) == 1 else ClauseKind.PHRASE
    return TextClause(kind, terms, raw)


def prefix_clause(word: str, raw: str) -> TextClause:
    text = fold_prefix(word.rstrip("*"))
    start = 0
    while start < len(text) and not _searchable(text[start]) and text[start] not in "#@":
        start += 1
    text = text[start:]
    if not any(_searchable(ch) for ch in text):
        raise QueryError(f"Put at least one letter or digit before the * in {raw!r}.")
    # Indexed terms longer than this keep only their start (plus a hash): match on the start.
    return TextClause(ClauseKind.PREFIX, (text[: MAX_TERM_LENGTH - 20],), raw)


def _searchable(ch: str) -> bool:
    return is_word(ch) or is_cjk(ch)


def _name_ref(name: str, value: str, *, me_allowed: bool) -> NameRef:
    sigil = value[0] if value[0] in "@#" else ""
    bare = value[len(sigil) :].rstrip(_NAME_TRAILING).lower()
    if not bare:
        raise QueryError(f"{name}: needs a name, e.g. {name}:@ana or {name}:#general.")
    if len(bare) > MAX_NAME_LENGTH:
        raise QueryError(f"The name after {name}: is too long.")
    is_me = me_allowed and bare == "me" and sigil != "#"
    return NameRef(bare, sigil, is_me)


def _apply_filter(state: _State, name: str, value: str) -> None:
    state.filters.append(FilterTerm(name, value))
    if name == "from":
        state.from_users.append(_name_ref(name, value, me_allowed=True))
    elif name == "in":
        state.in_channels.append(_name_ref(name, value, me_allowed=False))
    elif name == "mentions":
        state.mentions.append(_name_ref(name, value, me_allowed=True))
    elif name in ("before", "after", "on"):
        day = day_start_ms(name, value, state.utc_offset_minutes)
        if name in ("after", "on"):
            lower = day + DAY_MS if name == "after" else day
            state.after_ms = lower if state.after_ms is None else max(state.after_ms, lower)
        if name in ("before", "on"):
            upper = day + DAY_MS if name == "on" else day
            state.before_ms = upper if state.before_ms is None else min(state.before_ms, upper)
    elif name == "has":
        kind = _HAS_VALUES.get(value.lower())
        if kind is None:
            raise QueryError(f"has: accepts link or reaction, not {value!r}.")
        if kind == "link":
            state.has_link = True
        else:
            state.has_reaction = True
    elif name == "is":
        if value.lower() not in _IS_VALUES:
            raise QueryError(f"is: accepts thread, not {value!r}.")
        state.is_thread = True


def _read_quoted(query: str, i: int) -> tuple[str, int]:
    """The text between the quote at `i` and the next one, and the index after it."""
    end = query.find('"', i + 1)
    if end < 0:
        raise QueryError('A quote is not closed: add the missing " or remove it.')
    return query[i + 1 : end], end + 1


def _is_negation(query: str, i: int) -> bool:
    if query[i] != "-" or i + 1 >= len(query):
        return False
    nxt = query[i + 1]
    return nxt == '"' or nxt in "#@" or _searchable(nxt)


def parse_query(query: str, *, utc_offset_minutes: int = 0) -> ParsedQuery:
    """Parse the search box; raise `QueryError` with a message for the user if it cannot run.

    `utc_offset_minutes` places date filters in the searcher's day (UTC by default).
    """
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(f"The search is too long (at most {MAX_QUERY_LENGTH} characters).")
    query = query.translate(_QUOTES)
    state = _State(utc_offset_minutes=utc_offset_minutes)
    i, n = 0, len(query)
    while i < n:
        if query[i].isspace():
            i += 1
            continue
        start = i
        negated = _is_negation(query, i)
        if negated:
            i += 1
        if query[i] == '"':
            text, i = _read_quoted(query, i)
            _add_text(state, text_clause(text, query[start:i]), negated, query[start:i])
            continue
        j = i
        while j < n and not query[j].isspace() and query[j] != '"':
            j += 1
        word, i = query[start + negated : j], j
        m = _FILTER.fullmatch(word)
        if m and m.group(1).lower() in FILTER_NAMES:
            name, value = m.group(1).lower(), m.group(2)
            if not value and i < n and query[i] == '"':
                value, i = _read_quoted(query, i)
                value = value.strip()
            if negated:
                raise QueryError(f"Filters cannot be excluded: remove the - before {name}:.")
            if not value:
                raise QueryError(f"{name}: needs a value, e.g. {_EXAMPLES[name]}.")
            _apply_filter(state, name, value)
            continue
        raw = query[start:i]
        if word.endswith("*"):
            _add_text(state, prefix_clause(word, raw), negated, raw)
        else:
            _add_text(state, text_clause(word, raw), negated, raw)
    return _finish(query, state)


_EXAMPLES = {
    "from": "from:@ana",
    "in": "in:#general",
    "mentions": "mentions:@me",
    "before": "before:2024-03-31",
    "after": "after:2024-03-31",
    "on": "on:2024-03-31",
    "has": "has:link",
    "is": "is:thread",
}


def _add_text(state: _State, clause: TextClause | None, negated: bool, raw: str) -> None:
    if clause is None:
        state.dropped.append(raw)
    elif negated:
        state.exclude.append(clause)
    else:
        state.include.append(clause)


def _finish(query: str, state: _State) -> ParsedQuery:
    if len(state.include) + len(state.exclude) > MAX_CLAUSES:
        raise QueryError(f"Too many search terms (at most {MAX_CLAUSES}).")
    if len(state.filters) > MAX_FILTERS:
        raise QueryError(f"Too many filters (at most {MAX_FILTERS}).")
    if (
        state.before_ms is not None
        and state.after_ms is not None
        and state.before_ms <= state.after_ms
    ):
        raise QueryError("The dates leave no day to search: before: must come after after:.")
    if not state.include and not state.filters:
        if state.exclude:
            raise QueryError("Add a word or a filter: -word only narrows a search.")
        if state.dropped:
            raise QueryError("Nothing to search for: use letters, digits or emoji.")
        raise QueryError("Type something to search for.")
    return ParsedQuery(
        raw=query,
        include=tuple(state.include),
        exclude=tuple(state.exclude),
        filters=tuple(state.filters),
        from_users=tuple(state.from_users),
        in_channels=tuple(state.in_channels),
        mentions=tuple(state.mentions),
        before_ms=state.before_ms,
        after_ms=state.after_ms,
        has_link=state.has_link,
        has_reaction=state.has_reaction,
        is_thread=state.is_thread,
    )
