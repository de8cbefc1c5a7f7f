"""Many clients at once on one channel: one order, no duplicates, never a 500."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Flask

from tests.conftest import Api
from tests.core.test_messages import event_log, history, reaction_rows

THUMBS = "\U0001f44d"


def at_once(app: Flask, calls: list[Callable[[Api], Any]]) -> list[Any]:
    """Run each call on its own thread with its own test client, all released together;
    returns the responses in call order (re-raising any exception a thread hit)."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Callable[[Api], Any]) -> None:
        api = Api(app.test_client())
        barrier.wait(timeout=30)
        try:
            results[i] = call(api)
        except BaseException as exc:  # reported below, on the test's thread
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    for r in results:
        if isinstance(r, BaseException):
            raise r
    return results


def crowd(api: Api, n: int) -> tuple[list[dict[str, Any]], str, str]:
    owner = api.user("owner")
    users = [api.user(f"user{i}") for i in range(n)]
    wid = api.workspace(owner, *users)
    cid = api.channel(wid, owner, members=users)["id"]
    return [owner, *users], wid, cid


def post(cid: str, who: dict[str, Any], text: str, **extra: Any) -> Callable[[Api], Any]:
    return lambda api: api.post(
        f"/api/v1/channels/{cid}/messages", {"text": text, **extra}, who["token"]
    )


def put(path: str, who: dict[str, Any]) -> Callable[[Api], Any]:
    return lambda api: api.put(path, token=who["token"])


def test_twenty_clients_posting_get_consecutive_seqs_and_one_order(app: Flask, api: Api) -> None:
    users, _, cid = crowd(api, 20)
    start = api.get(f"/api/v1/channels/{cid}", users[0]["token"]).get_json()["last_seq"]
    responses = at_once(app, [post(cid, u, f"from {i}") for i, u in enumerate(users[1:])])
    assert [r.status_code for r in responses] == [201] * 20
    messages = [r.get_json() for r in responses]
    seqs = sorted(m["seq"] for m in messages)
    assert seqs == list(range(start + 1, start + 21))
    assert len({m["id"] for m in messages}) == 20
    # Every reader sees the same order: history for two users, and the event log.
    by_seq = [m["id"] for m in sorted(messages, key=lambda m: m["seq"])]
    for who in (users[0], users[7]):
        page = history(api, cid, who, "?limit=50")
        assert [m["id"] for m in page["messages"]] == by_seq
    logged = [(s, d["id"]) for s, t, d in event_log(app, cid) if t == "message.posted"]
    assert logged == [(m["seq"], m["id"]) for m in sorted(messages, key=lambda m: m["seq"])]
    # Ids are time-ordered too, but only seq is the channel's order; both agree here
    # because each id is made inside the transaction that holds the channel's lock.
    assert sorted(by_seq, key=int) == by_seq


def test_concurrent_retries_with_one_client_msg_id_make_one_message(app: Flask, api: Api) -> None:
    users, _, cid = crowd(api, 1)
    a = users[1]
    responses = at_once(app, [post(cid, a, "only once", client_msg_id="retry-1")] * 10)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] * 9 + [201]
    assert len({r.get_json()["id"] for r in responses}) == 1
    assert [m["text"] for m in history(api, cid, a)["messages"]] == ["only once"]
    assert [t for _, t, _ in event_log(app, cid)].count("message.posted") == 1


def test_duplicate_reactions_at_once_leave_one_row_and_one_event(app: Flask, api: Api) -> None:
    users, _, cid = crowd(api, 1)
    a = users[1]
    m = api.send(cid, users[0], "react")
    path = f"/api/v1/messages/{m['id']}/reactions/{quote(THUMBS)}"
    responses = at_once(app, [lambda api: api.put(path, token=a["token"])] * 10)
    assert [r.status_code for r in responses] == [200] * 10
    one = [{"emoji": THUMBS, "count": 1, "user_ids": [a["user"]["id"]]}]
    assert all(r.get_json() == {"reactions": one} for r in responses)
    assert reaction_rows(app, cid, m["id"]) == [(a["user"]["id"], THUMBS)]
    assert [t for _, t, _ in event_log(app, cid)].count("reaction.added") == 1
    # And taking it back ten times at once: one event.
    responses = at_once(app, [lambda api: api.delete(path, token=a["token"])] * 10)
    assert [r.status_code for r in responses] == [200] * 10
    assert reaction_rows(app, cid, m["id"]) == []
    assert [t for _, t, _ in event_log(app, cid)].count("reaction.removed") == 1


