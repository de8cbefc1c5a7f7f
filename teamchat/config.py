"""Typed settings: the only module that reads the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

ENV_PREFIX = "TEAMCHAT_"


@dataclass(frozen=True)
class Settings:
    """Every knob of a TeamChat process. Defaults give the embedded default."""

    # Where the embedded default keeps its SQLite files and local search index.
    data_dir: str = "./teamchat-data"
    # SQLAlchemy URLs. Empty means SQLite files inside data_dir.
    directory_url: str = ""
    shard_urls: tuple[str, ...] = ()
    # Number of SQLite shard files when shard_urls is empty.
    sqlite_shards: int = 2
    # "local" (SQLite FTS5 in data_dir) or "elasticsearch".
    search_backend: str = "local"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    search_index_prefix: str = "teamchat-"
    # Redis for live fan-out, presence and rate limits; empty means in-process.
    redis_url: str = ""
    # Celery broker; empty means the in-process job thread.
    broker_url: str = ""
    # Prefix on every Redis key and channel, so tests and tenants can share a server.
    redis_prefix: str = "teamchat:"
    # Snowflake node id (0..1023); -1 means allocate one at start.
    node_id: int = -1
    recall_window_seconds: int = 24 * 3600
    max_body_bytes: int = 1024 * 1024
    max_message_chars: int = 16_000
    presence_timeout_seconds: int = 60
    login_attempts_per_minute: int = 10
    argon2_time_cost: int = 3
    argon2_memory_cost: int = 65536
    host: str = "127.0.0.1"
    port: int = 8000
    # Extra options the embedded default wants off in tests (e.g. the outbox thread).
    start_background: bool = True
    outbox_batch_size: int = 500
    outbox_sweep_seconds: float = 30.0
    ws_send_queue: int = 1000
    log_level: str = "INFO"

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    def resolved_directory_url(self) -> str:
        if self.directory_url:
            return self.directory_url
        return f"sqlite:///{(self.data_path / 'directory.db').resolve()}"

    def resolved_shard_urls(self) -> tuple[str, ...]:
        if self.shard_urls:
            return self.shard_urls
        return tuple(
            f"sqlite:///{(self.data_path / f'shard{i}.db').resolve()}"
            for i in range(self.sqlite_shards)
        )

    def with_overrides(self, **overrides: Any) -> Settings:
        return replace(self, **overrides)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides: Any) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            values[f.name] = _coerce(f.name, raw, getattr(cls, f.name, None))
        values.update(overrides)
        return cls(**values)


def _coerce(name: str, raw: str, default: Any) -> Any:
    if name == "shard_urls":
        return tuple(u.strip() for u in raw.split(",") if u.strip())
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{ENV_PREFIX}{name.upper()} must be a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw
