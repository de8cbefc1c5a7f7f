"""Browser test fixtures: a real `teamchat serve` in a subprocess (embedded default:
SQLite, local search, in-process jobs) and headless Chromium driven by Playwright."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REQUIRE = os.environ.get("TEAMCHAT_TEST_REQUIRE_SERVICES") == "1"
CHROMIUM = os.environ.get("TEAMCHAT_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"
PASSWORD = "correct horse battery"


def unavailable(reason: str) -> None:
    """Fail under the full test command, skip on a machine without a browser."""
    if REQUIRE:
        pytest.fail(reason)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ApiError(Exception):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"{status}: {body}")
        self.status = status
        self.body = body


@dataclass
class Account:
    user: dict[str, Any]
    token: str

    @property
    def id(self) -> str:
        return str(self.user["id"])

    @property
    def username(self) -> str:
        return str(self.user["username"])


class Server:
    """The running server and a tiny JSON client for arranging test data."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        url = self.base_url + urllib.parse.quote(path, safe="/?=&:%@")
        req = urllib.request.Request(url, data=data, method=method)
        req.add_header("Accept", "application/json")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=15) as resp:
                raw = resp.read()
        except urllib.error.HTTPError as err:
            raw = err.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode(errors="replace")
            raise ApiError(err.code, parsed) from None
        return json.loads(raw) if raw else None

    def account(self, prefix: str, display_name: str) -> Account:
        name = f"{prefix}{uuid.uuid4().hex[:6]}"
        res = self.call(
            "POST",
            "/api/v1/auth/register",
            {"username": name, "password": PASSWORD, "display_name": display_name},
        )
        return Account(res["user"], res["token"])

    def workspace(self, owner: Account, *members: Account) -> dict[str, Any]:
        name = f"Acme {uuid.uuid4().hex[:4]}"  # names are unique per installation
        ws = self.call("POST", "/api/v1/workspaces", {"name": name}, owner.token)
        for m in members:
            self.call(
                "POST",
                f"/api/v1/workspaces/{ws['id']}/members",
                {"username": m.username},
                owner.token,
            )
        return ws

    def channel(
        self, wid: str, owner: Account, name: str, members: list[Account]
    ) -> dict[str, Any]:
        return self.call(
            "POST",
            f"/api/v1/workspaces/{wid}/channels",
            {"name": name, "member_ids": [m.id for m in members]},
            owner.token,
        )

    def send(self, cid: str, who: Account, text: str) -> dict[str, Any]:
        return self.call("POST", f"/api/v1/channels/{cid}/messages", {"text": text}, who.token)

    def history(self, cid: str, who: Account) -> list[dict[str, Any]]:
        res = self.call("GET", f"/api/v1/channels/{cid}/messages?limit=100", token=who.token)
        return list(res["messages"])


