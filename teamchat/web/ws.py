"""`GET /api/v1/ws`: one WebSocket per device, carrying every live event the user may see.

The entry point of the socket protocol. Client frames: ping, presence, typing, resume.
Server frames: hello first, then `{type, channel_id, seq, data}`; see API.md.
A missing or bad token is refused before the upgrade with the API's JSON 401; a device
logged out while its socket is open is closed with 4401 (see teamchat.realtime.hub).
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed, Server
from werkzeug.routing import WebsocketMismatch

from teamchat.errors import ApiError, BadRequest, Unauthorized
from teamchat.models import User
from teamchat.realtime import events as ev
from teamchat.realtime.connection import Connection
from teamchat.realtime.hub import SESSION_ENDED, Hub
from teamchat.realtime.presence import silence_limit
from teamchat.realtime.replay import start_fill, start_resume
from teamchat.realtime.throttle import make_throttle
from teamchat.runtime import Runtime, current_runtime, transaction
from teamchat.services import presence as presence_service
from teamchat.services import typing as typing_service
from teamchat.services.accounts import authenticate
from teamchat.services.users import user_json
from teamchat.web.api.inputs import parse_id
from teamchat.web.api.session import bearer_token
from teamchat.web.errors import error_response

log = logging.getLogger(__name__)

PATH = "/api/v1/ws"
# A client frame larger than this closes the socket with 1009.
MAX_FRAME_BYTES = 64 * 1024
MAX_RESUME_CHANNELS = 10_000
# How long the handler sleeps in receive before looking at its socket again.
RECEIVE_WAKE_SECONDS = 10.0
# How long a closed socket waits for the client's close frame before dropping the TCP.
CLOSE_REPLY_SECONDS = 2.0

bp = Blueprint("ws", __name__)
sock = Sock()


def init_app(app: Flask) -> None:
    rt: Runtime = app.extensions["teamchat"]
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": MAX_FRAME_BYTES})
    hub = Hub(rt, fill=lambda conn: start_fill(rt, conn))
    app.extensions["teamchat.hub"] = hub
    app.extensions["teamchat.throttle"] = make_throttle(rt.settings, rt.redis)
    rt.presence.set_listener(lambda user_id, status: _announce(rt, user_id, status))
    rt.closers.append(hub.close)
    rt.closers.append(rt.presence.stop)
    rt.closers.append(rt.bus.close)
    app.register_blueprint(bp)
    app.register_error_handler(WebsocketMismatch, _not_upgraded)
    # For the OpenAPI document: the token is checked before the upgrade (_authenticate).
    app.view_functions["ws.live"].auth_required = True  # type: ignore[attr-defined]


def _announce(rt: Runtime, user_id: int, status: str) -> None:
    # Presence changes are rare: a short transaction to find who hears of this one.
    with transaction(rt) as tx:
        presence_service.do_announce_presence(tx, user_id, status)


class WholeSends:
    """The raw socket with every send whole and one at a time: the writer thread and
    simple-websocket's reader (pongs, close replies) share it, and a cooperative socket
    may send only part of a large frame."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self._lock = threading.Lock()

    def send(self, data: bytes) -> int:
        with self._lock:
            self._raw.sendall(data)
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)


class SocketTransport:
    def __init__(self, ws: Server) -> None:
        self.ws = ws

    def send(self, text: str) -> None:
        self.ws.send(text)

    def close(self, code: int, reason: str) -> None:
        try:
            self.ws.close(code, reason)
        finally:
            self.ws.event.set()  # wakes the handler's receive: it sees the socket closed

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self.ws.sock.shutdown(socket.SHUT_RDWR)


@bp.before_request
def _authenticate() -> None:
    """Sets g.user and g.session_id before the upgrade, or answers 401 as the REST API
    does: a refused client gets a plain HTTP answer, not a socket that opens to close."""
    with transaction() as tx:
        g.user, g.session_id = authenticate(tx, _token())
    g.resumes = _resumes()


def _resumes() -> bool:
    """`resume=0`: the client will not send a resume, so live events need not wait for
    one after hello."""
    value = request.args.get("resume", "1")
    if value not in ("0", "1"):
        raise BadRequest("resume must be 0 or 1", code="invalid_parameter")
    return value == "1"


def _not_upgraded(exc: WebsocketMismatch) -> tuple[Response, int]:
    """A plain HTTP request to the socket path. Werkzeug refuses it while routing, before
    _authenticate: the token is checked here, so that a bad one is still a 401."""
    if request.path != PATH:
        return error_response(400, "invalid_request", exc.description or exc.name)
    try:
        with transaction() as tx:
            authenticate(tx, _token())
    except ApiError as err:
        return error_response(err.status, err.code, err.message)
    return error_response(400, "websocket_required", "this endpoint needs a WebSocket upgrade")


def _token() -> str:
    token = request.args.get("token") or bearer_token()
    if not token:
        raise Unauthorized(
            "a token is required (?token= or Authorization: Bearer)", code="no_token"
        )
    return token


class SocketEnded(Response):
    """The answer once a socket has ended under Werkzeug's server. flask-sock 0.7 would
    have it write `HTTP/1.1 200` into a stream that now carries WebSocket frames, right
    behind our close frame; a client then sees a broken frame instead of the close code.
    A ConnectionError is a dropped connection to Werkzeug: it writes nothing more."""

    def __call__(self, environ: Any, start_response: Any) -> Any:
        raise ConnectionError("the WebSocket has ended")


@bp.after_request
def _nothing_after_the_socket(response: Response) -> Response:
    if g.get("upgraded") and "werkzeug.socket" in request.environ:
        return SocketEnded()
    return response


