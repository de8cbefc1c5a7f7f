"""The v1 JSON API: one module per noun, all on one blueprint."""

from __future__ import annotations

import importlib

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

ROUTE_MODULES = (
    "auth",
    "users",
    "workspaces",
    "contacts",
    "channels",
    "messages",
    "reactions",
    "reads",
    "search",
    "openapi",
)

_loaded = False


def load_routes() -> None:
    """Import the route modules once (they attach their views to `bp`)."""
    global _loaded
    if _loaded:
        return
    for name in ROUTE_MODULES:
        try:
            importlib.import_module(f"teamchat.web.api.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"teamchat.web.api.{name}":
                raise
    _loaded = True
