"""Slack reaction names to emoji: common names become the Unicode emoji the web
picker offers, so an imported 👍 and a new one are the same reaction; any other
name stays a Slack-style shortcode (`:partyparrot:`), which reactions accept too."""

from __future__ import annotations

import re

UNICODE = {
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "thumbsdown": "👎",
    "grinning": "😀",
    "smile": "😄",
    "smiley": "😃",
    "joy": "😂",
    "rolling_on_the_floor_laughing": "🤣",
    "blush": "😊",
    "heart_eyes": "😍",
    "slightly_smiling_face": "🙂",
    "wink": "😉",
    "sunglasses": "😎",
    "thinking_face": "🤔",
    "open_mouth": "😮",
    "cry": "😢",
    "sob": "😭",
    "rage": "😡",
    "sweat_smile": "😅",
    "upside_down_face": "🙃",
    "sleeping": "😴",
    "exploding_head": "🤯",
    "partying_face": "🥳",
    "pray": "🙏",
    "clap": "👏",
    "raised_hands": "🙌",
    "eyes": "👀",
    "muscle": "💪",
    "wave": "👋",
    "handshake": "🤝",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "warning": "⚠️",
    "heart": "❤️",
    "broken_heart": "💔",
    "fire": "🔥",
    "star": "⭐",
    "sparkles": "✨",
    "tada": "🎉",
    "rocket": "🚀",
    "100": "💯",
    "ok_hand": "👌",
    "point_up": "☝️",
    "raising_hand": "🙋",
    "facepalm": "🤦",
    "shrug": "🤷",
    "bug": "🐛",
    "bulb": "💡",
    "memo": "📝",
    "coffee": "☕",
    "beers": "🍻",
    "pizza": "🍕",
    "cake": "🍰",
    "trophy": "🏆",
    "rotating_light": "🚨",
    "hourglass": "⌛",
    "question": "❓",
    "exclamation": "❗",
    "heavy_plus_sign": "➕",
    "laughing": "😆",
    "satisfied": "😆",
    "grin": "😁",
    "innocent": "😇",
    "scream": "😱",
    "see_no_evil": "🙈",
    "confused": "😕",
    "neutral_face": "😐",
    "zap": "⚡",
    "lock": "🔒",
    "ship": "🚢",
}
SKIN_TONES = {
    "2": "\U0001f3fb",
    "3": "\U0001f3fc",
    "4": "\U0001f3fd",
    "5": "\U0001f3fe",
    "6": "\U0001f3ff",
}
_NAME = re.compile(r"[a-z0-9_+\-]{1,50}")
_TONE = re.compile(r"skin-tone-([2-6])")


def emoji_for(name: str) -> str | None:
    """The reaction for a Slack name like `thumbsup` or `+1::skin-tone-3`; None when
    the name cannot be one."""
    base, _, tone = name.lower().partition("::")
    tone_match = _TONE.fullmatch(tone) if tone else None
    if tone and tone_match is None:
        return None
    if base in UNICODE:
        glyph = UNICODE[base]
        # A tone modifies the bare pictograph, not its variation selector.
        return glyph.rstrip("\ufe0f") + SKIN_TONES[tone_match.group(1)] if tone_match else glyph
    if not _NAME.fullmatch(base):
        return None
    return f":{base}:" + (f":skin-tone-{tone_match.group(1)}:" if tone_match else "")
