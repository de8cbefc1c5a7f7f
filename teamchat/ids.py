"""Snowflake ids: 41 bits of milliseconds, 10 bits of node, 12 bits of sequence."""

from __future__ import annotations

import threading
import time

EPOCH_MS = 1_577_836_800_000  # 2020-01-01T00:00:00Z
NODE_BITS = 10
SEQ_BITS = 12
MAX_NODE = (1 << NODE_BITS) - 1
MAX_SEQ = (1 << SEQ_BITS) - 1


def now_ms() -> int:
    return time.time_ns() // 1_000_000


class Snowflake:
    """Time-ordered 64-bit ids. A clock that steps back borrows from the last time seen."""

    def __init__(self, node_id: int, clock: object = None) -> None:
        if not 0 <= node_id <= MAX_NODE:
            raise ValueError(f"node id must be 0..{MAX_NODE}")
        self.node_id = node_id
        self._clock = clock or now_ms
        self._lock = threading.Lock()
        self._last_ms = 0
        self._seq = 0

    def next_id(self) -> int:
        with self._lock:
            ms = self._clock()  # type: ignore[operator]
            if ms <= self._last_ms:
                # Same millisecond, or the clock went backwards: stay on the last time.
                ms = self._last_ms
                self._seq = (self._seq + 1) & MAX_SEQ
                if self._seq == 0:
                    ms += 1
            else:
                self._seq = 0
            self._last_ms = ms
            return (
                ((ms - EPOCH_MS) << (NODE_BITS + SEQ_BITS)) | (self.node_id << SEQ_BITS) | self._seq
            )

    @staticmethod
    def timestamp_ms(snowflake: int) -> int:
        return (snowflake >> (NODE_BITS + SEQ_BITS)) + EPOCH_MS
