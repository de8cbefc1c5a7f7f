"""Liveness and readiness probes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text

from teamchat.runtime import current_runtime

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Any:
    """The process is up."""
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz() -> Any:
    """Every part this process depends on answers: databases, broker, bus, search."""
    rt = current_runtime()
    parts: dict[str, dict[str, str]] = {}
    parts["directory"] = _check(lambda: _ping_engine(rt.dbs.directory_engine))
    for i, engine in enumerate(rt.dbs.shard_engines):
        parts[f"shard{i}"] = _check(lambda e=engine: _ping_engine(e))
    if rt.redis is not None:
        parts["redis"] = _check(lambda: bool(rt.redis.ping()))  # type: ignore[union-attr]
    else:
        parts["realtime"] = {"status": "ok", "kind": "in-process"}
    if rt.settings.broker_url:
        parts["broker"] = _check(lambda: _ping_broker(rt.settings.broker_url))
    else:
        parts["jobs"] = {"status": "ok", "kind": "in-process"}
    parts["search"] = _check(lambda: bool(rt.search.health()))
    parts["search"]["kind"] = rt.settings.search_backend
    down = sorted(name for name, p in parts.items() if p["status"] != "ok")
    body = {"status": "ok" if not down else "unavailable", "down": down, "parts": parts}
    return jsonify(body), (200 if not down else 503)


def _check(fn: Any) -> dict[str, str]:
    try:
        ok = fn()
    except Exception as exc:
        return {"status": "down", "error": f"{type(exc).__name__}: {exc}"[:300]}
    return {"status": "ok"} if ok else {"status": "down", "error": "no answer"}


def _ping_engine(engine: Any) -> bool:
    with engine.connect() as conn:
        return conn.execute(text("SELECT 1")).scalar() == 1


def _ping_broker(url: str) -> bool:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        return bool(client.ping())
    finally:
        client.close()