def server_command(data_dir: Path, port: int) -> list[str]:
    exe = shutil.which("teamchat")
    args = ["serve", "--data-dir", str(data_dir), "--port", str(port)]
    if exe:
        return [exe, *args]
    return [sys.executable, "-m", "teamchat.cli", *args]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    external = os.environ.get("TEAMCHAT_WEB_TEST_URL")
    if external:  # an already running server, e.g. a staging deployment
        yield Server(external.rstrip("/"))
        return
    data_dir = tmp_path_factory.mktemp("teamchat-data")
    port = free_port()
    env = dict(os.environ)
    env.update(
        {
            "TEAMCHAT_ARGON2_TIME_COST": "1",
            "TEAMCHAT_ARGON2_MEMORY_COST": "1024",
            "TEAMCHAT_LOGIN_ATTEMPTS_PER_MINUTE": "1000",
            "TEAMCHAT_LOG_LEVEL": "WARNING",
        }
    )
    log_path = data_dir / "server.log"
    log = open(log_path, "wb")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        server_command(data_dir, port), cwd=str(REPO), env=env, stdout=log, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            log.close()
            pytest.fail(f"teamchat serve exited early:\n{log_path.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as resp:
                if resp.status == 200:
                    break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            proc.kill()
            log.close()
            pytest.fail(f"teamchat serve did not answer /healthz:\n{log_path.read_text()}")
        time.sleep(0.2)
    try:
        yield Server(base)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("the playwright package is not installed (pip install playwright)")
    if not Path(CHROMIUM).exists():
        unavailable(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


class Person:
    """One user in their own browser context (own storage, own socket)."""

    def __init__(
        self, browser: Any, server: Server, account: Account | None, viewport: Any
    ) -> None:
        self.account = account
        self.server = server
        self.context = browser.new_context(viewport=viewport)
        self.context.set_default_timeout(10_000)
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._on_dialog)
        # A 500 is a bug: every one the page meets is reported after the test.
        self.server_errors: list[str] = []
        self.page.on(
            "response",
            lambda r: (
                r.status >= 500
                and self.server_errors.append(f"{r.status} {r.request.method} {r.url}")
            ),
        )

    def _on_dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: str = "/", ready: str = ".sidebar .ws-select") -> Any:
        if self.account is None:
            self.page.goto(self.server.base_url + path)
            return self.page
        token = json.dumps(self.account.token)
        # Log in once per tab (a later logout and reload must not log in again).
        self.context.add_init_script(
            "if (!sessionStorage.getItem('tc-test-login')) {"
            " sessionStorage.setItem('tc-test-login', '1');"
            f" localStorage.setItem('teamchat.token', {token}); }}"
        )
        self.page.goto(self.server.base_url + path)
        self.page.wait_for_selector(ready, state="attached")
        return self.page

    def open_channel(self, cid: str) -> Any:
        page = self.open(f"/#/c/{cid}")
        page.wait_for_selector(".composer-input")
        wait_socket(page)
        return page

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path

    def close(self) -> None:
        self.context.close()


def wait_socket(page: Any) -> None:
    page.wait_for_selector("body[data-connection=online]", state="attached")


def measure(locator: Any, fn: str) -> Any:
    """fn(el) evaluated on the element while it is on the page. Lists and the sidebar
    are redrawn as events arrive, so an element found a moment ago may have been
    replaced: measure its replacement instead of a detached node (which measures 0)."""
    wrapped = f"el => el.isConnected ? ({fn})(el) : null"
    for _ in range(50):
        value = locator.evaluate(wrapped)
        if value is not None:
            return value
        locator.page.wait_for_timeout(100)
    raise AssertionError(f"{locator} never stayed on the page long enough to be measured")


def search_until_found(page: Any, query: str, has_text: str = "") -> Any:
    """Search from the search box until a result (with has_text) shows, since indexing
    runs in the background; returns the results locator."""
    search = page.get_by_role("searchbox", name="Search messages")
    result = page.locator(".side-panel .result", has_text=has_text)
    for _ in range(30):
        search.fill(query)
        search.press("Enter")
        page.wait_for_selector(".side-panel [role=status]:not(:text('Searching…'))")
        if result.count():
            break
        page.wait_for_timeout(500)
    return result


@pytest.fixture
def people(browser: Any, server: Server) -> Iterator[Any]:
    """make(account, viewport=None) -> Person; contexts are closed after the test."""
    made: list[Person] = []

    def make(account: Account | None, viewport: Any = None) -> Person:
        p = Person(browser, server, account, viewport or {"width": 1280, "height": 800})
        made.append(p)
        return p

    yield make
    for p in made:
        p.close()
    problems = [e for p in made for e in p.server_errors]
    if problems:
        pytest.fail("the server answered 5xx to the page:\n" + "\n".join(problems))


@pytest.fixture
def team(server: Server) -> dict[str, Any]:
    """Alice (admin) and Bob in a workspace with a shared #general channel."""
    alice = server.account("alice", "Alice Adams")
    bob = server.account("bob", "Bob Brown")
    ws = server.workspace(alice, bob)
    general = server.channel(ws["id"], alice, "general", [bob])
    return {"alice": alice, "bob": bob, "ws": ws, "general": general}
