"""`teamchat demo` as a newcomer meets it: started in an empty folder, used over HTTP
with a login it printed, stopped, and started again without duplicating anything."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests

from teamchat.demo import PEOPLE
from tests.importers.helpers import REPO, irc_log

ATTRIBUTION = "Ubuntu IRC logs, as selected and annotated in Kummerfeld et al., ACL 2019, CC-BY-4.0"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def demo(folder: Path, *extra: str) -> Iterator[tuple[str, str]]:
    """Run `teamchat demo` until it serves; yields (base URL, everything it printed)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEAMCHAT_")}
    # Cheap password hashing keeps the test quick; the logins work the same.
    env.update(TEAMCHAT_ARGON2_TIME_COST="1", TEAMCHAT_ARGON2_MEMORY_COST="64")
    env["PYTHONPATH"] = str(REPO)
    port = free_port()
    args = [sys.executable, "-m", "teamchat.cli", "demo", "--data-dir", str(folder)]
    proc = subprocess.Popen(
        [*args, "--port", str(port), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=folder.parent,
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=pump, daemon=True).start()
    printed: list[str] = []
    deadline = time.monotonic() + 300
    try:
        while True:
            line = lines.get(timeout=max(1.0, deadline - time.monotonic()))
            if line is None:
                raise AssertionError("demo exited early:\n" + "".join(printed))
            printed.append(line)
            m = re.search(r"serving on (http://\S+)/", line)
            if m:
                break
        yield m.group(1), "".join(printed)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    assert proc.returncode == 0, "".join(printed)


def session(base: str, output: str) -> tuple[dict[str, str], str]:
    """Log in with the first login the demo printed; returns (auth header, workspace id)."""
    username, password = re.findall(r"login: (\S+)\s+password: (\S+)", output)[0]
    r = requests.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": password}
    )
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    workspaces = requests.get(f"{base}/api/v1/workspaces", headers=auth).json()["workspaces"]
    assert len(workspaces) == 1
    return auth, workspaces[0]["id"]


def snapshot(base: str, auth: dict[str, str], wid: str) -> dict[str, Any]:
    channels = requests.get(f"{base}/api/v1/workspaces/{wid}/channels", headers=auth).json()
    out: dict[str, Any] = {}
    for c in channels["channels"]:
        page = requests.get(
            f"{base}/api/v1/channels/{c['id']}/messages?limit=200", headers=auth
        ).json()
        out[c["name"] or c["kind"]] = (c["last_seq"], [m["text"] for m in page["messages"]])
    return out


def search(base: str, auth: dict[str, str], wid: str, q: str) -> list[dict[str, Any]]:
    r = requests.get(f"{base}/api/v1/workspaces/{wid}/search", params={"q": q}, headers=auth)
    assert r.status_code == 200, r.text
    return [h["message"] for h in r.json()["hits"]]


def test_demo_serves_a_lively_workspace_and_restarts_without_duplicates(tmp_path: Path) -> None:
    folder = tmp_path / "demo-data"
    with demo(folder) as (base, output):
        assert len(re.findall(r"login: \S+\s+password: \S+", output)) == 5
        # The logins and the address, not the schema steps of a fresh folder.
        assert "alembic" not in output
        auth, wid = session(base, output)
        first = snapshot(base, auth, wid)
        assert {"general", "release-2-4", "random", "incident-review", "dm", "group"} <= set(first)
        release = requests.get(f"{base}/api/v1/workspaces/{wid}/channels", headers=auth).json()[
            "channels"
        ]
        cid = next(c["id"] for c in release if c["name"] == "release-2-4")
        page = requests.get(f"{base}/api/v1/channels/{cid}/messages", headers=auth).json()
        assert len(page["messages"]) >= 15
        assert any(m["reply_count"] > 0 for m in page["messages"])
        assert any(m["reactions"] for m in page["messages"])
        assert any(m["mentions"] for m in page["messages"])
        hits = search(base, auth, wid, "regression")
        assert any(h["text"].startswith("Full regression on rc3") for h in hits)
        # Someone has unread messages and a mention waiting.
        r = requests.post(
            f"{base}/api/v1/auth/login", json={"username": "sam", "password": "teamchat-demo"}
        )
        sam = {"Authorization": f"Bearer {r.json()['token']}"}
        counts = requests.get(f"{base}/api/v1/workspaces/{wid}/channels", headers=sam).json()
        general = next(c for c in counts["channels"] if c["name"] == "general")
        assert (general["unread_count"], general["mention_count"]) == (2, 1)
    with demo(folder) as (base, output):
        assert "already here" in output
        auth, wid = session(base, output)
        assert snapshot(base, auth, wid) == first
        assert len(search(base, auth, wid, "regression")) == len(hits)


