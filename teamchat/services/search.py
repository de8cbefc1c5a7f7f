"""Searching a workspace's history, and the list of messages that mention the caller.

The engine gets only ids the caller may see (readable channels, minus hidden
messages) and returns ids; rows are then read from the shards, which stay the
source of truth: a message deleted or hidden since it was indexed is dropped.
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from search.engine import Filters
from search.errors import CursorError, EngineError, QueryError
from search.highlight import highlight
from search.query import NameRef, ParsedQuery, parse_query
from teamchat.errors import ApiError, BadRequest
from teamchat.models import Channel, Message, User
from teamchat.services.messages import messages_json
from teamchat.store import channels as channel_store
from teamchat.store import messages as message_store
from teamchat.store import search as search_store
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.access import access_workspace_by_id
from teamchat.store.db import Tx

log = logging.getLogger(__name__)

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
SORTS = ("newest", "relevance")


class SearchUnavailable(ApiError):
    status = 503
    code = "search_unavailable"


@dataclass
class Scope:
    """The caller's readable channels of one workspace, by shard."""

    channels: dict[int, Channel]
    by_shard: dict[int, list[int]] = field(default_factory=dict)

    @classmethod
    def load(cls, tx: Tx, user: User, workspace_id: int) -> Scope:
        ids = channel_store.readable_channel_ids(tx.directory, user.id, workspace_id)
        channels = channel_store.get_channels(tx.directory, ids)
        by_shard: dict[int, list[int]] = defaultdict(list)
        for c in channels.values():
            by_shard[c.shard].append(c.id)
        return cls(channels, dict(by_shard))

    def hidden_ids(self, tx: Tx, user_id: int) -> set[int]:
        out: set[int] = set()
        for shard, ids in self.by_shard.items():
            out |= search_store.hidden_ids(tx.shard(shard), user_id, ids)
        return out


def check_sort(raw: str | None) -> str:
    if raw is None or raw == "":
        return "newest"
    if raw not in SORTS:
        raise BadRequest("sort must be newest or relevance", code="invalid_sort")
    return raw


def check_query(raw: str) -> ParsedQuery:
    try:
        return parse_query(raw)
    except QueryError as exc:
        raise BadRequest(exc.message, code="invalid_query") from None


# -- names in filters ---------------------------------------------------------------


def _users(
    tx: Tx, user: User, workspace_id: int, refs: tuple[NameRef, ...]
) -> tuple[list[int] | None, list[str]]:
    """User ids for from:/mentions: names (any of them), and notes for unknown ones.
    Someone outside the workspace is as unknown as a name nobody has."""
    if not refs:
        return None, []
    wanted = [r.name for r in refs if not r.is_me]
    found = user_store.get_users_by_usernames(tx.directory, wanted)
    members = workspace_store.member_ids(tx.directory, workspace_id, [u.id for u in found.values()])
    ids: list[int] = []
    notes: list[str] = []
    for ref in refs:
        if ref.is_me:
            ids.append(user.id)
        elif ref.name in found and found[ref.name].id in members:
            ids.append(found[ref.name].id)
        else:
            notes.append(f"No one called @{ref.name} is in this workspace.")
    return sorted(set(ids)), notes


def _channels(
    tx: Tx, user: User, workspace_id: int, scope: Scope, refs: tuple[NameRef, ...]
) -> tuple[list[int] | None, list[str]]:
    """Channel ids for in: (any of them). `in:@bob` is the DM with bob. A channel the
    caller cannot read gets the same note as one that does not exist."""
    if not refs:
        return None, []
    ids: list[int] = []
    notes: list[str] = []
    for ref in refs:
        channel: Channel | None = None
        if ref.sigil == "@":
            other = user_store.get_user_by_username(tx.directory, ref.name)
            if other is not None:
                channel = search_store.dm_between(tx.directory, workspace_id, user.id, other.id)
            if channel is None or channel.id not in scope.channels:
                notes.append(f"You have no direct messages with @{ref.name} here.")
                continue
        else:
            channel = channel_store.channel_by_name(tx.directory, workspace_id, ref.name)
            if channel is None or channel.id not in scope.channels:
                notes.append(f"There is no channel #{ref.name} that you can read.")
                continue
        ids.append(channel.id)
    return sorted(set(ids)), notes


# -- search -------------------------------------------------------------------------


