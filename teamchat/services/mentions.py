"""Finding @mentions in message text.

`@username` (the longest known name wins, so `@john.doe` is not `@john`; trailing
punctuation is not part of it), `@channel`, `@all`, `@here`. Nothing inside inline
code or code blocks, and an e-mail address is not a mention.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from teamchat.models import Channel, Mention, Message
from teamchat.store import channels as channel_store
from teamchat.store import users as user_store
from teamchat.store import workspaces as workspace_store
from teamchat.store.db import Tx

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


# -- who a message mentions ---------------------------------------------------------


def resolve_mentions(
    tx: Tx, channel: Channel, text: str
) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Spans for display, and who is mentioned: user id -> kind. Only people who can
    read the channel count; @channel/@all expand to members, @here to members online
    now (at send or edit time)."""
    names = candidate_names(text)
    known = user_store.get_users_by_usernames(tx.directory, sorted(names)) if names else {}
    spans = find_mentions(text, lambda n: n in known)
    if not spans:
        return [], {}
    members = channel_store.member_ids(tx.directory, channel.id)
    readers = set(members)
    if channel.kind == "public":
        named = [known[s.name].id for s in spans if s.kind == "user"]
        readers |= workspace_store.member_ids(tx.directory, channel.workspace_id, named)
    who: dict[int, str] = {}
    shown: list[dict[str, Any]] = []
    for span in spans:
        uid = known[span.name].id if span.kind == "user" else None
        shown.append(
            {
                "kind": span.kind,
                "user_id": str(uid) if uid else None,
                "start": span.start,
                "end": span.end,
            }
        )
        if uid is not None and uid in readers:
            who[uid] = "user"
    kinds = {span.kind for span in spans}
    for kind in ("channel", "all"):
        if kind in kinds:
            for uid in members:
                who.setdefault(uid, kind)
    if "here" in kinds:
        online = tx.rt.presence.statuses(members)
        for uid in members:
            if online[uid] == "online":
                who.setdefault(uid, "here")
    return shown, who


def mention_rows(m: Message, who: dict[int, str]) -> list[Mention]:
    """Mention rows for everyone named but the author."""
    return [
        Mention(
            message_id=m.id,
            user_id=uid,
            channel_id=m.channel_id,
            seq=m.seq,
            kind=kind,
            created_at=m.created_at,
        )
        for uid, kind in who.items()
        if uid != m.author_id
    ]
