"""Opaque paging cursors: the sort key of the last hit returned, as in search_after.

A key is (created_at_ms, message_id) for "newest" and (score, created_at_ms,
message_id) for "relevance". Keying on the last hit, not an offset, keeps
newest-first pages free of repeats and skips while new messages arrive.
"""

from __future__ import annotations

import base64
import json

from search.errors import CursorError

_BAD = "This page link has expired or is invalid: run the search again."


def encode_cursor(sort: str, key: tuple[float | int, ...]) -> str:
    raw = json.dumps({"s": sort, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[float | int, ...]:
    """The key in `cursor`, checked to belong to `sort`; `CursorError` otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = data["k"]
        size = 2 if sort == "newest" else 3
        if data["s"] != sort or not isinstance(key, list) or len(key) != size:
            raise CursorError(_BAD)
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in key[-2:]):
            raise CursorError(_BAD)
        if size == 3 and not isinstance(key[0], int | float):
            raise CursorError(_BAD)
        return tuple(key)
    except CursorError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeError):
        raise CursorError(_BAD) from None
