from __future__ import annotations

from tests.conftest import Api


def test_register_workspace_channel_post_and_history(api: Api) -> None:
    a = api.user("alice")
    b = api.user("bob")
    wid = api.workspace(a, b)
    ch = api.channel(wid, a, "general", members=[b])
    m1 = api.send(ch["id"], a, "hello @bob")
    m2 = api.send(ch["id"], b, "hi alice")
    assert m2["seq"] > m1["seq"]
    assert m1["mentions"] == [{"kind": "user", "user_id": b["user"]["id"], "start": 6, "end": 10}]
    page = api.get(f"/api/v1/channels/{ch['id']}/messages", b["token"]).get_json()
    assert [m["text"] for m in page["messages"]] == ["hello @bob", "hi alice"]
    # Posting reads the channel for the sender: bob has nothing unread, alice has his reply.
    chans = api.get(f"/api/v1/workspaces/{wid}/channels", b["token"]).get_json()["channels"]
    assert (chans[0]["unread_count"], chans[0]["mention_count"]) == (0, 0)
    chans = api.get(f"/api/v1/workspaces/{wid}/channels", a["token"]).get_json()["channels"]
    assert (chans[0]["unread_count"], chans[0]["mention_count"]) == (1, 0)
    api.send(ch["id"], a, "@bob again")
    chans = api.get(f"/api/v1/workspaces/{wid}/channels", b["token"]).get_json()["channels"]
    assert (chans[0]["unread_count"], chans[0]["mention_count"]) == (1, 1)
