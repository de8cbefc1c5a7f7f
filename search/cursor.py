"""Opaque paging cursors: the sort key of the last hit returned, as in search_after.

A key is (created_at_ms, message_id) for "newest" and (score, created_at_ms,
message_id) for "relevance". Keying on the last hit, not an offset, keeps
newest-first pages free of repeats and skips while new messages arrive.
"""

from __future__ import annotations

import base64
import json
import math

from search.errors import CursorError

_BAD = "This page link has expired or is invalid: run the search again."
_FLOAT32_MAX = 3.4028234663852886e38


def encode_cursor(sort: str, key: tuple[float | int, ...]) -> str:
    raw = json.dumps({"s": sort, "k": list(key)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[float | int, ...]:
    """The key in `cursor`, checked to belong to `sort` and to hold values an engine can
    take (a forged one may hold anything); `CursorError` otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
        key = data["k"]
        size = 2 if sort == "newest" else 3
        if data["s"] != sort or not isinstance(key, list) or len(key) != size:
            raise CursorError(_BAD)
        # created_at_ms and message_id: 64-bit signed longs in ES, SQLite integers.
        if not all(_is_int(v) and 0 <= v < 2**63 for v in key[-2:]):
            raise CursorError(_BAD)
        # A score: finite and within a 32-bit float, which is what ES keeps.
        if size == 3 and not (
            (_is_int(key[0]) or isinstance(key[0], float))
            and math.isfinite(key[0])
            and abs(key[0]) <= _FLOAT32_MAX
        ):
            raise CursorError(_BAD)
        return tuple(key)
    except CursorError:
        raise
    except (ValueError, KeyError, TypeError, UnicodeError, RecursionError, OverflowError):
        raise CursorError(_BAD) from None


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
