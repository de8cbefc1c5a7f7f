"""Channels spread over both shards, and a channel moves between shards losing nothing."""

from __future__ import annotations

from flask import Flask

from teamchat.services.shards import move_channel
from tests.conftest import Api


def test_channels_land_on_both_shards(app: Flask, api: Api) -> None:
    a = api.user()
    wid = api.workspace(a)
    ids = [int(api.channel(wid, a)["id"]) for _ in range(12)]
    rt = app.extensions["teamchat"]
    with rt.dbs.transaction(rt) as tx:
        from teamchat.store.channels import get_channels

        shards = {c.shard for c in get_channels(tx.directory, ids).values()}
    assert shards == {0, 1}


def test_move_channel_keeps_history_reads_and_order(app: Flask, api: Api) -> None:
    a, b = api.user(), api.user()
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, members=[b])
    cid = ch["id"]
    sent = [
        api.send(cid, a if i % 2 else b, f"message {i} @{b['user']['username']}") for i in range(7)
    ]
    api.post(f"/api/v1/channels/{cid}/read", {"seq": sent[3]["seq"]}, b["token"])
    before = api.get(f"/api/v1/channels/{cid}/messages", b["token"]).get_json()
    counts_before = api.get(f"/api/v1/channels/{cid}", b["token"]).get_json()
    rt = app.extensions["teamchat"]
    with rt.dbs.directory_session() as d:
        from teamchat.store.channels import get_channel

        source = get_channel(d, int(cid)).shard  # type: ignore[union-attr]
    report = move_channel(rt.dbs, int(cid), 1 - source)
    assert report.rows["messages"] == 7 and report.rows["channel_counters"] == 1
    after = api.get(f"/api/v1/channels/{cid}/messages", b["token"]).get_json()
    assert after == before
    assert api.get(f"/api/v1/channels/{cid}", b["token"]).get_json() == counts_before
    assert api.get(f"/api/v1/messages/{sent[0]['id']}", a["token"]).status_code == 200
    # The sequence continues where it was on the old shard.
    nxt = api.send(cid, a, "after the move")
    assert nxt["seq"] > sent[-1]["seq"]
    # Nothing is left on the source shard.
    from sqlalchemy import func, select

    from teamchat.models import Message

    with rt.dbs.shard_session(source) as s:
        left = s.scalar(
            select(func.count()).select_from(Message).where(Message.channel_id == int(cid))
        )
    assert left == 0
