"""Highlight spans: where the positive clauses of a query match the original text.

Matching re-runs the same analysis as indexing, so a span is highlighted
exactly when the engine would match that token: `José` lights up for
`jose`, the whole `ABC-123` for `abc-123`, a phrase from its first word to
its last.
"""

from __future__ import annotations

from search.analysis import Token, analyze
from search.query import ClauseKind, ParsedQuery, TextClause


def _clause_spans(
    clause: TextClause, body: tuple[Token, ...], extra: tuple[Token, ...]
) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if clause.kind is ClauseKind.TERM:
        spans.extend((t.start, t.end) for t in body if t.term == clause.terms[0])
    elif clause.kind is ClauseKind.EXACT:
        spans.extend((t.start, t.end) for t in extra if t.term == clause.terms[0])
    elif clause.kind is ClauseKind.PREFIX:
        prefix = clause.terms[0]
        spans.extend((t.start, t.end) for t in (*body, *extra) if t.term.startswith(prefix))
    else:
        terms = clause.terms
        size = len(terms)
        for i in range(len(body) - size + 1):
            if all(body[i + k].term == terms[k] for k in range(size)):
                spans.append((body[i].start, body[i + size - 1].end))
    return spans


def merge_spans(spans: list[tuple[int, int]]) -> list[list[int]]:
    """Sort and merge overlapping or touching spans."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def highlight(text: str, query: ParsedQuery) -> list[list[int]]:
    """Code-point [start, end] spans of `text` matched by the query's positive text clauses."""
    if not query.include:
        return []
    analysis = analyze(text)
    spans: list[tuple[int, int]] = []
    for clause in query.include:
        spans.extend(_clause_spans(clause, analysis.body, analysis.extra))
    return merge_spans(spans)
