"""Two people in two browsers: what one does, the other sees live."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Server, wait_socket

pytestmark = pytest.mark.browser


def msg(page: Any, text: str) -> Any:
    return page.locator(".messages .msg", has_text=text)


def send(page: Any, text: str) -> None:
    box = page.locator(".pane .composer-input")
    box.fill(text)
    box.press("Enter")
    expect(msg(page, text).first).to_be_visible()
    expect(page.locator(".pane .msg.pending")).to_have_count(0)


def msg_id(page: Any, text: str) -> str:
    return str(msg(page, text).first.get_attribute("data-id"))


def test_message_appears_live_for_the_other_person(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    b = people(team["bob"])
    cid = team["general"]["id"]
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "Hello Bob, can you see this?")
    expect(msg(pb, "Hello Bob, can you see this?")).to_be_visible()
    expect(msg(pb, "Hello Bob").locator(".author")).to_have_text("Alice Adams")
    send(pb, "Loud and clear")
    expect(msg(pa, "Loud and clear")).to_be_visible()
    # Alice's second message right after the first is grouped under one author line.
    send(pa, "Great, one more")
    send(pa, "And another")
    expect(msg(pa, "And another")).to_have_class(re.compile(r"\bgrouped\b"))
    expect(msg(pb, "And another")).to_have_class(re.compile(r"\bgrouped\b"))
    a.screenshot("live_message_alice")
    b.screenshot("live_message_bob")
    assert not a.errors and not b.errors


def test_reaction_shows_the_reactors_avatar(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    b = people(team["bob"])
    cid = team["general"]["id"]
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "Ship it on Friday?")
    target = msg(pb, "Ship it on Friday?")
    target.hover()
    target.get_by_role("button", name="Add reaction").first.click()
    pb.get_by_role("dialog", name="React with an emoji").get_by_role(
        "option", name="thumbs up"
    ).click()
    bob_id = team["bob"].id
    chip_a = msg(pa, "Ship it on Friday?").locator(".reaction", has_text="👍")
    expect(chip_a.locator(f"img.avatar[data-user-id='{bob_id}']")).to_be_visible()
    expect(chip_a.locator(".count")).to_have_text("1")
    # Alice adds hers by clicking the chip: both avatars, count 2, for both people.
    chip_a.click()
    expect(chip_a.locator(".count")).to_have_text("2")
    chip_b = msg(pb, "Ship it on Friday?").locator(".reaction", has_text="👍")
    expect(chip_b.locator(".count")).to_have_text("2")
    expect(chip_b.locator(f"img.avatar[data-user-id='{team['alice'].id}']")).to_be_visible()
    a.screenshot("reaction_alice")
    assert not a.errors and not b.errors


def test_read_receipt_moves_when_the_other_person_reads(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice, bob = team["alice"], team["bob"]
    other = server.channel(team["ws"]["id"], alice, "random", [bob])
    cid = team["general"]["id"]
    a = people(alice)
    b = people(bob)
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "First point")
    expect(msg(pb, "First point")).to_be_visible()
    first = msg_id(pa, "First point")
    receipt = f"img.avatar[data-user-id='{bob.id}']"
    expect(pa.locator(f"#msg-{first} + .receipts {receipt}")).to_be_visible()

    # Bob looks elsewhere; Alice's next message stays unread for him.
    pb.locator(f".sidebar [data-channel-id='{other['id']}']").click()
    expect(pb.locator(".chan-title")).to_contain_text("random")
    send(pa, "Second point")
    second = msg_id(pa, "Second point")
    pa.wait_for_timeout(500)
    expect(pa.locator(f"#msg-{first} + .receipts {receipt}")).to_be_visible()
    expect(pa.locator(f"#msg-{second} + .receipts {receipt}")).to_have_count(0)
    expect(pb.locator(f".sidebar [data-channel-id='{cid}'] .badge.unread")).to_have_text("1")

    # Bob comes back and reads: his avatar moves under the second message.
    pb.locator(f".sidebar [data-channel-id='{cid}']").click()
    expect(msg(pb, "Second point")).to_be_visible()
    expect(pa.locator(f"#msg-{second} + .receipts {receipt}")).to_be_visible()
    expect(pa.locator(f"#msg-{first} + .receipts {receipt}")).to_have_count(0)
    expect(pb.locator(f".sidebar [data-channel-id='{cid}'] .badge")).to_have_count(0)
    a.screenshot("read_receipt_alice")
    assert not a.errors and not b.errors


def test_delete_for_everyone_removes_it_for_both(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    b = people(team["bob"])
    cid = team["general"]["id"]
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "Oops, wrong channel")
    expect(msg(pb, "Oops, wrong channel")).to_be_visible()
    mid = msg_id(pa, "Oops, wrong channel")
    item = pa.locator(f"#msg-{mid}")
    item.hover()
    item.get_by_role("button", name="More actions").click()
    pa.get_by_role("menuitem", name="Delete for everyone").click()
    pa.get_by_role("dialog").get_by_role("button", name="Delete").click()
    for page in (pa, pb):
        expect(msg(page, "Oops, wrong channel")).to_have_count(0)
        expect(page.locator(f"#msg-{mid}")).to_contain_text("This message was deleted.")
    # Bob cannot delete Alice's message for everyone, only for himself.
    send(pa, "Keep this one")
    other = msg(pb, "Keep this one")
    other.hover()
    other.get_by_role("button", name="More actions").click()
    expect(pb.get_by_role("menuitem", name="Delete for me")).to_be_visible()
    expect(pb.get_by_role("menuitem", name="Delete for everyone")).to_have_count(0)
    pb.get_by_role("menuitem", name="Delete for me").click()
    pb.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(msg(pb, "Keep this one")).to_have_count(0)
    expect(msg(pa, "Keep this one")).to_be_visible()
    b.screenshot("delete_bob")
    assert not a.errors and not b.errors


def test_edit_shows_edited_mark_for_both(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    b = people(team["bob"])
    cid = team["general"]["id"]
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "Meeting at 3")
    item = msg(pa, "Meeting at 3")
    item.hover()
    item.get_by_role("button", name="More actions").click()
    pa.get_by_role("menuitem", name="Edit").click()
    editor = pa.get_by_role("textbox", name="Edit message")
    editor.fill("Meeting at 4")
    editor.press("Enter")
    for page in (pa, pb):
        expect(msg(page, "Meeting at 4").locator(".edited")).to_have_text("(edited)")
        expect(msg(page, "Meeting at 3")).to_have_count(0)
    a.screenshot("edit_alice")
    b.screenshot("edit_bob")
    assert not a.errors and not b.errors


def test_thread_reply_shows_in_panel_and_count(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    b = people(team["bob"])
    cid = team["general"]["id"]
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "Release plan for 2.0")
    root = msg(pb, "Release plan for 2.0")
    root.hover()
    root.get_by_role("button", name="Reply in thread").click()
    panel = pb.locator(".side-panel")
    expect(panel.get_by_role("heading", name="Thread")).to_be_visible()
    reply = panel.get_by_role("textbox", name="Reply in thread")
    reply.fill("I can do the changelog")
    reply.press("Enter")
    expect(panel.locator(".msg", has_text="I can do the changelog")).to_be_visible()
    # The reply is not in the channel history; the root shows the count, live for Alice.
    expect(pa.locator(".messages .thread-link", has_text="1 reply")).to_be_visible()
    expect(msg(pa, "I can do the changelog")).to_have_count(0)
    pa.locator(".messages .thread-link").click()
    expect(pa.locator(".side-panel .msg", has_text="I can do the changelog")).to_be_visible()
    a.screenshot("thread_alice")
    assert not a.errors and not b.errors


def test_unread_and_mention_badges_update_live(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice, bob = team["alice"], team["bob"]
    other = server.channel(team["ws"]["id"], bob, "design", [alice])
    a = people(alice)
    pa = a.open_channel(team["general"]["id"])
    server.send(other["id"], bob, "a quiet note")
    server.send(other["id"], bob, f"@{alice.username} please review the mockups")
    item = pa.locator(f".sidebar [data-channel-id='{other['id']}']")
    expect(item.locator(".badge.unread")).to_have_text("2")
    expect(item.locator(".badge.mention")).to_have_text("@1")
    item.click()
    expect(pa.locator(".unread-line")).to_be_visible()
    expect(pa.locator(".messages .mention.me")).to_have_text(f"@{alice.username}")
    expect(item.locator(".badge")).to_have_count(0)
    # The Mentions view lists it and jumps to it.
    pa.get_by_role("button", name="Mentions of me").click()
    result = pa.locator(".side-panel .result", has_text="please review the mockups")
    expect(result).to_be_visible()
    a.screenshot("mentions_alice")
    assert not a.errors


def test_reconnect_replays_what_was_missed(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice, bob = team["alice"], team["bob"]
    cid = team["general"]["id"]
    b = people(bob)
    pb = b.open_channel(cid)
    server.send(cid, alice, "before the outage")
    expect(msg(pb, "before the outage")).to_be_visible()
    keep = msg_id(pb, "before the outage")

    b.context.set_offline(True)
    pb.evaluate("window.teamchat.dropConnection()")
    expect(pb.locator(".conn-banner")).to_be_visible()
    missed = [f"missed message {i}" for i in range(1, 6)]
    for text in missed:
        server.send(cid, alice, text)
    server.call("PUT", f"/api/v1/messages/{keep}/reactions/🎉", token=alice.token)
    b.context.set_offline(False)
    pb.evaluate("window.dispatchEvent(new Event('online'))")
    wait_socket(pb)
    expect(pb.locator(".conn-banner")).to_be_hidden()
    for text in missed:
        expect(msg(pb, text)).to_have_count(1)
    texts = pb.locator(".messages .msg .msg-text").all_inner_texts()
    positions = [next(i for i, t in enumerate(texts) if t.startswith(m)) for m in missed]
    assert positions == sorted(positions), texts
    expect(pb.locator(f"#msg-{keep} .reaction", has_text="🎉")).to_be_visible()
    # And live events flow again afterwards.
    server.send(cid, alice, "after the outage")
    expect(msg(pb, "after the outage")).to_be_visible()
    b.screenshot("reconnect_bob")
    assert not b.errors


def test_keyboard_focus_survives_a_redraw_from_another_person(
    team: dict[str, Any], people: Any
) -> None:
    a = people(team["alice"])
    b = people(team["bob"])
    cid = team["general"]["id"]
    pa = a.open_channel(cid)
    pb = b.open_channel(cid)
    send(pa, "focus stays on me")
    mine = msg(pa, "focus stays on me")
    more = mine.get_by_role("button", name="More actions")
    more.focus()
    expect(more).to_be_focused()
    # Bob's message redraws Alice's whole list; her focus must move to the new button.
    send(pb, "a redraw for alice")
    expect(msg(pa, "a redraw for alice")).to_be_visible()
    expect(pa.locator(":focus")).to_have_attribute("aria-label", "More actions")
    focused_in = pa.evaluate("document.activeElement.closest('.msg')?.dataset.id")
    assert focused_in == mine.get_attribute("data-id")
    a.screenshot("focus_after_redraw")
    assert not a.errors and not b.errors
