"""The web workspace: one HTML page plus static ES modules, no build step.

The page talks only to the v1 JSON API and the WebSocket. The app factory registers
``bp`` without a prefix: ``/`` serves the workspace, ``/static/...`` its assets.
"""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, request, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

bp = Blueprint(
    "pages",
    __name__,
    static_folder=str(STATIC_DIR),
    static_url_path="/static",
)


def _content_security_policy() -> str:
    """A strict policy: scripts, styles and sockets only from this origin."""
    host = request.host
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data: https: http:",
            f"connect-src 'self' ws://{host} wss://{host}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


@bp.get("/")
def workspace() -> Response:
    """The single-page workspace; every view inside it is drawn by the JS modules."""
    resp = send_from_directory(STATIC_DIR, "index.html", max_age=0)
    resp.headers["Cache-Control"] = "no-cache"
    resp.headers["Content-Security-Policy"] = _content_security_policy()
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp
