"""Translates parsed queries and filters into SQLite FTS5 MATCH strings and SQL.

FTS5 uses the `ascii` tokenizer on a safe spelling of our own terms: letters
a-y and digits stand for themselves, any other character c becomes
`z` + six hex digits of ord(c). The code is prefix-free, so a term prefix is a
prefix of its spelling (prefix queries work) and the tokenizer can never split
or alter a term. MATCH strings contain only such spellings inside double
quotes; user text never reaches FTS5's query syntax.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from search.engine import Filters
from search.query import ClauseKind, TextClause

_PLAIN = frozenset("abcdefghijklmnopqrstuvwxy0123456789")


def spell(term: str) -> str:
    """The FTS5-safe spelling of one term."""
    if all(ch in _PLAIN for ch in term):
        return term
    return "".join(ch if ch in _PLAIN else f"z{ord(ch):06x}" for ch in term)


def spell_all(terms: list[str]) -> str:
    return " ".join(spell(t) for t in terms)


def _clause(clause: TextClause) -> str:
    if clause.kind is ClauseKind.EXACT:
        return f'extra : "{spell(clause.terms[0])}"'
    if clause.kind is ClauseKind.PREFIX:
        return f'{{body extra}} : "{spell(clause.terms[0])}" *'
    return f'body : "{spell_all(list(clause.terms))}"'


def match_any(clauses: tuple[TextClause, ...]) -> str:
    return " OR ".join(f"({_clause(c)})" for c in clauses)


def match_all(clauses: tuple[TextClause, ...]) -> str:
    return " AND ".join(f"({_clause(c)})" for c in clauses)


@dataclass
class Where:
    """SQL conditions on the docs table (alias `d`) with their parameters."""

    sql: list[str] = field(default_factory=list)
    params: list[object] = field(default_factory=list)

    def add(self, sql: str, *params: object) -> None:
        self.sql.append(sql)
        self.params.extend(params)

    def text(self) -> str:
        return " AND ".join(self.sql) if self.sql else "1"


def _ids(values: list[int]) -> str:
    return json.dumps([int(v) for v in values])


def filter_conditions(filters: Filters, mentions_table: str) -> Where:
    """Conditions for everything in `filters`; id lists travel as one JSON parameter each."""
    where = Where()
    where.add("d.deleted = 0")
    where.add("d.channel_id IN (SELECT value FROM json_each(?))", _ids(filters.channel_ids))
    if filters.in_channel_ids is not None:
        where.add("d.channel_id IN (SELECT value FROM json_each(?))", _ids(filters.in_channel_ids))
    if filters.author_ids is not None:
        where.add("d.author_id IN (SELECT value FROM json_each(?))", _ids(filters.author_ids))
    if filters.after_ms is not None:
        where.add("d.created_at_ms >= ?", filters.after_ms)
    if filters.before_ms is not None:
        where.add("d.created_at_ms < ?", filters.before_ms)
    for column in ("has_link", "has_reaction", "is_thread"):
        value = getattr(filters, column)
        if value is not None:
            where.add(f"d.{column} = ?", int(value))
    if filters.mention_user_ids is not None:
        where.add(
            f"EXISTS (SELECT 1 FROM {mentions_table} m WHERE m.message_id = d.message_id"
            " AND m.user_id IN (SELECT value FROM json_each(?)))",
            _ids(filters.mention_user_ids),
        )
    if filters.exclude_message_ids:
        where.add(
            "d.message_id NOT IN (SELECT value FROM json_each(?))",
            _ids(filters.exclude_message_ids),
        )
    return where
