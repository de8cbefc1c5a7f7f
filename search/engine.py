"""The engine interface every search backend implements, and the plain data it speaks.

Versions: a document's stored version never goes backwards, and a delete
wins over an index of the same version. Engines store `2 * version` for an
index and `2 * version + 1` for a delete (a tombstone), and accept a write
only if that rank is >= the stored one; so replays are harmless and a late
index of an older version cannot bring a deleted message back.

Reindex while writes keep arriving (one rebuild at a time)::

    name = engine.create_new_index()   # empty; from now on index()/delete() ALSO write to it
    for batch in rows_read_from_the_database_after_that():
        engine.index(batch, index_name=name)   # backfill; versions settle any race
    engine.swap_alias(name)            # searches and writes move to it; old indexes dropped

Every change committed before the backfill reads its row is in the
backfill; every change written after `create_new_index()` returned goes to
both indexes. `drop_index(name)` abandons a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

from search.query import ParsedQuery

Sort = Literal["newest", "relevance"]


@dataclass(frozen=True, slots=True)
class Document:
    message_id: int
    channel_id: int
    workspace_id: int
    author_id: int
    text: str
    created_at_ms: int
    thread_root_id: int | None = None
    is_thread: bool = False  # a thread root with replies, or a reply
    has_link: bool = False
    has_reaction: bool = False
    mention_user_ids: list[int] = field(default_factory=list)
    version: int = 0


@dataclass(frozen=True, slots=True)
class Filters:
    """What the searcher may see and asked to narrow to, resolved to ids by the app.

    `channel_ids` is required: the channels the searcher may read (empty: no
    results). For the optional id lists, None means "no filter" and an empty
    list means "nothing matches" (a name that resolved to nobody).
    `after_ms` is inclusive, `before_ms` exclusive, on `created_at_ms`.
    """

    channel_ids: list[int]
    author_ids: list[int] | None = None
    in_channel_ids: list[int] | None = None
    before_ms: int | None = None
    after_ms: int | None = None
    has_link: bool | None = None
    has_reaction: bool | None = None
    is_thread: bool | None = None
    mention_user_ids: list[int] | None = None
    exclude_message_ids: list[int] = field(default_factory=list)

    @classmethod
    def for_query(
        cls,
        query: ParsedQuery,
        *,
        channel_ids: list[int],
        author_ids: list[int] | None = None,
        in_channel_ids: list[int] | None = None,
        mention_user_ids: list[int] | None = None,
        exclude_message_ids: list[int] | None = None,
    ) -> Filters:
        """Filters from a parsed query plus the ids the caller resolved its names to."""
        return cls(
            channel_ids=channel_ids,
            author_ids=author_ids,
            in_channel_ids=in_channel_ids,
            before_ms=query.before_ms,
            after_ms=query.after_ms,
            has_link=query.has_link,
            has_reaction=query.has_reaction,
            is_thread=query.is_thread,
            mention_user_ids=mention_user_ids,
            exclude_message_ids=list(exclude_message_ids or []),
        )

    def matches_nothing(self) -> bool:
        return (
            not self.channel_ids
            or self.author_ids == []
            or self.in_channel_ids == []
            or self.mention_user_ids == []
        )


@dataclass(frozen=True, slots=True)
class SearchResult:
    ids: list[int]
    total: int
    next_cursor: str | None = None


def stored_rank(version: int, *, deleted: bool) -> int:
    """The number engines compare so that versions only move forward and deletes win ties."""
    if version < 0 or version >= 2**62:
        raise ValueError(f"version out of range: {version}")
    return 2 * version + (1 if deleted else 0)


@runtime_checkable
class SearchEngine(Protocol):
    def ensure_index(self) -> None:
        """Create the live index and alias if missing; safe to call concurrently."""

    def index(self, docs: list[Document], *, index_name: str | None = None) -> None:
        """Add or replace documents (live alias plus any rebuild, or one named index)."""

    def delete(self, items: list[tuple[int, int]], *, index_name: str | None = None) -> None:
        """Delete (message_id, version) pairs, leaving tombstones that block older writes."""

    def search(
        self,
        query: ParsedQuery,
        filters: Filters,
        limit: int,
        cursor: str | None = None,
        sort: Sort = "newest",
    ) -> SearchResult:
        """Ids matching the query within the filters, a page at a time."""

    def health(self) -> bool: ...

    def refresh(self) -> None:
        """Make every write so far visible to searches (tests; ES refreshes on its own)."""

    def create_new_index(self) -> str: ...

    def swap_alias(self, name: str) -> None: ...

    def drop_index(self, name: str) -> None: ...

    def close(self) -> None: ...
