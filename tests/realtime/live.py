"""Helpers for the live-event tests: real `teamchat serve` processes, a small HTTP
client, WebSocket clients (websocket-client) and a TCP proxy that can black-hole a
connection the way a dropped network does."""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import queue
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import requests
import websocket

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"
PR_SET_PDEATHSIG = 1
Frame = dict[str, Any]


class LiveServer:
    """One server process; stopped by `stop` (SIGTERM, then SIGKILL)."""

    def __init__(self, argv: list[str], env: dict[str, str], log_path: Path) -> None:
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )
        self.base_url = self._wait_for_port()
        self.ws_url = self.base_url.replace("http://", "ws://") + "/api/v1/ws"

    def _wait_for_port(self, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        pattern = re.compile(rb"(?:serving on|Listening at:) (http://127\.0\.0\.1:\d+)")
        while time.monotonic() < deadline:
            found = pattern.search(self.log_path.read_bytes())
            if found:
                url = found.group(1).decode()
                if _answers(url):
                    return url
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_text()}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"server did not start:\n{self.log_text()}")

    def log_text(self) -> str:
        return self.log_path.read_bytes().decode("utf-8", "replace")[-5000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def _die_with_parent() -> None:
    """A test run that is killed takes its servers with it (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _answers(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def server_env(
    storage: dict[str, str], redis_url: str, prefix: str, **extra: Any
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMCHAT_")}
    env.update(
        {
            "TEAMCHAT_HOST": "127.0.0.1",
            "TEAMCHAT_PORT": "0",
            "TEAMCHAT_REDIS_URL": redis_url,
            "TEAMCHAT_REDIS_PREFIX": prefix,
            "TEAMCHAT_START_BACKGROUND": "0",
            "TEAMCHAT_ARGON2_TIME_COST": "1",
            "TEAMCHAT_ARGON2_MEMORY_COST": "64",
            "TEAMCHAT_LOGIN_ATTEMPTS_PER_MINUTE": "100000",
            "TEAMCHAT_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(storage)
    env.update({f"TEAMCHAT_{k.upper()}": str(v) for k, v in extra.items()})
    return env


def start_serve(env: dict[str, str], log_path: Path) -> LiveServer:
    """`teamchat serve`: werkzeug's threaded server, as the embedded default runs."""
    return LiveServer([sys.executable, "-m", "teamchat.cli", "serve"], env, log_path)


# -- HTTP ----------------------------------------------------------------------------


class Http:
    """Arranges test data through the v1 API of a live server."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        r = self.session.request(
            method, self.base_url + path, json=body, headers=headers, timeout=30
        )
        assert r.status_code < 300, f"{method} {path}: {r.status_code} {r.text}"
        return r.json() if r.content else None

    def user(self) -> dict[str, Any]:
        name = f"rt{uuid.uuid4().hex[:12]}"
        return self.call("POST", "/api/v1/auth/register", {"username": name, "password": PASSWORD})

    def login(self, who: dict[str, Any]) -> str:
        """A second device of the same user: its own token."""
        body = {"username": who["user"]["username"], "password": PASSWORD}
        return self.call("POST", "/api/v1/auth/login", body)["token"]

    def workspace(self, owner: dict[str, Any], *members: dict[str, Any]) -> str:
        wid = self.call(
            "POST", "/api/v1/workspaces", {"name": f"w{uuid.uuid4().hex[:8]}"}, owner["token"]
        )["id"]
        for m in members:
            self.call(
                "POST",
                f"/api/v1/workspaces/{wid}/members",
                {"username": m["user"]["username"]},
                owner["token"],
            )
        return wid

    def channel(
        self, wid: str, owner: dict[str, Any], members: list[dict[str, Any]], private: bool = False
    ) -> str:
        body = {
            "name": f"c{uuid.uuid4().hex[:8]}",
            "private": private,
            "member_ids": [m["user"]["id"] for m in members],
        }
        return self.call("POST", f"/api/v1/workspaces/{wid}/channels", body, owner["token"])["id"]

    def send(self, cid: str, who: dict[str, Any], text: str) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/channels/{cid}/messages", {"text": text}, who["token"])

    def last_seq(self, cid: str, who: dict[str, Any]) -> int:
        return int(self.call("GET", f"/api/v1/channels/{cid}", token=who["token"])["last_seq"])


# -- WebSocket clients ------------------------------------------------------------------


class Client:
    """A device: one socket, a reader thread that queues every frame, and a pinger
    (the heartbeat a real client sends). `close_code` is set when the server closes."""

    def __init__(
        self,
        ws_url: str,
        token: str | None,
        ping_every: float | None = 0.5,
        sockopt: tuple[tuple[int, int, int], ...] = (),
        read: bool = True,
        header: list[str] | None = None,
    ) -> None:
        url = f"{ws_url}?token={token}" if token else ws_url
        self.ws = websocket.create_connection(url, timeout=15, sockopt=sockopt, header=header)
        self.frames: queue.Queue[Frame] = queue.Queue()
        self.seen: list[Frame] = []
        self.close_code: int | None = None
        self.ended = threading.Event()
        self._stop = threading.Event()
        self._read_gate = threading.Event()
        self._pinging = bool(ping_every)
        if read:
            self._read_gate.set()
        threading.Thread(target=self._read, daemon=True).start()
        if ping_every:
            threading.Thread(target=self._ping, args=(ping_every,), daemon=True).start()
        if read:
            self.hello = self.next(lambda f: True)
            assert self.hello["type"] == "hello", self.hello

    def _read(self) -> None:
        self._read_gate.wait()
        try:
            while True:
                opcode, frame = self.ws.recv_data_frame(True)
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    parsed = json.loads(frame.data.decode("utf-8"))
                    if parsed.get("type") == "pong" and self._pinging:
                        continue  # answers to the heartbeat are not what tests look at
                    self.frames.put(parsed)
                elif opcode == websocket.ABNF.OPCODE_CLOSE:
                    data = frame.data or b""
                    self.close_code = struct.unpack("!H", data[:2])[0] if len(data) >= 2 else 1005
                    break
        except Exception:
            pass
        finally:
            self.ended.set()
            self._stop.set()

    def _ping(self, every: float) -> None:
        while not self._stop.wait(every):
            try:
                self.send({"type": "ping"})
            except Exception:
                return

    def start_reading(self) -> None:
        self._read_gate.set()

    def stop_pinging(self) -> None:
        self._stop.set()

    def send(self, obj: Any) -> None:
        self.ws.send(obj if isinstance(obj, str) else json.dumps(obj))

    def next(self, match: Callable[[Frame], bool], timeout: float = 10.0) -> Frame:
        """The next frame that matches; others are kept in `seen`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no matching frame in {timeout}s; saw {self.brief()}")
            try:
                frame = self.frames.get(timeout=min(left, 0.2))
            except queue.Empty:
                if self.ended.is_set() and self.frames.empty():
                    raise AssertionError(
                        f"socket closed ({self.close_code}) before a matching frame; saw {self.brief()}"
                    ) from None
                continue
            self.seen.append(frame)
            if match(frame):
                return frame

    def drain(self, quiet: float = 0.5) -> list[Frame]:
        """Every frame until none came for `quiet` seconds."""
        out: list[Frame] = []
        while True:
            try:
                frame = self.frames.get(timeout=quiet)
            except queue.Empty:
                return out
            self.seen.append(frame)
            out.append(frame)

    def brief(self) -> list[tuple[Any, ...]]:
        return [(f.get("type"), f.get("channel_id"), f.get("seq")) for f in self.seen[-30:]]

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(Exception):
            self.ws.close()

    def drop(self) -> None:
        """The client's TCP goes away without a close frame."""
        self._stop.set()
        # The reader thread drops ws.sock once its recv fails: keep our own reference.
        sock = self.ws.sock
        if sock is None:
            return
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(OSError):
            sock.close()


def channel_frames(frames: list[Frame], cid: str) -> list[Frame]:
    return [f for f in frames if f.get("channel_id") == cid and f.get("seq") is not None]


def is_type(type_: str, **data: Any) -> Callable[[Frame], bool]:
    def match(f: Frame) -> bool:
        if f.get("type") != type_:
            return False
        d = f.get("data") or {}
        return all(d.get(k) == v for k, v in data.items())

    return match


def wait_until(check: Callable[[], bool], timeout: float = 10.0, every: float = 0.05) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(every)


# -- a black-holing proxy ---------------------------------------------------------------


class Proxy:
    """Forwards TCP to a server. `blackhole()` stops moving bytes in both directions but
    keeps every socket open: to the server, the client just went silent."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = int(self.listener.getsockname()[1])
        self._frozen = threading.Event()
        self._closed = threading.Event()
        self._socks: list[socket.socket] = [self.listener]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/api/v1/ws"

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._socks += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, a: socket.socket, b: socket.socket) -> None:
        peers = {a: b, b: a}
        while not self._closed.is_set():
            if self._frozen.is_set():
                time.sleep(0.05)
                continue
            try:
                ready, _, _ = select.select([a, b], [], [], 0.05)
                for s in ready:
                    if self._frozen.is_set():
                        break
                    data = s.recv(65536)
                    if not data:  # one side closed: so does the other
                        a.close()
                        b.close()
                        return
                    peers[s].sendall(data)
            except OSError:
                return

    def blackhole(self) -> None:
        self._frozen.set()

    def close(self) -> None:
        self._closed.set()
        for s in self._socks:
            with contextlib.suppress(OSError):
                s.close()


@contextlib.contextmanager
def clients() -> Iterator[list[Client]]:
    """Collects clients opened in a test and closes them at the end."""
    opened: list[Client] = []
    try:
        yield opened
    finally:
        for c in opened:
            c.close()


@contextlib.contextmanager
def chatter(cid: str, *senders: tuple[Http, dict[str, Any]], label: str = "chatter") -> Any:
    """Each (api, user) posts into the channel back to back on a thread of its own, for
    as long as the block runs; the block ends once every post in flight is done."""
    stop = threading.Event()

    def post(http: Http, who: dict[str, Any]) -> None:
        i = 0
        while not stop.is_set():
            http.send(cid, who, f"{label} {i}")
            i += 1

    threads = [threading.Thread(target=post, args=pair) for pair in senders]
    for t in threads:
        t.start()
    try:
        yield
    finally:
        stop.set()
        for t in threads:
            t.join()
