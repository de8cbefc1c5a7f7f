"""Sidebar and conversations: contacts and presence, chats, channels, history, typing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Server

pytestmark = pytest.mark.browser


def msg(page: Any, text: str) -> Any:
    return page.locator(".messages .msg", has_text=text)


def test_contacts_presence_and_group_chat(server: Server, people: Any) -> None:
    alice = server.account("alice", "Alice Adams")
    bob = server.account("bob", "Bob Brown")
    carol = server.account("carol", "Carol Chen")
    ws = server.workspace(alice, bob, carol)
    server.channel(ws["id"], alice, "general", [bob, carol])
    a = people(alice)
    pa = a.open()

    # Add Bob as a contact by his username; he shows as offline.
    pa.get_by_role("button", name="Add a contact").click()
    dialog = pa.get_by_role("dialog", name="Add a contact")
    dialog.get_by_label("Username").fill("nobody-here")
    dialog.get_by_role("button", name="Add contact").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Nobody called @nobody-here")
    dialog.get_by_label("Username").fill(f"@{bob.username}")
    dialog.get_by_role("button", name="Add contact").click()
    contact = pa.locator(f".sidebar button.contact[data-user-id='{bob.id}']")
    expect(contact).to_contain_text("Bob Brown")
    expect(contact.locator(".presence")).to_have_class(re.compile(r"\boffline\b"))

    # Bob opens the app: his dot turns green for Alice, live.
    b = people(bob)
    b.open()
    expect(contact.locator(".presence")).to_have_class(re.compile(r"\bonline\b"), timeout=15_000)

    # A click on the contact opens the 1:1 chat.
    contact.click()
    expect(pa.locator(".chan-title")).to_contain_text("Bob Brown")
    box = pa.get_by_role("textbox", name="Message", exact=True)
    box.fill("hi Bob, just you and me")
    box.press("Enter")
    expect(msg(pa, "just you and me")).to_be_visible()

    # A group chat with two people at once.
    pa.get_by_role("button", name="New direct message").click()
    dialog = pa.get_by_role("dialog", name="New direct message")
    dialog.get_by_label(re.compile("Bob Brown")).check()
    dialog.get_by_label(re.compile("Carol Chen")).check()
    dialog.get_by_role("button", name="Start chat").click()
    expect(pa.locator(".chan-title")).to_contain_text("Bob Brown")
    expect(pa.locator(".chan-title")).to_contain_text("Carol Chen")
    box.fill("hello both of you")
    box.press("Enter")
    expect(msg(pa, "hello both of you")).to_be_visible()
    expect(pa.locator(".pane .msg.pending")).to_have_count(0)
    a.screenshot("group_chat")
    assert not a.errors and not b.errors


def test_channels_create_browse_join_leave_and_invite(server: Server, people: Any) -> None:
    alice = server.account("alice", "Alice Adams")
    bob = server.account("bob", "Bob Brown")
    dave = server.account("dave", "Dave Dunn")
    ws = server.workspace(alice, bob)
    server.channel(ws["id"], alice, "general", [bob])
    a = people(alice)
    b = people(bob)
    pa = a.open()
    pb = b.open()

    # Alice makes a public channel and a private one; Bob is in neither.
    for name, private in (("announcements", False), ("secret-plans", True)):
        pa.get_by_role("button", name="Create a channel").click()
        dialog = pa.get_by_role("dialog", name="Create a channel")
        dialog.get_by_label("Name").fill(name)
        if private:
            dialog.get_by_label(re.compile("Private")).check()
        dialog.get_by_role("button", name="Create channel").click()
        expect(pa.locator(".chan-title")).to_contain_text(name)
    box = pa.get_by_role("textbox", name="Message", exact=True)
    box.fill("the plan is secret")
    box.press("Enter")
    expect(msg(pa, "the plan is secret")).to_be_visible()

    # Bob browses: the public channel is there to join, the private one is not.
    pb.get_by_role("button", name="Browse channels").click()
    dialog = pb.get_by_role("dialog", name="Browse channels")
    expect(dialog.get_by_text("#announcements")).to_be_visible()
    expect(dialog.get_by_text("#secret-plans")).to_have_count(0)
    dialog.get_by_role("button", name="Join #announcements").click()
    expect(pb.locator(".chan-title")).to_contain_text("announcements")
    pb.get_by_role("textbox", name="Message", exact=True).fill("glad to be here")
    pb.get_by_role("textbox", name="Message", exact=True).press("Enter")

    # Bob leaves it again.
    pb.get_by_role("button", name="Leave #announcements").click()
    pb.get_by_role("dialog").get_by_role("button", name="Leave").click()
    expect(pb.locator(".sidebar .chan-item", has_text="announcements")).to_have_count(0)

    # Alice, an admin, adds Dave to the workspace by username, then to a channel.
    pa.get_by_role("button", name="Add a member to this workspace").click()
    dialog = pa.get_by_role("dialog", name=re.compile("Add someone"))
    dialog.get_by_label("Username").fill(dave.username)
    dialog.get_by_role("button", name="Add to workspace").click()
    expect(dialog).to_have_count(0)
    pa.get_by_role("button", name="Add people").click()
    dialog = pa.get_by_role("dialog", name=re.compile("Add people"))
    dialog.get_by_label(re.compile("Dave Dunn")).check()
    dialog.get_by_role("button", name="Add", exact=True).click()
    expect(pa.locator(".chan-header .members-btn")).to_contain_text("2 members")
    d = people(dave)
    pd = d.open()
    expect(pd.locator(".sidebar .chan-item", has_text="secret-plans")).to_be_visible()
    a.screenshot("channels_alice")
    assert not a.errors and not b.errors and not d.errors


def test_new_channel_shows_up_live_and_typing_is_shown(server: Server, people: Any) -> None:
    alice = server.account("alice", "Alice Adams")
    bob = server.account("bob", "Bob Brown")
    ws = server.workspace(alice, bob)
    general = server.channel(ws["id"], alice, "general", [bob])
    a = people(alice)
    b = people(bob)
    pa = a.open_channel(general["id"])
    pb = b.open_channel(general["id"])
    created = server.channel(ws["id"], bob, "incidents", [alice])
    expect(pa.locator(f".sidebar [data-channel-id='{created['id']}']")).to_contain_text("incidents")
    pb.get_by_role("textbox", name="Message", exact=True).type("I am writing someth")
    expect(pa.locator(".typing-indicator")).to_have_text("Bob Brown is typing…")
    a.screenshot("new_channel_and_typing_alice")
    assert not a.errors and not b.errors


def test_history_scrolls_back_without_gaps_or_repeats(server: Server, people: Any) -> None:
    alice = server.account("alice", "Alice Adams")
    bob = server.account("bob", "Bob Brown")
    ws = server.workspace(alice, bob)
    ch = server.channel(ws["id"], alice, "history", [bob])
    for i in range(130):
        server.send(ch["id"], bob if i % 3 else alice, f"line {i:03d}")
    a = people(alice)
    page = a.open_channel(ch["id"])
    expect(msg(page, "line 129")).to_be_visible()
    expect(msg(page, "line 000")).to_have_count(0)
    scroller = page.locator(".messages")
    for _ in range(20):
        if msg(page, "line 000").count():
            break
        scroller.evaluate("el => { el.scrollTop = 0; }")
        page.wait_for_timeout(400)
    expect(page.locator(".history-edge.top")).to_contain_text("very beginning")
    texts = [t for t in page.locator(".messages .msg .msg-text").all_inner_texts()]
    assert texts == [f"line {i:03d}" for i in range(130)]
    a.screenshot("history_top")
    assert not a.errors
