"""Many WebSocket clients in one thread: raw sockets and one selector, no thread per
socket, so a single benchmark process can hold thousands of them and timestamp each
frame as it arrives.

Speaks just enough RFC 6455 for the benchmarks: the upgrade request, unmasked server
frames (text, ping, close, continuation), masked client frames (text, pong, close).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import selectors
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0, 1, 2, 8, 9, 10


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A masked frame, as RFC 6455 asks of clients."""
    head = bytes([0x80 | opcode])
    n = len(payload)
    if n < 126:
        head += bytes([0x80 | n])
    elif n < 65536:
        head += bytes([0x80 | 126]) + struct.pack("!H", n)
    else:
        head += bytes([0x80 | 127]) + struct.pack("!Q", n)
    mask = os.urandom(4)
    if not payload:
        return head + mask
    key = (mask * (n // 4 + 1))[:n]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(n, "big")
    return head + mask + masked


@dataclass
class WsConn:
    sock: socket.socket
    index: int
    handshake_done: bool = False
    closed: bool = False
    buf: bytearray = field(default_factory=bytearray)
    fragments: bytearray = field(default_factory=bytearray)
    frames: int = 0
    hello: dict[str, Any] | None = None

    def send_json(self, obj: Any) -> None:
        self.sock.sendall(client_frame(OP_TEXT, json.dumps(obj).encode()))


# Called with (connection, parsed frame, receipt time from time.perf_counter()).
OnFrame = Callable[[WsConn, dict[str, Any], float], None]
# Called with (connection, raw frame text, receipt time): skips JSON parsing, for a
# client that must keep up with thousands of frames a second.
OnRaw = Callable[[WsConn, bytes, float], None]


class WsPool:
    """Opens sockets to `GET path?token=...`, then pumps every frame they receive."""

    def __init__(
        self, host: str, port: int, on_frame: OnFrame | None = None, on_raw: OnRaw | None = None
    ) -> None:
        self.host = host
        self.port = port
        self.on_frame = on_frame
        self.on_raw = on_raw
        self.sel = selectors.DefaultSelector()
        self.conns: list[WsConn] = []
        self.closed_by_server = 0

    # -- connecting -------------------------------------------------------------------

    def _request(self, path: str) -> bytes:
        key = base64.b64encode(os.urandom(16)).decode()
        return (
            f"GET {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()

    def open_many(
        self,
        paths: list[str],
        source_ips: list[str] | None = None,
        in_flight: int = 100,
        timeout: float = 300.0,
        resume: bool = True,
    ) -> int:
        """Open one socket per path (`/api/v1/ws?token=...`), at most `in_flight`
        handshakes at a time; each waits for hello and then sends an empty resume so
        the server sends live frames at once. Returns how many got their hello."""
        pending = list(enumerate(paths))
        pending.reverse()
        waiting: set[int] = set()
        deadline = time.monotonic() + timeout
        ok = 0
        while (pending or waiting) and time.monotonic() < deadline:
            while pending and len(waiting) < in_flight:
                i, path = pending.pop()
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if source_ips:
                    # Each loopback source address has its own ~28k ephemeral ports.
                    s.bind((source_ips[i % len(source_ips)], 0))
                s.connect((self.host, self.port))
                s.sendall(self._request(path))
                s.setblocking(False)
                conn = WsConn(s, len(self.conns))
                self.conns.append(conn)
                self.sel.register(s, selectors.EVENT_READ, conn)
                waiting.add(conn.index)
            for key, _ in self.sel.select(timeout=1.0):
                conn = key.data
                self._read(conn, time.perf_counter())
                if conn.index in waiting and (conn.hello is not None or conn.closed):
                    waiting.discard(conn.index)
                    if conn.hello is not None:
                        ok += 1
                        if resume:
                            conn.send_json({"type": "resume", "channels": {}})
        return ok

    # -- reading ----------------------------------------------------------------------

    def pump(self, seconds: float, until: Callable[[], bool] | None = None) -> None:
        """Read frames for up to `seconds`, or until `until()` says so."""
        deadline = time.perf_counter() + seconds
        while time.perf_counter() < deadline:
            if until is not None and until():
                return
            for key, _ in self.sel.select(
                timeout=min(0.2, max(0.0, deadline - time.perf_counter()))
            ):
                self._read(key.data, time.perf_counter())

    def ping_all(self) -> None:
        """The application heartbeat, so the server keeps idle sockets open."""
        frame = json.dumps({"type": "ping"}).encode()
        for conn in self.conns:
            if conn.hello is not None and not conn.closed:
                try:
                    conn.sock.sendall(client_frame(OP_TEXT, frame))
                except OSError:
                    self._close(conn)

    def _read(self, conn: WsConn, now: float) -> None:
        try:
            data = conn.sock.recv(65536)
        except BlockingIOError:
            return
        except OSError:
            self._close(conn)
            return
        if not data:
            self._close(conn)
            return
        conn.buf += data
        if not conn.handshake_done:
            end = conn.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(conn.buf[: conn.buf.find(b"\r\n")])
            if b" 101 " not in status:
                self._close(conn)
                return
            conn.handshake_done = True
            del conn.buf[: end + 4]
        self._frames(conn, now)

    def _frames(self, conn: WsConn, now: float) -> None:
        buf = conn.buf
        while len(buf) >= 2:
            opcode = buf[0] & 0x0F
            fin = buf[0] & 0x80
            n = buf[1] & 0x7F
            pos = 2
            if n == 126:
                if len(buf) < 4:
                    return
                n = struct.unpack_from("!H", buf, 2)[0]
                pos = 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n = struct.unpack_from("!Q", buf, 2)[0]
                pos = 10
            if len(buf) < pos + n:
                return
            payload = bytes(buf[pos : pos + n])
            del buf[: pos + n]
            if opcode == OP_PING:
                self._send(conn, client_frame(OP_PONG, payload))
            elif opcode == OP_CLOSE:
                self._send(conn, client_frame(OP_CLOSE, payload[:2]))
                self.closed_by_server += 1
                self._close(conn)
                return
            elif opcode in (OP_TEXT, OP_BINARY, OP_CONT):
                conn.fragments += payload
                if fin:
                    text = bytes(conn.fragments)
                    conn.fragments.clear()
                    self._deliver(conn, text, now)

    def _deliver(self, conn: WsConn, text: bytes, now: float) -> None:
        if conn.hello is not None and self.on_raw is not None:
            conn.frames += 1
            self.on_raw(conn, text, now)
            return
        try:
            frame = json.loads(text)
        except ValueError:
            return
        conn.frames += 1
        if conn.hello is None and frame.get("type") == "hello":
            conn.hello = frame
            return
        if self.on_frame is not None:
            self.on_frame(conn, frame, now)

    def _send(self, conn: WsConn, data: bytes) -> None:
        try:
            conn.sock.sendall(data)
        except OSError:
            self._close(conn)

    def _close(self, conn: WsConn) -> None:
        if conn.closed:
            return
        conn.closed = True
        with contextlib.suppress(KeyError, ValueError):
            self.sel.unregister(conn.sock)
        conn.sock.close()

    @property
    def open_count(self) -> int:
        return sum(1 for c in self.conns if c.hello is not None and not c.closed)

    def close_all(self) -> None:
        for conn in self.conns:
            if not conn.closed:
                try:
                    conn.sock.setblocking(True)
                    conn.sock.settimeout(0.5)
                    conn.sock.sendall(client_frame(OP_CLOSE, struct.pack("!H", 1000)))
                except OSError:
                    pass
                self._close(conn)
        self.sel.close()