def test_demo_from_irc_logs(tmp_path: Path) -> None:
    log = irc_log("2013-10-04.train-a.log")
    folder = tmp_path / "irc-demo"
    with demo(folder, "--from", str(log)) as (base, output):
        assert ATTRIBUTION in output
        auth, wid = session(base, output)
        channels = requests.get(f"{base}/api/v1/workspaces/{wid}/channels", headers=auth).json()
        ubuntu = next(c for c in channels["channels"] if c["name"] == "ubuntu")
        assert ubuntu["topic"] == ATTRIBUTION
        assert ubuntu["last_seq"] > 1000
        hits = search(base, auth, wid, '"greenbar printing"')
        assert [h["text"] for h in hits] == ["used to irc on greenbar printing tty-terminals"]
        last_seq = ubuntu["last_seq"]
    with demo(folder, "--from", str(log)) as (base, output):
        assert "messages: 0 new" in output
        auth, wid = session(base, output)
        channels = requests.get(f"{base}/api/v1/workspaces/{wid}/channels", headers=auth).json()
        assert [c["last_seq"] for c in channels["channels"] if c["name"] == "ubuntu"] == [last_seq]


IRC_MESSAGE = re.compile(r"\[\d\d:\d\d\] <([^>]+)> ?(.*)")
IRC_ACTION = re.compile(r"\[\d\d:\d\d\]  \* (\S+)(?: (.*))?")


def irc_expected(logs: list[Path]) -> list[tuple[str, str, str]]:
    """(nick, kind, text) of every message and action in the logs, oldest file first.
    These files' `===` lines are all joins, quits and renames, which are not posted."""
    out: list[tuple[str, str, str]] = []
    for log in sorted(logs):  # named by date
        for line in log.read_text("utf-8").splitlines():
            if m := IRC_MESSAGE.fullmatch(line):
                nick, kind, text = m.group(1).strip(), "message", m.group(2)
            elif m := IRC_ACTION.fullmatch(line):
                nick, kind, text = m.group(1), "action", m.group(2) or ""
            else:
                assert line.startswith("=== "), line
                continue
            if text.strip():
                out.append((nick, kind, text))
    return out


def test_demo_from_a_folder_of_irc_logs(tmp_path: Path) -> None:
    names = ["2013-01-11.train-a.log", "2013-10-04.train-a.log", "2013-10-11.train-a.log"]
    folder = tmp_path / "logs" / "ubuntu"
    folder.mkdir(parents=True)
    for name in names:  # the shared logs, linked, never copied
        (folder / name).symlink_to(irc_log(name))
    expected = irc_expected([folder / n for n in names])
    nicks: dict[str, str] = {}  # IRC nicks are case-insensitive: one user each
    for nick, _, _ in expected:
        nicks.setdefault(nick.lower(), nick)
    actions = sum(kind == "action" for _, kind, _ in expected)
    with demo(tmp_path / "irc-demo", "--from", str(folder)) as (base, output):
        assert "importing 3 IRC log(s)" in output
        assert f"users: {len(nicks):,} ({len(nicks):,} new)" in output
        assert f"messages: {len(expected):,} new (actions: {actions:,}," in output
        assert f"Data: IRC logs from {folder}" in output
        auth, wid = session(base, output)
        channels = requests.get(f"{base}/api/v1/workspaces/{wid}/channels", headers=auth).json()
        ubuntu = next(c for c in channels["channels"] if c["name"] == "ubuntu")
        assert ubuntu["topic"] == "IRC logs from ubuntu"
        got: list[tuple[str, str, str]] = []
        after = 0
        while True:
            page = requests.get(
                f"{base}/api/v1/channels/{ubuntu['id']}/messages",
                params={"after": after, "limit": 200},
                headers=auth,
            ).json()
            got += [(m["author"]["display_name"], m["kind"], m["text"]) for m in page["messages"]]
            if not page["has_more_after"]:
                break
            after = page["messages"][-1]["seq"]
        # Every line, in file order, by the first spelling of its author's nick.
        assert got == [(nicks[n.lower()], kind, text) for n, kind, text in expected]
        members = requests.get(f"{base}/api/v1/workspaces/{wid}/members", headers=auth).json()
        shown = sorted(m["user"]["display_name"] for m in members["members"])
        assert shown == sorted([*nicks.values(), *(p[1] for p in PEOPLE)])
        hits = search(base, auth, wid, '"toaster oven"')
        assert [(h["author"]["display_name"], h["kind"], h["text"]) for h in hits] == [
            (nicks["dr_willis"], "action", "has a 8core toaster oven")
        ]
