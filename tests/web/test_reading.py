"""Reading the open channel: staying at the bottom through layout changes, the new
messages pill, read marking, and the thread pane following channel switches."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Account, Server

pytestmark = pytest.mark.browser

AT_BOTTOM = "el => el.scrollHeight - el.scrollTop - el.clientHeight"


def gap_below(page: Any) -> float:
    return float(page.locator(".messages").evaluate(AT_BOTTOM))


def settle(page: Any) -> None:
    """Let pending scroll and resize callbacks run (two frames), whatever the speed."""
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def wait_read(server: Server, cid: str, who: Account, seq: int) -> None:
    """Poll the server until `who` has read `seq` (fails with the pointer it got)."""
    deadline = time.monotonic() + 15
    while True:
        ch = server.call("GET", f"/api/v1/channels/{cid}", token=who.token)
        if int(ch.get("last_read_seq") or 0) >= seq:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"read pointer stayed at {ch.get('last_read_seq')}, wanted {seq}")
        time.sleep(0.2)


def busy_channel(server: Server, team: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """#general with enough history to scroll; the last message has a thread."""
    cid = team["general"]["id"]
    bob = team["bob"]
    for i in range(30):
        server.send(cid, bob, f"history line {i}")
    root = server.send(cid, bob, "shall we ship the release on Friday?")
    server.call(
        "POST",
        f"/api/v1/channels/{cid}/messages",
        {"text": "yes, after the smoke tests", "thread_root_id": root["id"]},
        team["alice"].token,
    )
    return cid, root


def test_pinned_reader_stays_at_the_bottom_and_reads_new_messages(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice, bob = team["alice"], team["bob"]
    cid, root = busy_channel(server, team)
    a = people(alice)
    page = a.open_channel(cid)
    expect(page.locator(f"#msg-{root['id']} .thread-link")).to_be_visible()
    settle(page)
    assert gap_below(page) < 2

    # The thread pane narrows the list: lines wrap, and the list stays at the bottom.
    page.locator(f"#msg-{root['id']} .thread-link").click()
    expect(page.get_by_role("textbox", name="Reply in thread")).to_be_visible()
    settle(page)
    assert gap_below(page) < 2

    # So does a smaller window, and a composer that grows with a long draft.
    page.set_viewport_size({"width": 1100, "height": 640})
    settle(page)
    assert gap_below(page) < 2
    page.get_by_role("textbox", name="Message", exact=True).fill("one\ntwo\nthree\nfour\nfive")
    settle(page)
    assert gap_below(page) < 2
    page.get_by_role("textbox", name="Message", exact=True).fill("")

    # A new message is seen at once: in view, read on the server, no badge of its own.
    posted = server.send(cid, bob, "the build is green, shipping now")
    fresh = page.locator(f"#msg-{posted['id']}")
    expect(fresh).to_be_in_viewport()
    settle(page)
    assert gap_below(page) < 2
    wait_read(server, cid, alice, int(posted["seq"]))
    current = page.locator(".sidebar .chan-item.current")
    expect(current).to_have_count(1)
    expect(current.locator(".badge")).to_have_count(0)
    expect(page.locator(".new-messages")).to_be_hidden()
    a.screenshot("reading_pinned_with_thread_open")
    assert not a.errors


def test_reader_scrolled_up_gets_a_new_messages_pill(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    cid, _ = busy_channel(server, team)
    a = people(team["alice"])
    page = a.open_channel(cid)
    expect(page.locator(".messages .msg", has_text="history line 29")).to_be_visible()
    page.locator(".messages").evaluate("el => { el.scrollTop = 0; }")
    settle(page)
    posted = server.send(cid, team["bob"], "did anyone see the alert?")
    pill = page.get_by_role("button", name="New messages ↓")
    expect(pill).to_be_visible()
    fresh = page.locator(f"#msg-{posted['id']}")
    expect(fresh).to_be_attached()
    expect(fresh).not_to_be_in_viewport()
    a.screenshot("reading_new_messages_pill")
    pill.click()
    expect(fresh).to_be_in_viewport()
    expect(pill).to_be_hidden()
    wait_read(server, cid, team["alice"], int(posted["seq"]))
    assert not a.errors


def test_switching_channels_closes_the_thread_of_the_old_one(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    cid, root = busy_channel(server, team)
    random = server.channel(team["ws"]["id"], team["alice"], "random", [team["bob"]])
    a = people(team["alice"])
    page = a.open_channel(cid)
    page.locator(f"#msg-{root['id']} .thread-link").click()
    reply_box = page.get_by_role("textbox", name="Reply in thread")
    expect(reply_box).to_be_visible()
    page.locator(f".sidebar .chan-item[data-channel-id='{random['id']}']").click()
    expect(page.locator(".chan-title")).to_have_text("#random")
    expect(page.locator(".side-panel")).to_be_hidden()
    expect(reply_box).to_have_count(0)
    a.screenshot("thread_closed_on_switch")
    # Back in #general, a thread opens again as usual.
    page.locator(f".sidebar .chan-item[data-channel-id='{cid}']").click()
    page.locator(f"#msg-{root['id']} .thread-link").click()
    expect(page.locator(".side-panel .thread-list")).to_contain_text("after the smoke tests")
    assert not a.errors