def test_many_users_reacting_at_once_are_all_counted(app: Flask, api: Api) -> None:
    users, _, cid = crowd(api, 12)
    m = api.send(cid, users[0], "popular")
    path = f"/api/v1/messages/{m['id']}/reactions/{quote(THUMBS)}"
    calls = [put(path, u) for u in users[1:]]
    responses = at_once(app, calls)
    assert [r.status_code for r in responses] == [200] * 12
    final = api.get(f"/api/v1/messages/{m['id']}", users[0]["token"]).get_json()["reactions"]
    assert final[0]["count"] == 12
    assert sorted(final[0]["user_ids"]) == sorted(u["user"]["id"] for u in users[1:])
    # Each event carried the count as it was at its seq: 1, 2, ... 12.
    added = [d["reactions"][0]["count"] for _, t, d in event_log(app, cid) if t == "reaction.added"]
    assert added == list(range(1, 13))


def test_delete_racing_reactions_and_edits_leaves_a_clean_tombstone(app: Flask, api: Api) -> None:
    users, _, cid = crowd(api, 8)
    author = users[1]
    m = api.send(cid, author, "contested")
    mid = m["id"]
    path = f"/api/v1/messages/{mid}/reactions/{quote(THUMBS)}"
    calls = [put(path, u) for u in users[2:]]
    calls += [
        lambda api: api.patch(f"/api/v1/messages/{mid}", {"text": "edited"}, author["token"]),
        lambda api: api.delete(f"/api/v1/messages/{mid}?scope=everyone", token=author["token"]),
        lambda api: api.delete(f"/api/v1/messages/{mid}?scope=everyone", token=author["token"]),
    ]
    responses = at_once(app, calls)
    assert all(r.status_code < 500 for r in responses)
    reacts = [r.status_code for r in responses[:-3]]
    assert set(reacts) <= {200, 409}
    assert responses[-3].status_code in (200, 409)
    assert [r.status_code for r in responses[-2:]] == [204, 204]
    final = api.get(f"/api/v1/messages/{mid}", users[0]["token"]).get_json()
    assert final["deleted"] is True and final["text"] == "" and final["reactions"] == []
    assert reaction_rows(app, cid, mid) == []
    log = event_log(app, cid)
    assert [t for _, t, _ in log].count("message.deleted") == 1
    # Nothing about the message comes after its deletion in the log.
    deleted_at = next(s for s, t, _ in log if t == "message.deleted")
    assert all(s < deleted_at for s, t, _ in log if t in ("reaction.added", "message.edited"))
    assert reacts.count(200) == [t for _, t, _ in log].count("reaction.added")


def test_read_pointers_moved_at_once_end_at_the_highest(app: Flask, api: Api) -> None:
    users, wid, cid = crowd(api, 1)
    ms = [api.send(cid, users[0], f"m{i}") for i in range(10)]
    b = users[1]
    calls = [
        (lambda s: lambda api: api.post(f"/api/v1/channels/{cid}/read", {"seq": s}, b["token"]))(
            m["seq"]
        )
        for m in ms
    ]
    responses = at_once(app, calls)
    assert [r.status_code for r in responses] == [200] * 10
    chans = api.get(f"/api/v1/workspaces/{wid}/channels", b["token"]).get_json()["channels"]
    mine = next(c for c in chans if c["id"] == cid)
    assert (mine["unread_count"], mine["last_read_seq"]) == (0, ms[-1]["seq"])
