"""Reactions: one per (message, user, emoji), added and removed idempotently.

What counts as an emoji (after URL-decoding and NFC), at most 64 code points:
- a shortcode like Slack's, `:name:` with a-z 0-9 `_` `+` `-` (upper case is folded),
  optionally followed by a skin tone, `:thumbsup::skin-tone-3:`;
- or a Unicode emoji sequence: pictographic symbols (general category So, non-ASCII
  Sm, the emoji blocks' code points this Python does not know yet, and the few emoji
  that Unicode files as punctuation or letters, such as U+203C and U+2139), joined
  by ZWJ and modified by skin tones, variation selectors, keycap marks and tag
  characters (subdivision flags). A digit, `#` or `*` is allowed only as a keycap
  base, i.e. followed by U+FE0F or U+20E3.
Anything with whitespace, control or format characters (other than ZWJ and tags),
letters or plain text is refused with 400 `invalid_emoji`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from teamchat.errors import BadRequest, Conflict
from teamchat.ids import now_ms
from teamchat.models import Channel, Message, User
from teamchat.services.fanout import log_and_publish
from teamchat.services.messages import reactions_json
from teamchat.store import messages as message_store
from teamchat.store import outbox
from teamchat.store import reactions as reaction_store
from teamchat.store.access import access_message_by_id
from teamchat.store.db import Tx

MAX_EMOJI_CHARS = 64
SHORTCODE_RE = re.compile(r":[a-z0-9_+\-]{1,50}:(?::skin-tone-[2-6]:)?")
ZWJ = "\u200d"
MODIFIERS = frozenset("\u200d\ufe0e\ufe0f\u20e3")
KEYCAP_BASES = frozenset("0123456789#*")
# Emoji whose code point is filed as punctuation or a letter.
EMOJI_OTHER = frozenset("\u203c\u2049\u3030\u303d\u2139")
# Symbols that stand for broken input: invalid UTF-8 in a URL decodes to U+FFFD.
NOT_EMOJI = frozenset("\ufffc\ufffd")


def _is_tag(ch: str) -> bool:
    return 0xE0020 <= ord(ch) <= 0xE007F


def _is_pictograph(ch: str) -> bool:
    if ch in NOT_EMOJI:
        return False
    cat = unicodedata.category(ch)
    if cat == "So" or ch in EMOJI_OTHER:
        return True
    if cat == "Sm":
        return not ch.isascii()
    if cat == "Sk":
        return 0x1F3FB <= ord(ch) <= 0x1F3FF  # skin tones
    # Emoji newer than this Python's Unicode tables.
    return cat == "Cn" and 0x1F000 <= ord(ch) <= 0x1FAFF


def _is_emoji_sequence(text: str) -> bool:
    if text[0] in MODIFIERS or _is_tag(text[0]):
        return False
    pictographs = 0
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in KEYCAP_BASES:
            if nxt not in ("\ufe0f", "\u20e3"):
                return False
            pictographs += 1
        elif _is_pictograph(ch):
            pictographs += 1
        elif ch not in MODIFIERS and not _is_tag(ch):
            return False
        if ch == ZWJ and not (nxt and _is_pictograph(nxt)):
            return False
    return pictographs > 0


def check_emoji(raw: str) -> str:
    emoji = unicodedata.normalize("NFC", raw)
    if not 1 <= len(emoji) <= MAX_EMOJI_CHARS:
        raise BadRequest(f"emoji must be 1 to {MAX_EMOJI_CHARS} characters", code="invalid_emoji")
    if emoji.startswith(":"):
        emoji = emoji.lower()
        if SHORTCODE_RE.fullmatch(emoji):
            return emoji
    elif _is_emoji_sequence(emoji):
        return emoji
    raise BadRequest(
        "emoji must be a Unicode emoji or a :shortcode: (a-z, 0-9, _, +, -)",
        code="invalid_emoji",
    )


def _reactions_of(tx: Tx, shard: int, message_id: int) -> list[dict[str, Any]]:
    rows = reaction_store.for_messages(tx.shard(shard), [message_id])[message_id]
    return reactions_json(rows)


def do_add_reaction(tx: Tx, user: User, message_id: int, emoji: str) -> dict[str, Any]:
    """React (members only, as posting). Adding one that is there already changes
    nothing and sends no event."""
    emoji = check_emoji(emoji)
    channel, m = access_message_by_id(tx, user.id, message_id, member=True)
    s = tx.shard(channel.shard)
    message_store.lock_channel(s, channel.id)
    m = message_store.reload(s, m.id) or m
    if m.deleted_at is not None:
        raise Conflict("a deleted message takes no reactions", code="message_deleted")
    if reaction_store.add_one(s, m.id, channel.id, user.id, emoji, now_ms()):
        _changed(tx, channel, m, "reaction.added", user, emoji)
    return {"reactions": _reactions_of(tx, channel.shard, m.id)}


def do_remove_reaction(tx: Tx, user: User, message_id: int, emoji: str) -> dict[str, Any]:
    """Take one's reaction back. Removing one that is not there (or from a deleted
    message, whose reactions are gone) changes nothing and sends no event."""
    emoji = check_emoji(emoji)
    channel, m = access_message_by_id(tx, user.id, message_id, member=True)
    s = tx.shard(channel.shard)
    message_store.lock_channel(s, channel.id)
    if reaction_store.delete_one(s, m.id, user.id, emoji):
        m = message_store.reload(s, m.id) or m
        _changed(tx, channel, m, "reaction.removed", user, emoji)
    return {"reactions": _reactions_of(tx, channel.shard, m.id)}


def _changed(tx: Tx, channel: Channel, m: Message, type_: str, user: User, emoji: str) -> None:
    """Log and publish the change; `has:reaction` is a search filter, so re-index."""
    s = tx.shard(channel.shard)
    m.version += 1
    outbox.add(s, m.id, channel.id)
    s.flush()
    data = {
        "message_id": str(m.id),
        "emoji": emoji,
        "user_id": str(user.id),
        "reactions": _reactions_of(tx, channel.shard, m.id),
    }
    log_and_publish(tx, channel, type_, data)
    tx.enqueue("index.drain_outbox", shard=channel.shard)
