"""History pages by sequence: before, after, around; no gaps and no repeats."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api
from tests.core.test_messages import history, setup, texts


def seqs(page: dict[str, Any]) -> list[int]:
    return [m["seq"] for m in page["messages"]]


def flags(page: dict[str, Any]) -> tuple[bool, bool]:
    return page["has_more_before"], page["has_more_after"]


def test_newest_page_by_default_ascending(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    for i in range(7):
        api.send(cid, a if i % 2 else b, f"m{i}")
    page = history(api, cid, a, "?limit=3")
    assert texts(page) == ["m4", "m5", "m6"]
    assert seqs(page) == sorted(seqs(page))
    assert flags(page) == (True, False)
    everything = history(api, cid, a)
    assert texts(everything) == [f"m{i}" for i in range(7)]
    assert flags(everything) == (False, False)


def test_empty_channel(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    for query in ("", "?before=5", "?after=0", "?around=1"):
        page = history(api, cid, a, query)
        assert page == {"messages": [], "has_more_before": False, "has_more_after": False}


def test_paging_back_and_forth_while_messages_arrive(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    sent = [api.send(cid, a, f"old{i}")["id"] for i in range(20)]
    first = history(api, cid, b, "?limit=6")
    seen = [m["id"] for m in first["messages"]]
    top = first
    arriving = 0
    # Back to the start, with new messages landing between every two requests.
    while top["has_more_before"]:
        api.send(cid, a, f"new{arriving}")
        arriving += 1
        top = history(api, cid, b, f"?limit=6&before={top['messages'][0]['seq']}")
        seen = [m["id"] for m in top["messages"]] + seen
    assert seen == sent
    assert top["has_more_after"] is True
    # Forward again from the newest message seen, still while messages arrive.
    bottom = first
    forward: list[str] = []
    while True:
        page = history(api, cid, b, f"?limit=4&after={bottom['messages'][-1]['seq']}")
        forward += texts(page)
        if not page["has_more_after"]:
            break
        api.send(cid, a, f"new{arriving}")
        arriving += 1
        bottom = page
        assert page["has_more_before"] is True
    assert forward == [f"new{i}" for i in range(arriving)]
    assert len(set(forward)) == len(forward)


def test_edges_of_has_more(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    ms = [api.send(cid, a, f"m{i}") for i in range(4)]
    first, last = ms[0]["seq"], ms[-1]["seq"]
    # Exactly a page: nothing beyond on either side.
    assert flags(history(api, cid, a, "?limit=4")) == (False, False)
    assert flags(history(api, cid, a, "?limit=3")) == (True, False)
    # At the ends.
    page = history(api, cid, a, f"?after={last}")
    assert (texts(page), flags(page)) == ([], (True, False))
    page = history(api, cid, a, f"?before={first}")
    assert (texts(page), flags(page)) == ([], (False, True))
    page = history(api, cid, a, f"?before={first + 1}")
    assert (texts(page), flags(page)) == (["m0"], (False, True))
    page = history(api, cid, a, f"?after={last - 1}")
    assert (texts(page), flags(page)) == (["m3"], (True, False))
    page = history(api, cid, a, f"?after={first}&limit=2")
    assert (texts(page), flags(page)) == (["m1", "m2"], (True, True))
    page = history(api, cid, a, f"?before={last}&limit=3")
    assert (texts(page), flags(page)) == (["m0", "m1", "m2"], (False, True))
    page = history(api, cid, a, "?after=0")
    assert (texts(page), flags(page)) == (["m0", "m1", "m2", "m3"], (False, False))
    # Cursors past the end are fine: there is just nothing there.
    page = history(api, cid, a, f"?before={last + 1000}")
    assert (texts(page), flags(page)) == (["m0", "m1", "m2", "m3"], (False, False))


def test_around_centres_on_the_message(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    ms = [api.send(cid, a, f"m{i}") for i in range(9)]
    page = history(api, cid, a, f"?around={ms[4]['seq']}&limit=5")
    assert texts(page) == ["m2", "m3", "m4", "m5", "m6"]
    assert flags(page) == (True, True)
    page = history(api, cid, a, f"?around={ms[4]['seq']}&limit=100")
    assert texts(page) == [f"m{i}" for i in range(9)] and flags(page) == (False, False)
    page = history(api, cid, a, f"?around={ms[4]['seq']}&limit=1")
    assert (texts(page), flags(page)) == (["m4"], (True, True))


def test_around_near_an_end_fills_the_page_from_the_other_side(api: Api) -> None:
    (a,), _, cid = setup(api, "alice")
    ms = [api.send(cid, a, f"m{i}") for i in range(9)]
    m = [x["seq"] for x in ms]
    cases = [
        # (around, limit, expected messages, has_more_before, has_more_after)
        (m[8], 5, range(4, 9), True, False),
        (m[7], 5, range(4, 9), True, False),
        (m[6], 5, range(4, 9), True, False),
        (m[8], 4, range(5, 9), True, False),
        (m[8], 8, range(1, 9), True, False),
        (m[8], 9, range(0, 9), False, False),
        (m[8], 10, range(0, 9), False, False),
        (m[8] + 1000, 3, range(6, 9), True, False),
        (m[0], 5, range(0, 5), False, True),
        (m[1], 5, range(0, 5), False, True),
        (m[0], 9, range(0, 9), False, False),
        (m[0], 2, range(0, 2), False, True),
        (0, 4, range(0, 4), False, True),
    ]
    for around, limit, want, more_before, more_after in cases:
        page = history(api, cid, a, f"?around={around}&limit={limit}")
        got = (texts(page), flags(page))
        assert got == ([f"m{i}" for i in want], (more_before, more_after)), (around, limit)
        assert len(page["messages"]) == min(limit, 9)
        assert seqs(page) == sorted(seqs(page))


def test_around_skips_what_the_reader_hid(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    ms = [api.send(cid, a, f"m{i}") for i in range(9)]
    for hidden in (ms[7], ms[8], ms[2]):
        r = api.delete(f"/api/v1/messages/{hidden['id']}?scope=me", b["token"])
        assert r.status_code == 204
    # bob sees m0 m1 m3 m4 m5 m6: a page of 4 at the newest end is the last four of them.
    page = history(api, cid, b, f"?around={ms[8]['seq']}&limit=4")
    assert (texts(page), flags(page)) == (["m3", "m4", "m5", "m6"], (True, False))
    page = history(api, cid, b, f"?around={ms[8]['seq']}&limit=6")
    assert (texts(page), flags(page)) == (["m0", "m1", "m3", "m4", "m5", "m6"], (False, False))
    # alice hid nothing: her page is full of what she sees.
    page = history(api, cid, a, f"?around={ms[8]['seq']}&limit=4")
    assert (texts(page), flags(page)) == (["m5", "m6", "m7", "m8"], (True, False))


def test_seqs_taken_by_other_events_leave_no_gap_in_pages(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    for i in range(6):
        m = api.send(cid, a, f"m{i}")
        # Reactions and edits take seqs of their own between the messages.
        api.put(f"/api/v1/messages/{m['id']}/reactions/%F0%9F%91%8D", token=b["token"])
        api.patch(f"/api/v1/messages/{m['id']}", {"text": f"m{i}!"}, a["token"])
    got: list[str] = []
    page = history(api, cid, b, "?limit=2&after=0")
    got += texts(page)
    while page["has_more_after"]:
        page = history(api, cid, b, f"?limit=2&after={page['messages'][-1]['seq']}")
        got += texts(page)
    assert got == [f"m{i}!" for i in range(6)]


def test_thread_replies_stay_out_of_channel_history(api: Api) -> None:
    (a, b), _, cid = setup(api, "alice", "bob")
    root = api.send(cid, a, "root")
    api.send(cid, b, "reply 1", thread_root_id=root["id"])
    after = api.send(cid, a, "after")
    api.send(cid, b, "reply 2", thread_root_id=root["id"])
    page = history(api, cid, b)
    assert texts(page) == ["root", "after"]
    assert page["messages"][0]["reply_count"] == 2
    page = history(api, cid, b, f"?around={after['seq']}&limit=3")
    assert texts(page) == ["root", "after"]
    assert flags(page) == (False, False)
