"""Presence across processes: one presence.changed per real change, to contacts and
DM partners, and offline after a silent drop as well as after a clean close."""

from __future__ import annotations

import time
from typing import Any

from tests.realtime.conftest import PRESENCE_TIMEOUT, Cluster
from tests.realtime.live import Client, Http, Proxy, clients, is_type, wait_until


def _about(user: dict[str, Any]) -> Any:
    return is_type("presence.changed", user_id=user["user"]["id"])


def _presence_of(frames: list[dict[str, Any]], user: dict[str, Any]) -> list[str]:
    return [f["data"]["presence"] for f in frames if _about(user)(f)]


def _contact_status(http: Http, owner: dict[str, Any], user: dict[str, Any]) -> str:
    rows = http.call("GET", "/api/v1/contacts", token=owner["token"])
    rows = rows["contacts"] if isinstance(rows, dict) else rows
    return next(r["presence"] for r in rows if r["user"]["id"] == user["user"]["id"])


def test_online_away_and_offline_across_two_processes(cluster: Cluster) -> None:
    http = cluster.http(0)
    carol, dave = http.user(), http.user()
    http.workspace(carol, dave)
    http.call("PUT", f"/api/v1/contacts/{dave['user']['id']}", token=carol["token"])
    assert _contact_status(http, carol, dave) == "offline"
    proxy = Proxy(int(cluster.b.base_url.rsplit(":", 1)[1]))
    with clients() as opened:
        opened.append(watcher := Client(cluster.a.ws_url, carol["token"]))

        opened.append(phone := Client(cluster.a.ws_url, dave["token"]))
        assert watcher.next(_about(dave))["data"]["presence"] == "online"
        assert watcher.seen[-1]["channel_id"] is None
        assert _contact_status(http, carol, dave) == "online"

        # A second device on the other process changes nothing.
        opened.append(laptop := Client(proxy.ws_url, http.login(dave)))
        phone.send({"type": "presence", "status": "away"})
        time.sleep(0.5)
        assert _contact_status(cluster.http(1), carol, dave) == "online"
        laptop.send({"type": "presence", "status": "away"})
        assert watcher.next(_about(dave))["data"]["presence"] == "away"
        assert _contact_status(cluster.http(1), carol, dave) == "away"

        phone.send({"type": "presence", "status": "online"})
        assert watcher.next(_about(dave))["data"]["presence"] == "online"
        phone.close()  # the online device leaves; the away one is left
        assert watcher.next(_about(dave))["data"]["presence"] == "away"

        # The laptop's network drops: no close, no FIN; only its heartbeat stops.
        proxy.blackhole()
        # Offline within the limit after its last beat, with room for a loaded machine.
        assert watcher.next(_about(dave), timeout=PRESENCE_TIMEOUT + 5)["data"]["presence"] == (
            "offline"
        )
        assert _contact_status(http, carol, dave) == "offline"

        watcher.drain(1.0)
        assert _presence_of(watcher.seen, dave) == ["online", "away", "online", "away", "offline"]
    proxy.close()


def test_a_device_whose_tcp_dies_without_a_close_frame_goes_offline(cluster: Cluster) -> None:
    http = cluster.http(1)
    carol, dave = http.user(), http.user()
    http.workspace(carol, dave)
    http.call("PUT", f"/api/v1/contacts/{dave['user']['id']}", token=carol["token"])
    with clients() as opened:
        opened.append(watcher := Client(cluster.b.ws_url, carol["token"]))
        device = Client(cluster.a.ws_url, dave["token"])
        watcher.next(_about(dave))
        device.drop()
        assert watcher.next(_about(dave), timeout=PRESENCE_TIMEOUT + 5)["data"]["presence"] == (
            "offline"
        )
        assert _contact_status(http, carol, dave) == "offline"


def test_dm_partners_hear_presence_and_strangers_do_not(cluster: Cluster) -> None:
    http = cluster.http(0)
    erin, frank, gina = http.user(), http.user(), http.user()
    wid = http.workspace(erin, frank, gina)
    http.call(
        "POST", f"/api/v1/workspaces/{wid}/dms", {"user_ids": [frank["user"]["id"]]}, erin["token"]
    )
    with clients() as opened:
        opened.append(partner := Client(cluster.a.ws_url, erin["token"]))
        opened.append(stranger := Client(cluster.b.ws_url, gina["token"]))
        opened.append(Client(cluster.b.ws_url, frank["token"]))
        assert partner.next(_about(frank))["data"]["presence"] == "online"
        # The user's own devices hear it too: the stranger hears only about herself.
        stranger.drain(1.0)
        assert _presence_of(stranger.seen, frank) == []


def test_members_list_shows_presence(cluster: Cluster) -> None:
    http = cluster.http(0)
    alice, bob = http.user(), http.user()
    cid = http.channel(http.workspace(alice, bob), alice, [bob])
    with clients() as opened:
        opened.append(Client(cluster.b.ws_url, bob["token"]))

        def bob_online() -> bool:
            members = http.call("GET", f"/api/v1/channels/{cid}/members", token=alice["token"])
            members = members["members"] if isinstance(members, dict) else members
            shown = {m["user"]["id"]: m["presence"] for m in members}
            return shown[bob["user"]["id"]] == "online" and shown[alice["user"]["id"]] == "offline"

        wait_until(bob_online, timeout=5)
