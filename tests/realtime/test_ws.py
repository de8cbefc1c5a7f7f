"""The socket protocol itself: authentication, hello, ping, and bad frames."""

from __future__ import annotations

import contextlib
import json
import socket
import time
import urllib.parse

import pytest
import requests
import websocket

from tests.realtime.conftest import Cluster
from tests.realtime.live import Client, LiveServer, is_type, wait_until


def test_hello_names_the_user_and_device_session(cluster: Cluster) -> None:
    http = cluster.http()
    bob = http.user()
    c = Client(cluster.a.ws_url, bob["token"])
    try:
        assert c.hello["user"] == bob["user"]
        assert c.hello["session_id"].isdigit()
        assert c.hello["channel_id"] is None and c.hello["seq"] is None
        assert c.hello["data"]["max_frame_bytes"] == 64 * 1024
    finally:
        c.close()


def test_a_bearer_header_works_as_well_as_the_query_token(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.b.ws_url, None, header=[f"Authorization: Bearer {bob['token']}"])
    try:
        assert c.hello["user"]["id"] == bob["user"]["id"]
    finally:
        c.close()


def _upgrade_raw(server: LiveServer, target: str, headers: tuple[str, ...] = ()) -> bytes:
    """A WebSocket handshake by hand, and every byte the server sends back until it
    closes the connection or goes quiet."""
    url = urllib.parse.urlsplit(server.base_url)
    request = "\r\n".join(
        [
            f"GET {target} HTTP/1.1",
            f"Host: {url.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version: 13",
            *headers,
            "",
            "",
        ]
    )
    received = b""
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(request.encode("ascii"))
        s.settimeout(2)
        with contextlib.suppress(TimeoutError):
            while chunk := s.recv(65536):
                received += chunk
    return received


