"""Elasticsearch mapping and query DSL built from parsed queries and filters.

Only structured queries (term, prefix, match_phrase with the whitespace
analyzer over our own terms, bool) are built; user text never reaches
query_string or simple_query_string.
"""

from __future__ import annotations

from typing import Any

from search.engine import Filters, Sort
from search.query import ClauseKind, ParsedQuery, TextClause

MAPPINGS: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "message_id": {"type": "long"},
        "channel_id": {"type": "long"},
        "workspace_id": {"type": "long"},
        "author_id": {"type": "long"},
        "created_at_ms": {"type": "long"},
        "thread_root_id": {"type": "long"},
        "is_thread": {"type": "boolean"},
        "has_link": {"type": "boolean"},
        "has_reaction": {"type": "boolean"},
        "mention_user_ids": {"type": "long"},
        "version": {"type": "long"},
        "deleted": {"type": "boolean"},
        # Pre-analysed in Python: whitespace-joined terms, positions kept for phrases.
        "body": {"type": "text", "analyzer": "whitespace", "index_options": "positions"},
        "extra": {"type": "text", "analyzer": "whitespace", "index_options": "freqs"},
    },
}


def clause_query(clause: TextClause) -> dict[str, Any]:
    if clause.kind is ClauseKind.TERM:
        return {"term": {"body": clause.terms[0]}}
    if clause.kind is ClauseKind.EXACT:
        return {"term": {"extra": clause.terms[0]}}
    if clause.kind is ClauseKind.PREFIX:
        prefix = clause.terms[0]
        return {
            "bool": {
                "should": [{"prefix": {"body": prefix}}, {"prefix": {"extra": prefix}}],
                "minimum_should_match": 1,
            }
        }
    return {"match_phrase": {"body": {"query": " ".join(clause.terms), "analyzer": "whitespace"}}}


def filter_clauses(filters: Filters) -> list[dict[str, Any]]:
    """Permission and narrowing filters; they run inside the engine, before paging."""
    out: list[dict[str, Any]] = [
        {"terms": {"channel_id": filters.channel_ids}},
        {"term": {"deleted": False}},
    ]
    if filters.in_channel_ids is not None:
        out.append({"terms": {"channel_id": filters.in_channel_ids}})
    if filters.author_ids is not None:
        out.append({"terms": {"author_id": filters.author_ids}})
    if filters.after_ms is not None or filters.before_ms is not None:
        bounds: dict[str, int] = {}
        if filters.after_ms is not None:
            bounds["gte"] = filters.after_ms
        if filters.before_ms is not None:
            bounds["lt"] = filters.before_ms
        out.append({"range": {"created_at_ms": bounds}})
    for name in ("has_link", "has_reaction", "is_thread"):
        value = getattr(filters, name)
        if value is not None:
            out.append({"term": {name: value}})
    if filters.mention_user_ids is not None:
        out.append({"terms": {"mention_user_ids": filters.mention_user_ids}})
    return out


def search_query(query: ParsedQuery, filters: Filters) -> dict[str, Any]:
    must_not = [clause_query(c) for c in query.exclude]
    if filters.exclude_message_ids:
        must_not.append({"terms": {"message_id": filters.exclude_message_ids}})
    return {
        "bool": {
            "filter": filter_clauses(filters),
            "must": [clause_query(c) for c in query.include],
            "must_not": must_not,
        }
    }


def sort_spec(sort: Sort) -> list[dict[str, str]]:
    keys = [{"created_at_ms": "desc"}, {"message_id": "desc"}]
    return [{"_score": "desc"}, *keys] if sort == "relevance" else keys
