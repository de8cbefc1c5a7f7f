"""Search as a pure library: text in, ids out. Imports nothing from the app.

Wiring, as the app's search view does it::

    from search import Filters, QueryError, highlight, parse_query

    try:
        parsed = parse_query(q)                        # QueryError -> 400 with .message
    except QueryError as exc:
        ...
    # Resolve names (parsed.from_users / in_channels / mentions: NameRef) to ids;
    # an unknown name resolves to [] which matches nothing.
    filters = Filters.for_query(
        parsed,
        channel_ids=readable_channel_ids,              # required: the searcher's channels
        author_ids=[...] or None,
        in_channel_ids=[...] or None,
        mention_user_ids=[...] or None,
        exclude_message_ids=hidden_for_me,
    )
    result = engine.search(parsed, filters, limit=20, cursor=cursor)  # CursorError is a QueryError
    for message in hydrate(result.ids):                # drop rows deleted since indexing
        spans = highlight(message.text, parsed)        # [[start, end], ...] code points

Engines: `search.local_engine.LocalEngine(path)` and
`search.es_engine.ElasticsearchEngine(url, prefix=...)`, both `SearchEngine`.
"""

from search.engine import Document, Filters, SearchEngine, SearchResult
from search.errors import CursorError, EngineError, QueryError
from search.highlight import highlight
from search.query import ClauseKind, NameRef, ParsedQuery, TextClause, parse_query

__all__ = [
    "ClauseKind",
    "CursorError",
    "Document",
    "EngineError",
    "Filters",
    "NameRef",
    "ParsedQuery",
    "QueryError",
    "SearchEngine",
    "SearchResult",
    "TextClause",
    "highlight",
    "parse_query",
]
