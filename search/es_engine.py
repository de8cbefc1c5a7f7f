"""The production search engine: Elasticsearch 8 through the official client.

Indexes are `{prefix}messages-vN`; searches and writes go through the alias
`{prefix}messages`. During a rebuild the alias `{prefix}messages-next` names
the new index and every index()/delete() writes to it too (see
`search.engine` for the protocol). Writes use external versioning
(`external_gte`, rank = 2*version, +1 for a delete) and deletes index a
content-free tombstone rather than removing the document, because ES forgets
a deleted document's version after `index.gc_deletes` (60 s) and a late,
older write could then resurrect it.
"""

from __future__ import annotations

import re
from typing import Any

from elasticsearch import ApiError, BadRequestError, Elasticsearch, NotFoundError, TransportError

from search.analysis import analyze
from search.cursor import decode_cursor, encode_cursor
from search.engine import Document, Filters, SearchResult, Sort, stored_rank
from search.errors import EngineError, QueryError
from search.es_query import MAPPINGS, search_query, sort_spec
from search.query import ParsedQuery

_PREFIX = re.compile(r"(?:[a-z0-9][a-z0-9_.\-]*)?")


class ElasticsearchEngine:
    """ES engine; give it a URL or a ready client, and an index-name prefix."""

    def __init__(
        self,
        es: str | Elasticsearch,
        *,
        prefix: str = "",
        shards: int = 1,
        replicas: int = 0,
        request_timeout: float = 10.0,
    ) -> None:
        if not _PREFIX.fullmatch(prefix):
            raise ValueError("prefix must be lower-case letters, digits, _ . - (not first)")
        self._owns_client = isinstance(es, str)
        self.client = (
            Elasticsearch(es, request_timeout=request_timeout, retry_on_timeout=True, max_retries=2)
            if isinstance(es, str)
            else es
        )
        self.alias = f"{prefix}messages"
        self.next_alias = f"{prefix}messages-next"
        self._pattern = f"{prefix}messages-v*"
        self._name = re.compile(rf"{re.escape(prefix)}messages-v(\d+)")
        self._settings = {"number_of_shards": shards, "number_of_replicas": replicas}

    def close(self) -> None:
        if self._owns_client:
            self.client.close()

    # -- alias and index management ------------------------------------------------------------

    def _indexes(self) -> dict[str, set[str]]:
        """Our versioned indexes and the aliases each holds."""
        try:
            found = self.client.indices.get_alias(
                index=self._pattern, allow_no_indices=True, ignore_unavailable=True
            )
        except NotFoundError:
            return {}
        except (ApiError, TransportError) as exc:
            raise EngineError(f"search engine unavailable: {exc}") from exc
        return {
            name: set(info.get("aliases", {}))
            for name, info in found.body.items()
            if self._name.fullmatch(name)
        }

    def _numbers(self) -> list[int]:
        numbers = []
        for name in self._indexes():
            match = self._name.fullmatch(name)
            if match:
                numbers.append(int(match.group(1)))
        return numbers

    def _create(self, aliases: dict[str, Any] | None = None) -> str:
        """Create the next free `messages-vN`, retrying if another process took the number."""
        for _ in range(5):
            name = f"{self.alias}-v{max(self._numbers(), default=0) + 1}"
            try:
                self.client.indices.create(
                    index=name, mappings=MAPPINGS, settings=self._settings, aliases=aliases
                )
                return name
            except BadRequestError as exc:
                if exc.error != "resource_already_exists_exception":
                    raise EngineError(f"cannot create index {name}: {exc}") from exc
            except (ApiError, TransportError) as exc:
                raise EngineError(f"cannot create index {name}: {exc}") from exc
        raise EngineError("cannot pick a free index name")

    def _has_alias(self) -> bool:
        return any(self.alias in held for held in self._indexes().values())

    def ensure_index(self) -> None:
        if self._has_alias():
            return
        try:
            self._create({self.alias: {"is_write_index": True}})
        except EngineError:
            if self._has_alias():
                return  # another process won the race
            raise
        # Two processes may both have created one: keep the alias on a single index.
        holders = sorted(n for n, held in self._indexes().items() if self.alias in held)
        if len(holders) > 1:
            self.swap_alias(holders[0])

    def live_index(self) -> str:
        holders = [n for n, held in self._indexes().items() if self.alias in held]
        if not holders:
            raise EngineError("search index missing: call ensure_index() first")
        return holders[0]

    def create_new_index(self) -> str:
        """A new empty index that every later index()/delete() also writes to, until swapped."""
        old_next = [n for n, held in self._indexes().items() if self.next_alias in held]
        name = self._create()
        actions: list[dict[str, Any]] = [
            {"remove": {"index": n, "alias": self.next_alias}} for n in old_next
        ]
        actions.append({"add": {"index": name, "alias": self.next_alias}})
        self._update_aliases(actions)
        for n in old_next:  # one rebuild at a time: the newest wins
            self._delete_index(n)
        return name

    def swap_alias(self, name: str) -> None:
        """Point searches and writes at `name` atomically, then drop the index it replaces."""
        indexes = self._indexes()
        if name not in indexes:
            raise ValueError(f"no such index: {name!r}")
        old = [n for n, held in indexes.items() if self.alias in held and n != name]
        actions: list[dict[str, Any]] = [{"remove": {"index": n, "alias": self.alias}} for n in old]
        actions.append({"add": {"index": name, "alias": self.alias, "is_write_index": True}})
        if self.next_alias in indexes[name]:
            actions.append({"remove": {"index": name, "alias": self.next_alias}})
        self._update_aliases(actions)
        for n in old:
            self._delete_index(n)

    def drop_index(self, name: str) -> None:
        indexes = self._indexes()
        if name not in indexes:
            raise ValueError(f"no such index: {name!r}")
        if self.alias in indexes[name]:
            raise ValueError("cannot drop the live index; swap to another first")
        self._delete_index(name)

    def _update_aliases(self, actions: list[dict[str, Any]]) -> None:
        try:
            self.client.indices.update_aliases(actions=actions)
        except (ApiError, TransportError) as exc:
            raise EngineError(f"cannot update aliases: {exc}") from exc

    def _delete_index(self, name: str) -> None:
        try:
            self.client.indices.delete(index=name)
        except NotFoundError:
            pass
        except (ApiError, TransportError) as exc:
            raise EngineError(f"cannot delete index {name}: {exc}") from exc

    # -- writes ----------------------------------------------------------------------------------

    def _targets(self, index_name: str | None) -> list[str]:
        if index_name is not None:
            if not self._name.fullmatch(index_name):
                raise ValueError(f"not an index of this engine: {index_name!r}")
            return [index_name]
        try:
            rebuilding = bool(self.client.indices.exists_alias(name=self.next_alias))
        except (ApiError, TransportError) as exc:
            raise EngineError(f"search engine unavailable: {exc}") from exc
        return [self.alias, self.next_alias] if rebuilding else [self.alias]

    def _bulk(self, targets: list[str], docs: list[tuple[int, int, dict[str, Any]]]) -> None:
        if not docs:
            return
        ops: list[dict[str, Any]] = []
        for target in targets:
            # require_alias: a write must never auto-create an index named like an alias.
            meta: dict[str, Any] = {"_index": target, "version_type": "external_gte"}
            if target in (self.alias, self.next_alias):
                meta["require_alias"] = True
            for mid, rank, source in docs:
                ops.append({"index": {**meta, "_id": str(mid), "version": rank}})
                ops.append(source)
        try:
            resp = self.client.bulk(operations=ops)
        except (ApiError, TransportError) as exc:
            raise EngineError(f"search engine write failed: {exc}") from exc
        if not resp.get("errors"):
            return
        for item in resp["items"]:
            result = item["index"]
            status = result.get("status", 500)
            if status < 300 or status == 409:
                continue  # 409: an equal-or-newer version is stored, which is what we want
            if status == 404 and result.get("_index") == self.next_alias:
                continue  # the rebuild was swapped in meanwhile; the live write covers it
            raise EngineError(f"search engine rejected a write: {result.get('error')}")

    def index(self, docs: list[Document], *, index_name: str | None = None) -> None:
        prepared = []
        for doc in docs:
            analysis = analyze(doc.text)
            source = {
                "message_id": doc.message_id,
                "channel_id": doc.channel_id,
                "workspace_id": doc.workspace_id,
                "author_id": doc.author_id,
                "created_at_ms": doc.created_at_ms,
                "thread_root_id": doc.thread_root_id,
                "is_thread": doc.is_thread,
                "has_link": doc.has_link,
                "has_reaction": doc.has_reaction,
                "mention_user_ids": list(doc.mention_user_ids),
                "version": doc.version,
                "deleted": False,
                "body": analysis.body_string(),
                "extra": analysis.extra_string(),
            }
            prepared.append((doc.message_id, stored_rank(doc.version, deleted=False), source))
        self._bulk(self._targets(index_name), prepared)

    def delete(self, items: list[tuple[int, int]], *, index_name: str | None = None) -> None:
        """Tombstone each (message_id, version): content gone, version kept to block old writes."""
        prepared = [
            (
                mid,
                stored_rank(version, deleted=True),
                {"message_id": mid, "version": version, "deleted": True},
            )
            for mid, version in items
        ]
        self._bulk(self._targets(index_name), prepared)

    # -- reads -----------------------------------------------------------------------------------

    def search(
        self,
        query: ParsedQuery,
        filters: Filters,
        limit: int,
        cursor: str | None = None,
        sort: Sort = "newest",
    ) -> SearchResult:
        if limit < 1:
            raise QueryError("limit must be at least 1")
        after = decode_cursor(cursor, sort) if cursor else None
        if filters.matches_nothing():
            return SearchResult([], 0, None)
        try:
            resp = self.client.search(
                index=self.alias,
                query=search_query(query, filters),
                sort=sort_spec(sort),
                size=limit + 1,
                search_after=list(after) if after is not None else None,
                track_total_hits=True,
                source=False,
            )
        except (ApiError, TransportError) as exc:
            raise EngineError(f"search failed: {exc}") from exc
        hits = resp["hits"]["hits"]
        more = len(hits) > limit
        hits = hits[:limit]
        next_cursor = encode_cursor(sort, tuple(hits[-1]["sort"])) if more and hits else None
        total = int(resp["hits"]["total"]["value"])
        return SearchResult([int(h["_id"]) for h in hits], total, next_cursor)

    def health(self) -> bool:
        try:
            health = self.client.cluster.health(timeout="2s")
        except (ApiError, TransportError):
            return False
        return health.get("status") in ("green", "yellow")

    def refresh(self) -> None:
        try:
            self.client.indices.refresh(index=self._pattern, allow_no_indices=True)
        except (ApiError, TransportError) as exc:
            raise EngineError(f"refresh failed: {exc}") from exc
