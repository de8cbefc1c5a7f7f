"""A socket's bounded queue of frames to send, drained by that socket's writer thread.

A slow reader fills only its own queue. When it is full, typing and presence frames
are dropped first (they are stale a moment later anyway); if it is still full, the
socket is closed and its client resumes from the channel logs.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class Close:
    """The writer's last item: close the socket with this code."""

    code: int
    reason: str


class SendQueue:
    def __init__(self, capacity: int) -> None:
        self.capacity = max(2, capacity)
        self._items: deque[tuple[str, bool]] = deque()
        self._close: Close | None = None
        self._cond = threading.Condition()

    def __len__(self) -> int:
        return len(self._items)

    @property
    def closing(self) -> bool:
        return self._close is not None

    def put(self, text: str, droppable: bool) -> bool:
        """Queue a frame without waiting; False when the queue is full of frames that
        may not be dropped (the caller closes the socket)."""
        with self._cond:
            if self._close is not None:
                return True
            if len(self._items) >= self.capacity:
                if droppable:
                    return True
                if not self._evict_droppable():
                    return False
            self._items.append((text, droppable))
            self._cond.notify()
            return True

    def put_wait(self, text: str, room: int, timeout: float) -> bool:
        """Queue a frame once fewer than `room` frames wait (a replay leaves the rest
        of the queue to live frames). False if closed or still full after timeout."""
        with self._cond:
            if not self._cond.wait_for(
                lambda: self._close is not None or len(self._items) < room, timeout
            ):
                return False
            if self._close is not None:
                return False
            self._items.append((text, False))
            self._cond.notify_all()
            return True

    def get(self) -> str | Close:
        """The next frame to send, or the Close that ends the writer."""
        with self._cond:
            self._cond.wait_for(lambda: self._items or self._close is not None)
            if self._close is not None and (self._close.code != 1000 or not self._items):
                # An abnormal close skips what is queued: the client resumes anyway.
                return self._close
            text, _ = self._items.popleft()
            self._cond.notify_all()
            return text

    def close(self, code: int = 1000, reason: str = "") -> None:
        """End the queue; a normal close (1000) still sends what is queued."""
        with self._cond:
            if self._close is None:
                self._close = Close(code, reason)
            self._cond.notify_all()

    def _evict_droppable(self) -> bool:
        for i, (_, droppable) in enumerate(self._items):
            if droppable:
                del self._items[i]
                return True
        return False