def _one_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of the only HTTP response in raw: nothing may follow."""
    head, sep, rest = raw.partition(b"\r\n\r\n")
    assert sep, raw
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines)}
    length = int(headers["content-length"])
    assert rest[length:] == b"", f"more on the stream after the response: {rest[length:]!r}"
    return int(status_line.split()[1]), headers, rest[:length]


@pytest.mark.parametrize(
    ("how", "code"),
    [
        ("missing", "no_token"),
        ("bad", "invalid_token"),
        ("logged_out", "invalid_token"),
        ("bad_bearer", "invalid_token"),
    ],
)
def test_a_missing_bad_or_revoked_token_is_a_json_401_without_upgrade(
    cluster: Cluster, how: str, code: str
) -> None:
    http = cluster.http()
    target, headers = "/api/v1/ws", ()
    if how == "bad":
        target += "?token=tc_not-a-real-token"
    elif how == "logged_out":
        bob = http.user()
        http.call("POST", "/api/v1/auth/logout", token=bob["token"])
        target += f"?token={bob['token']}"
    elif how == "bad_bearer":
        headers = ("Authorization: Bearer tc_not-a-real-token",)
    status, head, body = _one_response(_upgrade_raw(cluster.a, target, headers))
    assert status == 401
    assert head["content-type"] == "application/json"
    assert "sec-websocket-accept" not in head and "upgrade" not in head
    error = json.loads(body)["error"]
    assert error["code"] == code and error["message"]


def test_websocket_clients_see_the_refusal_as_a_401(cluster: Cluster) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        Client(cluster.b.ws_url, "tc_not-a-real-token", ping_every=None)
    assert refused.value.status_code == 401
    assert json.loads(refused.value.resp_body)["error"]["code"] == "invalid_token"


def test_logging_out_closes_that_devices_open_socket_with_4401(cluster: Cluster) -> None:
    http = cluster.http(1)
    bob = http.user()
    phone = {**bob, "token": http.login(bob)}
    laptop = Client(cluster.a.ws_url, bob["token"], ping_every=None)
    other = Client(cluster.a.ws_url, phone["token"], ping_every=None)
    try:
        # Through the other server: the word travels on the event bus.
        http.call("POST", "/api/v1/auth/logout", token=bob["token"])
        assert laptop.ended.wait(10)
        assert laptop.close_code == 4401
        # The hub's word to itself is not a frame for clients.
        assert all(f["type"] != "session.ended" for f in laptop.drain(0.1))
        # The user's other device stays connected and hears nothing of it.
        other.send({"type": "ping"})
        other.next(is_type("pong"))
        assert all(f["type"] != "session.ended" for f in other.seen)
        assert not other.ended.is_set()
        status, _, body = _one_response(_upgrade_raw(cluster.b, f"/api/v1/ws?token={bob['token']}"))
        assert status == 401 and json.loads(body)["error"]["code"] == "invalid_token"
    finally:
        laptop.close()
        other.close()


def _next_frame(buf: bytes) -> tuple[int, bytes, bytes] | None:
    """Opcode, payload and what follows of the first whole (unmasked) server frame."""
    if len(buf) < 2:
        return None
    length, at = buf[1] & 0x7F, 2
    if length >= 126:
        at += 2 if length == 126 else 8
        if len(buf) < at:
            return None
        length = int.from_bytes(buf[2:at], "big")
    if len(buf) < at + length:
        return None
    return buf[0] & 0x0F, buf[at : at + length], buf[at + length :]


@pytest.mark.parametrize("client_replies", [True, False])
def test_after_its_close_frame_the_server_sends_nothing_and_ends_the_connection(
    cluster: Cluster, client_replies: bool
) -> None:
    """A stray HTTP response behind the close frame would reach a browser as a broken
    frame (1006) instead of the close code."""
    http = cluster.http()
    bob = http.user()
    url = urllib.parse.urlsplit(cluster.a.base_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as s:
        s.sendall(
            (
                f"GET /api/v1/ws?token={bob['token']} HTTP/1.1\r\nHost: {url.netloc}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode("ascii")
        )
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += s.recv(65536)
        head, _, buf = buf.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 101 ")
        http.call("POST", "/api/v1/auth/logout", token=bob["token"])
        while True:
            found = _next_frame(buf)
            if found is None:
                buf += s.recv(65536)
                continue
            opcode, payload, buf = found
            if opcode == 0x8:
                break
        assert int.from_bytes(payload[:2], "big") == 4401
        if client_replies:
            mask = b"\x01\x02\x03\x04"
            code = (1000).to_bytes(2, "big")
            s.sendall(b"\x88\x82" + mask + bytes(b ^ mask[i] for i, b in enumerate(code)))
        started = time.monotonic()
        while chunk := s.recv(65536):
            buf += chunk
        assert buf == b"", f"sent after the close frame: {buf!r}"
        # Closed by the server: at once after the reply, else after a short wait.
        assert time.monotonic() - started < (1.0 if client_replies else 5.0)


@pytest.mark.parametrize(
    ("token", "status", "code"),
    [
        (None, 401, "no_token"),
        ("tc_not-a-real-token", 401, "invalid_token"),
        ("valid", 400, "websocket_required"),
    ],
)
def test_plain_http_to_the_socket_path_checks_the_token_then_asks_for_an_upgrade(
    cluster: Cluster, token: str | None, status: int, code: str
) -> None:
    if token == "valid":
        token = cluster.http().user()["token"]
    params = {"token": token} if token else {}
    r = requests.get(cluster.a.base_url + "/api/v1/ws", params=params, timeout=10)
    assert r.status_code == status
    assert r.headers["content-type"] == "application/json"
    error = r.json()["error"]
    assert error["code"] == code
    if code == "websocket_required":
        assert error["message"] == "this endpoint needs a WebSocket upgrade"


def test_a_client_that_will_not_resume_gets_live_events_at_once(cluster: Cluster) -> None:
    """`resume=0`: nothing waits for a resume after hello. The client never pings (that
    would end the wait too), and its first event comes well before the wait for a resume
    (RESUME_GRACE, 2 s) would have let it go."""
    http = cluster.http()
    bob = http.user()
    cid = http.channel(http.workspace(bob), bob, [])
    c = Client(cluster.a.ws_url, f"{bob['token']}&resume=0", ping_every=None)
    try:
        posted = http.send(cid, bob, "first after hello")
        frame = c.next(is_type("message.posted"), timeout=1.0)
        assert (frame["channel_id"], frame["seq"]) == (cid, posted["seq"])
        # It said it would not resume: a resume now could not come before live events.
        c.send({"type": "resume", "channels": {cid: 0}})
        error = c.next(is_type("error"))["data"]["error"]
        assert error["code"] == "resume_not_expected"
    finally:
        c.close()


def test_a_resume_flag_other_than_0_or_1_is_refused(cluster: Cluster) -> None:
    bob = cluster.http().user()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        Client(cluster.b.ws_url, f"{bob['token']}&resume=maybe", ping_every=None)
    assert refused.value.status_code == 400
    assert json.loads(refused.value.resp_body)["error"]["code"] == "invalid_parameter"


def test_ping_gets_pong(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.a.ws_url, bob["token"], ping_every=None)
    try:
        c.send({"type": "ping"})
        # The user's own presence.changed may come first: it is sent on its own time.
        pong = c.next(is_type("pong"))
        assert pong == {"type": "pong", "channel_id": None, "seq": None, "data": None}
    finally:
        c.close()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "invalid_json"),
        ("[1, 2]", "invalid_frame"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "presence", "status": "busy"}', "invalid_status"),
        ('{"type": "typing", "channel_id": "abc"}', "invalid_type"),
        ('{"type": "resume", "channels": []}', "invalid_resume"),
        ('{"type": "resume", "channels": {"123": -1}}', "invalid_resume"),
    ],
)
def test_a_bad_frame_gets_an_error_and_the_socket_stays_open(
    cluster: Cluster, raw: str, code: str
) -> None:
    bob = cluster.http().user()
    c = Client(cluster.b.ws_url, bob["token"], ping_every=None)
    try:
        c.send(raw)
        err = c.next(is_type("error"))
        assert err["type"] == "error"
        assert err["data"]["error"]["code"] == code
        assert err["data"]["error"]["message"]
        c.send({"type": "ping"})
        c.next(is_type("pong"))
    finally:
        c.close()


def test_a_binary_frame_gets_an_error(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.a.ws_url, bob["token"], ping_every=None)
    try:
        c.ws.send_binary(b'{"type": "ping"}')
        err = c.next(is_type("error"))
        assert err["data"]["error"]["code"] == "binary_frame"
    finally:
        c.close()


def test_invalid_utf8_in_a_text_frame_closes_with_1007(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.a.ws_url, bob["token"], ping_every=None)
    try:
        c.ws.send(b'{"type": "ping", "x": "\xff\xfe"}', opcode=websocket.ABNF.OPCODE_TEXT)
        assert c.ended.wait(10)
        assert c.close_code == 1007
        assert not any(f["type"] == "pong" for f in c.drain(0.2))
    finally:
        c.close()


def test_a_frame_over_64_kib_closes_with_1009(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.b.ws_url, bob["token"], ping_every=None)
    try:
        c.send(json.dumps({"type": "ping", "pad": "x" * (64 * 1024)}))
        assert c.ended.wait(10)
        assert c.close_code == 1009
    finally:
        c.close()


def test_a_frame_just_under_64_kib_is_fine(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.b.ws_url, bob["token"], ping_every=None)
    try:
        frame = json.dumps({"type": "ping", "pad": ""})
        c.send(json.dumps({"type": "ping", "pad": "x" * (64 * 1024 - len(frame))}))
        c.next(is_type("pong"))
    finally:
        c.close()


def test_a_client_that_never_pings_is_closed_after_the_presence_timeout(
    cluster: Cluster,
) -> None:
    bob = cluster.http().user()
    c = Client(cluster.a.ws_url, bob["token"], ping_every=None)
    try:
        wait_until(c.ended.is_set, timeout=10)
        assert c.close_code == 4408
    finally:
        c.close()
