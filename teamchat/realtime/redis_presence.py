"""Presence in Redis, shared by every process: a user's devices may sit on different
processes, and each change of status is decided atomically in one Lua script, so
exactly one process sees it and tells the watchers.

Keys (all under the prefix, all expiring when nobody refreshes them):
- presence:seen:<uid>   sorted set, device -> last heartbeat (Redis server time, ms)
- presence:away:<uid>   hash, device -> 1 for devices that said "away"
- presence:status:<uid> the status last told; absent means offline
- presence:version:<uid> the version of the last change told, so stale ones can be
                          dropped: Redis time in ms (one more when two fall in the same
                          ms), so it keeps growing even after the key expired
- presence:devices      sorted set, "<uid>:<device>" -> last heartbeat, for the sweeper;
                          the sweeper also drops entries whose seen:<uid> expired
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from teamchat.config import Settings
from teamchat.realtime.presence import (
    OFFLINE,
    Announcer,
    Listener,
    Sweeper,
    silence_limit,
    sweep_interval,
)

if TYPE_CHECKING:
    from redis import Redis

log = logging.getLogger(__name__)

# KEYS: seen, away, status, version, devices. ARGV: op, device, uid, silence limit (ms).
# op: connect | beat | away | online | gone | sweep. Returns {status, version} when the
# user's status changed, else nil.
UPDATE = """
local op, dev, uid, limit = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if op == 'gone' then
  redis.call('ZREM', KEYS[1], dev)
  redis.call('HDEL', KEYS[2], dev)
  redis.call('ZREM', KEYS[5], uid .. ':' .. dev)
elseif op ~= 'sweep' then
  redis.call('ZADD', KEYS[1], now, dev)
  redis.call('ZADD', KEYS[5], now, uid .. ':' .. dev)
  if op == 'away' then
    redis.call('HSET', KEYS[2], dev, '1')
  elseif op ~= 'beat' then
    redis.call('HDEL', KEYS[2], dev)
  end
end
local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - limit))
for _, d in ipairs(stale) do
  redis.call('ZREM', KEYS[1], d)
  redis.call('HDEL', KEYS[2], d)
  redis.call('ZREM', KEYS[5], uid .. ':' .. d)
end
local live = redis.call('ZCARD', KEYS[1])
local status = 'offline'
if live > 0 then
  if redis.call('HLEN', KEYS[2]) >= live then status = 'away' else status = 'online' end
  redis.call('PEXPIRE', KEYS[1], limit * 2)
  redis.call('PEXPIRE', KEYS[2], limit * 2)
end
local old = redis.call('GET', KEYS[3]) or 'offline'
if status == 'offline' then
  redis.call('DEL', KEYS[3])
else
  redis.call('SET', KEYS[3], status, 'PX', limit * 2)
end
if old == status then return nil end
local version = math.max(tonumber(redis.call('GET', KEYS[4]) or '0') + 1, now)
redis.call('SET', KEYS[4], string.format('%d', version), 'PX', 86400000)
return {status, version}
"""

# KEYS: devices. ARGV: silence limit (ms), batch. The users with a silent device.
STALE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. (now - tonumber(ARGV[1])),
  'LIMIT', 0, tonumber(ARGV[2]))
"""

# KEYS: devices. ARGV: silence limit (ms), then members. Drops those still silent: after
# the users' own sweeps only entries whose seen:<uid> is gone are left, which no user
# update would remove and which would otherwise fill every batch of STALE.
FORGET = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local limit = tonumber(ARGV[1])
local removed = 0
for i = 2, #ARGV do
  local score = redis.call('ZSCORE', KEYS[1], ARGV[i])
  if score and tonumber(score) < now - limit then
    removed = removed + redis.call('ZREM', KEYS[1], ARGV[i])
  end
end
return removed
"""

SWEEP_BATCH = 500


class RedisPresence:
    def __init__(self, settings: Settings, client: Redis) -> None:
        self.settings = settings
        self.client = client
        self.prefix = settings.redis_prefix + "presence:"
        self._limit_ms = int(silence_limit(settings) * 1000)
        self._update = client.register_script(UPDATE)
        self._stale = client.register_script(STALE)
        self._forget = client.register_script(FORGET)
        self._sweeper = Sweeper("teamchat-presence", sweep_interval(settings), self.sweep)
        self._announcer = Announcer()

    def set_listener(self, listener: Listener | None) -> None:
        self._announcer.listener = listener

    def status(self, user_id: int) -> str:
        return self.statuses([user_id])[user_id]

    def statuses(self, user_ids: list[int]) -> dict[int, str]:
        out: dict[int, str] = {}
        ids = list(dict.fromkeys(user_ids))
        for i in range(0, len(ids), 1000):
            chunk = ids[i : i + 1000]
            values = self.client.mget([f"{self.prefix}status:{u}" for u in chunk])
            for uid, value in zip(chunk, values, strict=True):
                out[uid] = value or OFFLINE
        return out

    def connect(self, user_id: int, device_id: str) -> None:
        self._run(user_id, device_id, "connect")

    def beat(self, user_id: int, device_id: str) -> None:
        self._run(user_id, device_id, "beat")

    def set_away(self, user_id: int, device_id: str, away: bool) -> None:
        self._run(user_id, device_id, "away" if away else "online")

    def disconnect(self, user_id: int, device_id: str) -> None:
        self._run(user_id, device_id, "gone")

    def sweep(self) -> None:
        """Expire silent devices of every process, including ones that died."""
        devices = self.prefix + "devices"
        members = self._stale(keys=[devices], args=[self._limit_ms, SWEEP_BATCH])
        for user_id in sorted({int(m.split(":", 1)[0]) for m in members}):
            self._run(user_id, "", "sweep")
        if members:
            self._forget(keys=[devices], args=[self._limit_ms, *members])

    def start(self) -> None:
        self._sweeper.start()

    def stop(self) -> None:
        self._sweeper.stop()

    def _run(self, user_id: int, device_id: str, op: str) -> None:
        p = self.prefix
        result = self._update(
            keys=[
                f"{p}seen:{user_id}",
                f"{p}away:{user_id}",
                f"{p}status:{user_id}",
                f"{p}version:{user_id}",
                f"{p}devices",
            ],
            args=[op, device_id, user_id, self._limit_ms],
        )
        if result:
            status, version = result
            self._announcer.put(user_id, str(status), int(version))
