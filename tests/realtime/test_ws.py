"""The socket protocol itself: authentication, hello, ping, and bad frames."""

from __future__ import annotations

import json

import pytest
import requests
import websocket

from tests.realtime.conftest import Cluster
from tests.realtime.live import Client, is_type, wait_until


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


@pytest.mark.parametrize("token", [None, "tc_not-a-real-token"])
def test_a_missing_or_bad_token_closes_with_4401(cluster: Cluster, token: str | None) -> None:
    c = Client(cluster.a.ws_url, token, ping_every=None, read=False)
    try:
        c.start_reading()
        assert c.ended.wait(10)
        assert c.close_code == 4401
        assert c.frames.empty()  # no hello, no events
    finally:
        c.close()


def test_a_logged_out_device_is_refused(cluster: Cluster) -> None:
    http = cluster.http()
    bob = http.user()
    http.call("POST", "/api/v1/auth/logout", token=bob["token"])
    c = Client(cluster.a.ws_url, bob["token"], ping_every=None, read=False)
    c.start_reading()
    assert c.ended.wait(10) and c.close_code == 4401


def test_plain_http_to_the_socket_path_is_a_json_400(cluster: Cluster) -> None:
    r = requests.get(cluster.a.base_url + "/api/v1/ws", timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "invalid_request"


def test_ping_gets_pong(cluster: Cluster) -> None:
    bob = cluster.http().user()
    c = Client(cluster.a.ws_url, bob["token"], ping_every=None)
    try:
        c.send({"type": "ping"})
        pong = c.next(lambda f: True)
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
        err = c.next(lambda f: True)
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
        err = c.next(lambda f: True)
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
