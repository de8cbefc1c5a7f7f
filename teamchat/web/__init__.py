"""HTTP entry points: JSON API blueprints, the workspace pages, the WebSocket."""

from __future__ import annotations

import importlib
import logging

from flask import Flask

log = logging.getLogger(__name__)

# Optional parts register themselves only when their package is present.
OPTIONAL = ("teamchat.web.pages", "teamchat.web.ws")


def register_web(app: Flask) -> None:
    from teamchat.web import errors, health
    from teamchat.web.api import bp as api_bp
    from teamchat.web.api import load_routes

    errors.register(app)
    load_routes()
    app.register_blueprint(api_bp)
    app.register_blueprint(health.bp)
    for name in OPTIONAL:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.init_app(app) if hasattr(module, "init_app") else app.register_blueprint(module.bp)
