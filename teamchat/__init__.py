"""TeamChat: a self-hosted team chat."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask

from teamchat.config import Settings


def create_app(settings: Settings | None = None, **overrides: Any) -> Flask:
    """Build the WSGI app. Settings come from the environment unless given."""
    from teamchat.runtime import build_runtime
    from teamchat.web import register_web

    if settings is None:
        settings = Settings.from_env()
    if overrides:
        settings = settings.with_overrides(**overrides)
    logging.basicConfig(level=settings.log_level)
    app = Flask(__name__, static_folder=None)
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    rt = build_runtime(settings)
    app.extensions["teamchat"] = rt
    register_web(app)
    if settings.start_background:
        rt.jobs.start(app)
        rt.presence.start()
    return app