def search_messages(
    tx: Tx,
    user: User,
    workspace_id: int,
    q: str,
    limit: int = DEFAULT_LIMIT,
    cursor: str | None = None,
    sort: str = "newest",
) -> dict[str, Any]:
    access_workspace_by_id(tx, user.id, workspace_id)
    parsed = check_query(q)
    limit = max(1, min(limit, MAX_LIMIT))
    scope = Scope.load(tx, user, workspace_id)
    authors, notes = _users(tx, user, workspace_id, parsed.from_users)
    mentioned, more = _users(tx, user, workspace_id, parsed.mentions)
    notes += more
    in_channels, more = _channels(tx, user, workspace_id, scope, parsed.in_channels)
    notes += more
    empty = {"hits": [], "next_cursor": None, "total": 0, "notes": notes}
    if notes or not scope.channels:
        # An unknown name narrows to nothing: never widen to an unfiltered search.
        return empty
    hidden = scope.hidden_ids(tx, user.id)
    filters = Filters.for_query(
        parsed,
        channel_ids=sorted(scope.channels),
        author_ids=authors,
        in_channel_ids=in_channels,
        mention_user_ids=mentioned,
        exclude_message_ids=sorted(hidden),
    )
    try:
        result = tx.rt.search.search(parsed, filters, limit, cursor=cursor, sort=sort)
    except CursorError as exc:
        raise BadRequest(exc.message, code="invalid_cursor") from None
    except QueryError as exc:
        raise BadRequest(exc.message, code="invalid_query") from None
    except EngineError as exc:
        log.warning("search failed: %s", exc)
        raise SearchUnavailable("search is unavailable right now; try again shortly") from None
    messages = hydrate(tx, scope, result.ids, hidden)
    hits = [{"message": m, "highlights": highlight(m["text"], parsed)} for m in messages]
    return {"hits": hits, "next_cursor": result.next_cursor, "total": result.total, "notes": notes}


def hydrate(tx: Tx, scope: Scope, ids: list[int], hidden: set[int]) -> list[dict[str, Any]]:
    """The engine's ids as messages, in the engine's order, minus rows deleted, hidden
    or out of scope since they were indexed."""
    found: dict[int, Message] = {}
    shards = sorted(scope.by_shard)
    for shard in shards:
        found.update(
            message_store.get_messages(tx.shard(shard), [i for i in ids if i not in found])
        )
    keep: dict[int, list[Message]] = defaultdict(list)
    for mid in ids:
        m = found.get(mid)
        if m is None or m.deleted_at is not None or mid in hidden:
            continue
        channel = scope.channels.get(m.channel_id)
        if channel is None:
            continue
        keep[channel.shard].append(m)
    shown: dict[str, dict[str, Any]] = {}
    for shard, rows in keep.items():
        for body in messages_json(tx, rows, shard):
            shown[body["id"]] = body
    return [shown[str(mid)] for mid in ids if str(mid) in shown]


# -- mentions -----------------------------------------------------------------------


def encode_mention_cursor(created_at: int, message_id: int) -> str:
    return base64.urlsafe_b64encode(f"{created_at}.{message_id}".encode()).decode().rstrip("=")


def decode_mention_cursor(cursor: str) -> tuple[int, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
        at, mid = raw.split(".")
        key = (int(at), int(mid))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise BadRequest("cursor is not one this list gave out", code="invalid_cursor") from None
    if not all(0 <= k < 2**63 for k in key):
        raise BadRequest("cursor is not one this list gave out", code="invalid_cursor")
    return key


def mentions(
    tx: Tx, user: User, workspace_id: int, cursor: str | None, limit: int = DEFAULT_LIMIT
) -> dict[str, Any]:
    """Messages that mention the caller, newest first, across every shard."""
    access_workspace_by_id(tx, user.id, workspace_id)
    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_mention_cursor(cursor) if cursor else None
    scope = Scope.load(tx, user, workspace_id)
    # Each shard gives its newest limit+1; the merge keeps the newest of all of them.
    rows: list[tuple[int, int, Message]] = []  # (mentioned at, shard, message)
    for shard, channel_ids in scope.by_shard.items():
        page = search_store.mention_page(tx.shard(shard), user.id, channel_ids, before, limit + 1)
        rows.extend((at, shard, m) for at, m in page)
    rows.sort(key=lambda r: (r[0], r[2].id), reverse=True)
    more = len(rows) > limit
    rows = rows[:limit]
    by_shard: dict[int, list[Message]] = defaultdict(list)
    for _, shard, m in rows:
        by_shard[shard].append(m)
    shown: dict[int, dict[str, Any]] = {}
    for shard, ms in by_shard.items():
        for m, body in zip(ms, messages_json(tx, ms, shard), strict=True):
            shown[m.id] = body
    next_cursor = None
    if more and rows:
        at, _, last = rows[-1]
        next_cursor = encode_mention_cursor(at, last.id)
    return {"messages": [shown[m.id] for _, _, m in rows], "next_cursor": next_cursor}
