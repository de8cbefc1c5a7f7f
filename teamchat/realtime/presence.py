"""Presence: online while a device holds a live socket, away when every live device
says so, offline once the last device has been silent past the timeout.

Devices are sockets. The socket tier reports connect, heartbeat, away/online and
disconnect; a sweeper expires devices that went silent without closing (a dropped
network, a crashed process). Each real change of a user's status is reported once to
the listener, which tells the people who watch that user.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from teamchat.config import Settings

if TYPE_CHECKING:
    from redis import Redis

    from teamchat.realtime.bus import EventBus

log = logging.getLogger(__name__)

ONLINE, AWAY, OFFLINE = "online", "away", "offline"
Listener = Callable[[int, str], None]
# The announcer remembers the version it last told per user only this long, and for at
# most this many users: changes wait in its queue for moments, not minutes.
TOLD_SECONDS = 600.0
TOLD_MAX = 100_000


def sweep_interval(settings: Settings) -> float:
    """How often silent devices are looked for: a tenth of the timeout, 0.2 s to 5 s."""
    return max(0.2, min(5.0, settings.presence_timeout_seconds / 10))


def silence_limit(settings: Settings) -> float:
    """A device silent this long is gone. One sweep interval short of the timeout, so
    that the user is offline at most `presence_timeout_seconds` after the last beat."""
    return max(0.5, settings.presence_timeout_seconds - sweep_interval(settings))


class Presence(Protocol):
    def status(self, user_id: int) -> str: ...
    def statuses(self, user_ids: list[int]) -> dict[int, str]: ...
    def set_listener(self, listener: Listener | None) -> None: ...
    def connect(self, user_id: int, device_id: str) -> None: ...
    def beat(self, user_id: int, device_id: str) -> None: ...
    def set_away(self, user_id: int, device_id: str, away: bool) -> None: ...
    def disconnect(self, user_id: int, device_id: str) -> None: ...
    def sweep(self) -> None: ...
    def start(self) -> None: ...
    def stop(self) -> None: ...


class Sweeper:
    """The background thread that runs `sweep` every interval; started once."""

    def __init__(self, name: str, interval: float, sweep: Callable[[], None]) -> None:
        self._name = name
        self._interval = interval
        self._sweep = sweep
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self._sweep()
            except Exception:
                log.exception("presence sweep failed")


class Announcer:
    """Hands status changes to the listener on one thread, in the order they were
    decided, so that "online" then "offline" is never told the other way round and the
    socket threads never wait for the database."""

    def __init__(self) -> None:
        self.listener: Listener | None = None
        self._queue: queue.Queue[tuple[int, str, int]] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        # user id -> (version of the last change told, when), oldest first. Versions
        # come from Redis and grow per user; see teamchat.realtime.redis_presence.
        self._told: OrderedDict[int, tuple[int, float]] = OrderedDict()

    def told_count(self) -> int:
        return len(self._told)

    def put(self, user_id: int, status: str, version: int = 0) -> None:
        if self.listener is None:
            return
        self._queue.put((user_id, status, version))
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="teamchat-presence-announcer", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            user_id, status, version = self._queue.get()
            if version:
                if version <= self._told.get(user_id, (0, 0.0))[0]:
                    continue  # a later change was told already
                self._remember(user_id, version)
            listener = self.listener
            if listener is None:
                continue
            try:
                listener(user_id, status)
            except Exception:
                log.exception("announcing presence of user %s failed", user_id)

    def _remember(self, user_id: int, version: int) -> None:
        now = time.monotonic()
        self._told[user_id] = (version, now)
        self._told.move_to_end(user_id)
        while self._told:
            _, (_, told_at) = next(iter(self._told.items()))
            if len(self._told) <= TOLD_MAX and now - told_at < TOLD_SECONDS:
                break
            self._told.popitem(last=False)


class MemoryPresence:
    """In-process presence for the embedded default (one process holds every socket)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._limit = silence_limit(settings)
        self._lock = threading.Lock()
        # user id -> device id -> [last heartbeat (monotonic), away]
        self._devices: dict[int, dict[str, list[float | bool]]] = {}
        # The status last announced; a user who is not here is offline.
        self._shown: dict[int, str] = {}
        self._sweeper = Sweeper("teamchat-presence", sweep_interval(settings), self.sweep)
        self._announcer = Announcer()

    def set_listener(self, listener: Listener | None) -> None:
        self._announcer.listener = listener

    def status(self, user_id: int) -> str:
        return self.statuses([user_id])[user_id]

    def statuses(self, user_ids: list[int]) -> dict[int, str]:
        with self._lock:
            return {uid: self._shown.get(uid, OFFLINE) for uid in user_ids}

    def connect(self, user_id: int, device_id: str) -> None:
        self._update(user_id, device_id, "connect")

    def beat(self, user_id: int, device_id: str) -> None:
        self._update(user_id, device_id, "beat")

    def set_away(self, user_id: int, device_id: str, away: bool) -> None:
        self._update(user_id, device_id, "away" if away else "online")

    def disconnect(self, user_id: int, device_id: str) -> None:
        self._update(user_id, device_id, "gone")

    def sweep(self) -> None:
        with self._lock:
            users = list(self._devices)
        for user_id in users:
            self._update(user_id, None, "sweep")

    def start(self) -> None:
        self._sweeper.start()

    def stop(self) -> None:
        self._sweeper.stop()

    def _update(self, user_id: int, device_id: str | None, op: str) -> None:
        now = time.monotonic()
        with self._lock:
            devices = self._devices.setdefault(user_id, {})
            if device_id is not None:
                if op == "gone":
                    devices.pop(device_id, None)
                elif op == "beat" and device_id in devices:
                    devices[device_id][0] = now
                else:  # connect, away, online; or a beat from a device swept meanwhile
                    devices[device_id] = [now, op == "away"]
            for dev, (seen, _) in list(devices.items()):
                if now - float(seen) > self._limit:
                    del devices[dev]
            if not devices:
                del self._devices[user_id]
                new = OFFLINE
            else:
                new = AWAY if all(bool(away) for _, away in devices.values()) else ONLINE
            old = self._shown.get(user_id, OFFLINE)
            if new == old:
                return
            if new == OFFLINE:
                self._shown.pop(user_id, None)
            else:
                self._shown[user_id] = new
            # Queued under the lock: changes are told in the order they happened.
            self._announcer.put(user_id, new)


def make_presence(settings: Settings, client: Redis | None, bus: EventBus) -> Presence:
    if client is not None:
        from teamchat.realtime.redis_presence import RedisPresence

        return RedisPresence(settings, client)
    return MemoryPresence(settings)