@sock.route(PATH, bp=bp)
def live(ws: Server) -> None:
    """The live event socket: hello, then every event the user may see, until it closes.

    Upgrades only with a valid token (`?token=` or a bearer header); without one the
    answer is a plain 401 with the JSON error, and no upgrade. A socket whose device is
    logged out meanwhile is closed with 4401; one that goes silent with 4408. Frames
    are described in API.md, "Live events"."""
    g.upgraded = True
    ws.sock = WholeSends(ws.sock)
    rt = current_runtime()
    hub: Hub = current_app.extensions["teamchat.hub"]
    user: User = g.user
    session_id: int = g.session_id
    transport = SocketTransport(ws)
    conn = hub.connection(user.id, session_id, transport, resumes=g.resumes)
    conn.send_control(_dump(_hello(rt, conn, user)))
    # Registered before the hello leaves: a client that has it counts as online and
    # misses no event.
    hub.register(conn)
    conn.start_writer()
    # A logout between the check before the upgrade and the registration would find
    # no socket to close: look once more now that one would be found.
    if not _still_valid():
        conn.close(SESSION_ENDED, "this device was logged out")
    try:
        while not conn.closing:
            raw = ws.receive(timeout=RECEIVE_WAKE_SECONDS)
            if raw is None:
                continue
            hub.heard(conn)
            _handle(rt, hub, conn, raw)
    except ConnectionClosed:
        pass
    finally:
        hub.unregister(conn)
        conn.close(1000, "")
        if not conn.writer_done.wait(5.0):
            transport.abort()
        # The closing handshake ends with the client's close frame, and then the server
        # closes the TCP connection first (RFC 6455, 7.1.1): nothing unread is left
        # behind to turn the close into a reset, and the server's thread is freed.
        ws.thread.join(CLOSE_REPLY_SECONDS)
        transport.abort()


def _still_valid() -> bool:
    try:
        with transaction() as tx:
            authenticate(tx, _token())
    except Unauthorized:
        return False
    return True


def _hello(rt: Runtime, conn: Connection, user: User) -> dict[str, Any]:
    return ev.control(
        "hello",
        {
            "connection_id": conn.id,
            "ping_every_seconds": max(1, int(silence_limit(rt.settings) / 3)),
            "max_frame_bytes": MAX_FRAME_BYTES,
        },
        user=user_json(user),
        session_id=str(conn.session_id),
    )


def _dump(frame: dict[str, Any]) -> str:
    return json.dumps(frame, ensure_ascii=False, separators=(",", ":"))


def _handle(rt: Runtime, hub: Hub, conn: Connection, raw: str | bytes) -> None:
    """One client frame. A bad one gets an error frame; the socket stays open."""
    try:
        msg = _parse(raw)
        type_ = msg["type"]
        if type_ != "resume":
            conn.end_pending()
        if type_ == "ping":
            conn.send_control(_dump(ev.control("pong")))
        elif type_ == "presence":
            hub.set_away(conn, _away(msg))
        elif type_ == "typing":
            _typing(hub, conn, parse_id(msg.get("channel_id"), "channel_id"))
        elif type_ == "resume":
            if not conn.resumes:
                # Its live events went out without waiting: a replay now could not
                # come before them.
                raise BadRequest(
                    "this socket was opened with resume=0: reconnect without it to resume",
                    code="resume_not_expected",
                )
            start_resume(rt, conn, _resume_channels(msg))
        else:
            raise BadRequest(f"unknown frame type {type_!r}", code="unknown_type")
    except ApiError as exc:
        conn.send_control(_dump(ev.error_frame(exc.code, exc.message)))


def _parse(raw: str | bytes) -> dict[str, Any]:
    if isinstance(raw, bytes):
        raise BadRequest("frames are JSON text, not binary", code="binary_frame")
    try:
        msg = json.loads(raw)
    except RecursionError:
        raise BadRequest("JSON is nested too deeply", code="invalid_json") from None
    except ValueError as exc:
        raise BadRequest(f"frame is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise BadRequest("a frame is a JSON object with a string type", code="invalid_frame")
    return msg


def _away(msg: dict[str, Any]) -> bool:
    status = msg.get("status")
    if status not in ("away", "online"):
        raise BadRequest('status must be "away" or "online"', code="invalid_status")
    return status == "away"


def _typing(hub: Hub, conn: Connection, channel_id: int) -> None:
    throttle = current_app.extensions["teamchat.throttle"]
    key = f"typing:{conn.user_id}:{channel_id}"
    if not throttle.allow(key, typing_service.TYPING_EVERY_SECONDS):
        return  # told a moment ago; the indicator is still showing
    with transaction() as tx:
        typing_service.do_typing(tx, conn.user_id, channel_id)


def _resume_channels(msg: dict[str, Any]) -> dict[int, int]:
    channels = msg.get("channels")
    if not isinstance(channels, dict):
        raise BadRequest(
            'resume needs "channels": {"<channel id>": <last seq seen>}', code="invalid_resume"
        )
    if len(channels) > MAX_RESUME_CHANNELS:
        raise BadRequest(
            f"resume names more than {MAX_RESUME_CHANNELS} channels", code="invalid_resume"
        )
    out: dict[int, int] = {}
    for key, seq in channels.items():
        cid = parse_id(key, "channel id")
        if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq < 2**62:
            raise BadRequest(
                f"the last seq of channel {key} must be a whole number >= 0",
                code="invalid_resume",
            )
        out[cid] = seq
    return out
