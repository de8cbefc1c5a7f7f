"""One person at a time: signing up, search, safety against HTML, failures, small screens."""

from __future__ import annotations

import json
import os
import re
import shutil
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import PASSWORD, REPO, Server, search_until_found, wait_socket

pytestmark = pytest.mark.browser


def msg(page: Any, text: str) -> Any:
    return page.locator(".messages .msg", has_text=text)


def test_sign_up_create_workspace_and_channel_log_out_and_in(server: Server, people: Any) -> None:
    person = people(None)
    page = person.open("/")
    page.get_by_role("button", name="Create an account").click()
    username = f"carol{os.getpid()}"
    page.get_by_label("Username").fill(username)
    page.get_by_label("Your name (optional)").fill("Carol Chen")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    page.get_by_label("New workspace name").fill("Carol's team")
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_label("Workspace", exact=True)).to_be_visible()

    page.get_by_role("button", name="Create a channel").click()
    dialog = page.get_by_role("dialog", name="Create a channel")
    dialog.get_by_label("Name").fill("launch")
    dialog.get_by_role("button", name="Create channel").click()
    expect(page.locator(".chan-title")).to_have_text("#launch")
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.fill("first line")
    box.press("Shift+Enter")
    box.type("second line")
    box.press("Enter")
    expect(msg(page, "first line")).to_contain_text("second line")
    person.screenshot("signup_first_message")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Log in to TeamChat")).to_be_visible()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(msg(page, "first line")).to_be_visible()
    assert not person.errors


def test_html_in_messages_and_names_is_shown_as_text(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice = team["alice"]
    mallory = server.account("mallory", "<b onmouseover=alert(2)>Mal</b>")
    server.call(
        "POST",
        f"/api/v1/workspaces/{team['ws']['id']}/members",
        {"username": mallory.username},
        alice.token,
    )
    cid = team["general"]["id"]
    server.call("POST", f"/api/v1/channels/{cid}/join", token=mallory.token)
    server.send(cid, mallory, "<script>alert(3)</script> javascript:alert(4) http://ok.example/x")
    a = people(alice)
    page = a.open_channel(cid)
    payload = "<img src=x onerror=alert(1)>"
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.fill(payload)
    box.press("Enter")
    item = msg(page, payload)
    expect(item.locator(".msg-text")).to_have_text(payload)
    expect(page.locator(".messages .msg-text img, .messages script")).to_have_count(0)
    expect(
        page.locator(".messages .author", has_text="<b onmouseover=alert(2)>Mal</b>")
    ).to_be_visible()
    links = page.locator(".messages .msg-text a")
    expect(links).to_have_count(1)
    assert links.first.get_attribute("href") == "http://ok.example/x"
    assert "noopener" in (links.first.get_attribute("rel") or "")
    page.locator(".messages .author", has_text="Mal").hover()
    page.wait_for_timeout(300)
    a.screenshot("html_is_text")
    assert a.dialogs == []
    assert not a.errors


def test_search_finds_a_message_and_jumps_to_it(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice, bob = team["alice"], team["bob"]
    wid = team["ws"]["id"]
    archive = server.channel(wid, bob, "archive", [alice])
    target = server.send(archive["id"], bob, "🎉 the quarterly zebra report is ready")
    for i in range(80):
        server.send(archive["id"], bob, f"filler {i}")
    a = people(alice)
    page = a.open_channel(team["general"]["id"])
    result = search_until_found(page, "zebra in:#archive from:@" + bob.username, "quarterly")
    expect(result).to_have_count(1)
    expect(result.locator("mark")).to_have_text(["zebra"])
    a.screenshot("search_results")
    result.click()
    expect(page.locator(".chan-title")).to_have_text("#archive")
    jumped = page.locator(f"#msg-{target['id']}")
    expect(jumped).to_be_in_viewport()
    assert page.url.endswith(f"#/c/{archive['id']}")
    a.screenshot("search_jump")
    # Scrolling up and down pages through the rest of the history.
    page.locator(".messages").evaluate("el => { el.scrollTop = el.scrollHeight; }")
    expect(msg(page, "filler 79")).to_be_visible()
    bad = page.get_by_role("searchbox", name="Search messages")
    bad.fill('"unclosed')
    bad.press("Enter")
    expect(page.locator(".side-panel .form-error")).to_be_visible()
    assert not a.errors


def test_search_results_show_html_as_text_and_mark_only_the_match(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    text = "<b>bold</b> <img src=x onerror=alert(1)> findme"
    server.send(team["general"]["id"], team["bob"], text)
    a = people(team["alice"])
    page = a.open_channel(team["general"]["id"])
    result = search_until_found(page, "findme", "findme")
    expect(result).to_have_count(1)
    shown = result.locator(".result-text")
    expect(shown).to_have_text(text)
    # The one element inside the text is the highlight, around the term searched for.
    expect(shown.locator("*")).to_have_count(1)
    expect(shown.locator("mark")).to_have_text(["findme"])
    expect(page.locator(".side-panel .result b, img[src='x']")).to_have_count(0)
    page.wait_for_timeout(300)  # an onerror handler, had one been made, would have run
    a.screenshot("search_html_is_text")
    assert a.dialogs == []
    assert not a.errors


def test_failed_send_keeps_the_draft_and_retry_does_not_duplicate(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice = team["alice"]
    cid = team["general"]["id"]
    a = people(alice)
    page = a.open_channel(cid)
    text = "this must arrive exactly once"

    def lose_response(route: Any) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fetch()  # the server stores it, but the answer never reaches the page
        route.fulfill(
            status=502,
            content_type="application/json",
            body=json.dumps({"error": {"code": "bad_gateway", "message": "Gateway timeout"}}),
        )

    page.route(f"**/api/v1/channels/{cid}/messages", lose_response)
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.fill(text)
    box.press("Enter")
    expect(page.locator(".pane .composer-error")).to_contain_text("Message not sent")
    expect(box).to_have_value(text)
    a.screenshot("send_failed")
    page.unroute(f"**/api/v1/channels/{cid}/messages")
    a.server_errors.clear()  # the 502 above was ours
    page.locator(".pane .composer-error").get_by_role("button", name="Retry").click()
    expect(box).to_have_value("")
    expect(page.locator(".pane .composer-error")).to_be_hidden()
    expect(msg(page, text)).to_have_count(1)
    page.reload()
    page.wait_for_selector(".composer-input")
    expect(msg(page, text)).to_have_count(1)
    assert [m["text"] for m in server.history(cid, alice)].count(text) == 1
    assert not a.errors


def test_reload_mid_send_gives_the_text_back_and_sending_again_does_not_duplicate(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice = team["alice"]
    cid = team["general"]["id"]
    a = people(alice)
    page = a.open_channel(cid)
    text = "sent just before the reload"
    reached: list[str] = []

    def never_answer(route: Any) -> None:
        if route.request.method != "POST" or reached:  # only the first send is cut short
            route.continue_()
            return
        route.fetch()  # the server stores it; the page is reloaded before any answer
        reached.append(route.request.post_data_json["client_msg_id"])

    page.route(f"**/api/v1/channels/{cid}/messages", never_answer)
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.fill(text)
    box.press("Enter")
    expect(box).to_have_value("")
    expect(msg(page, text)).to_have_count(1)  # pending, or already pushed by the server
    for _ in range(100):  # let the route handler run until the server has it
        if reached:
            break
        page.wait_for_timeout(100)
    assert [m["text"] for m in server.history(cid, alice)].count(text) == 1
    page.reload()
    page.wait_for_selector(".composer-input")
    wait_socket(page)
    expect(box).to_have_value(text)
    expect(page.locator(".pane .composer-error")).to_contain_text("Sending was interrupted")
    expect(msg(page, text)).to_have_count(1)
    a.screenshot("reload_mid_send")
    draft = json.loads(page.evaluate(f"localStorage.getItem('teamchat.draft.{cid}')"))
    assert draft["text"] == text
    assert draft["retry"]["clientMsgId"] == reached[0]
    box.press("Enter")  # the same client_msg_id: the server returns the message it has
    expect(box).to_have_value("")
    expect(page.locator(".pane .composer-error")).to_be_hidden()
    expect(msg(page, text)).to_have_count(1)
    # The box empties at once; the draft goes only when the server has answered.
    # A function, not an expression: polling an expression needs eval, which the CSP forbids.
    page.wait_for_function("key => localStorage.getItem(key) === null", arg=f"teamchat.draft.{cid}")
    assert [m["text"] for m in server.history(cid, alice)].count(text) == 1
    assert not a.errors


def test_mention_autocomplete_and_emoji_picker(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    page = a.open_channel(team["general"]["id"])
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.fill("hi @bo")
    options = page.locator(".pane .mention-list [role=option]")
    expect(options.first).to_contain_text("Bob Brown")
    a.screenshot("mention_autocomplete")
    box.press("Enter")
    expect(box).to_have_value(f"hi @{team['bob'].username} ")
    box.type("@ch")
    expect(options.first).to_contain_text("@channel")
    box.press("Tab")
    page.get_by_role("button", name="Insert emoji").click()
    picker = page.get_by_role("dialog", name="Insert an emoji")
    expect(picker.get_by_role("option", name="rocket")).to_be_visible()
    a.screenshot("emoji_picker")
    picker.get_by_role("option", name="rocket").click()
    expect(box).to_have_value(f"hi @{team['bob'].username} @channel 🚀")
    box.press("Enter")
    sent = msg(page, "🚀")
    expect(sent.locator(".mention")).to_have_count(2)
    a.screenshot("mentions_sent")
    assert not a.errors


def test_narrow_window_collapses_the_sidebar(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    other = server.channel(team["ws"]["id"], team["alice"], "random", [team["bob"]])
    a = people(team["alice"], viewport={"width": 400, "height": 760})
    page = a.open_channel(team["general"]["id"])
    sidebar = page.locator("#sidebar")
    expect(sidebar).not_to_be_in_viewport()
    toggle = page.get_by_role("button", name="Show channels and people")
    toggle.click()
    expect(sidebar).to_be_in_viewport()
    page.wait_for_timeout(400)  # let the slide-in finish
    a.screenshot("narrow_sidebar_open")
    page.locator(f".sidebar [data-channel-id='{other['id']}']").click()
    expect(page.locator(".chan-title")).to_have_text("#random")
    expect(sidebar).not_to_be_in_viewport()
    expect(page.get_by_role("textbox", name="Message", exact=True)).to_be_visible()
    a.screenshot("narrow_channel")
    assert not a.errors


def test_workspace_overview_screenshot(server: Server, team: dict[str, Any], people: Any) -> None:
    """A populated workspace, saved for the docs (copied when TEAMCHAT_UPDATE_SCREENSHOTS=1)."""
    alice, bob = team["alice"], team["bob"]
    wid, cid = team["ws"]["id"], team["general"]["id"]
    server.call("PUT", f"/api/v1/contacts/{bob.id}", token=alice.token)
    server.channel(wid, alice, "design", [bob])
    server.call("POST", f"/api/v1/workspaces/{wid}/dms", {"user_ids": [bob.id]}, alice.token)
    first = server.send(
        cid, bob, "Morning! The new build is on staging: https://staging.example.com"
    )
    server.send(cid, alice, f"Thanks @{bob.username}, checking it now")
    server.send(cid, alice, "Login and search look good 👍")
    server.call("PUT", f"/api/v1/messages/{first['id']}/reactions/🎉", token=alice.token)
    server.call(
        "POST",
        f"/api/v1/channels/{cid}/messages",
        {"text": "Found one small glitch in the sidebar", "thread_root_id": first["id"]},
        alice.token,
    )
    last = server.send(cid, bob, "Great, let's ship it this afternoon")
    server.call("POST", f"/api/v1/channels/{cid}/read", {"seq": last["seq"]}, bob.token)
    a = people(alice)
    page = a.open_channel(cid)
    expect(msg(page, "ship it this afternoon")).to_be_visible()
    page.wait_for_timeout(300)
    shot = a.screenshot("workspace")
    if os.environ.get("TEAMCHAT_UPDATE_SCREENSHOTS") == "1":
        dest = REPO / "docs" / "screenshots" / "workspace.png"
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, dest)
    assert not a.errors


def test_keyboard_only_edit_and_react(team: dict[str, Any], people: Any) -> None:
    a = people(team["alice"])
    page = a.open_channel(team["general"]["id"])
    box = page.get_by_role("textbox", name="Message", exact=True)
    box.focus()
    page.keyboard.type("typed without a mouse")
    page.keyboard.press("Enter")
    expect(msg(page, "typed without a mouse")).to_be_visible()
    expect(page.locator(".pane .msg.pending")).to_have_count(0)
    # Shift+Tab from the composer reaches the last message's actions.
    page.keyboard.press("Shift+Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_attribute("aria-label", "More actions")
    page.keyboard.press("Enter")
    expect(page.get_by_role("menu", name="Message actions")).to_be_visible()
    for _ in range(3):
        page.keyboard.press("ArrowDown")
    expect(page.locator(":focus")).to_have_text("Edit")
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="Edit message")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.type(", edited too")
    page.keyboard.press("Enter")
    expect(msg(page, "typed without a mouse, edited too").locator(".edited")).to_be_visible()
    # Add a reaction: the picker's search box takes a name and Enter picks.
    expect(box).to_be_focused()  # back in the composer after saving
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    expect(page.locator(":focus")).to_have_attribute("aria-label", "Add reaction")
    page.keyboard.press("Enter")
    page.keyboard.type("rocket")
    page.keyboard.press("Enter")
    expect(msg(page, "edited too").locator(".reaction", has_text="🚀")).to_be_visible()
    a.screenshot("keyboard_only")
    assert not a.errors


def test_switch_between_workspaces(server: Server, team: dict[str, Any], people: Any) -> None:
    alice = team["alice"]
    server.send(team["general"]["id"], alice, "only in the first workspace")
    a = people(alice)
    page = a.open_channel(team["general"]["id"])
    expect(msg(page, "only in the first workspace")).to_be_visible()
    picker = page.get_by_label("Workspace", exact=True)
    picker.select_option(value="__new__")
    dialog = page.get_by_role("dialog", name="Create a workspace")
    name = f"Side project {os.getpid()}"
    dialog.get_by_label("Workspace name").fill(name)
    dialog.get_by_role("button", name="Create").click()
    expect(page.get_by_label("Workspace", exact=True)).to_have_value(re.compile(r"\d+"))
    expect(page.locator(".empty-pane")).to_be_visible()
    expect(page.locator(".sidebar .chan-item", has_text="general")).to_have_count(0)
    a.screenshot("workspace_switched_to_new")
    page.get_by_label("Workspace", exact=True).select_option(label=team["ws"]["name"])
    expect(page.locator(".sidebar .chan-item", has_text="general")).to_be_visible()
    expect(msg(page, "only in the first workspace")).to_be_visible()
    a.screenshot("workspace_switched_back")
    assert not a.errors


def test_revoked_session_returns_to_the_login_form(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    bob = server.account("bob", "Bob Brown")
    server.call(
        "POST",
        f"/api/v1/workspaces/{team['ws']['id']}/members",
        {"username": bob.username},
        team["alice"].token,
    )
    b = people(bob)
    page = b.open()
    server.call("POST", "/api/v1/auth/logout", token=bob.token)  # e.g. logged out elsewhere
    page.evaluate("window.teamchat.dropConnection()")
    expect(page.get_by_role("heading", name="Log in to TeamChat")).to_be_visible(timeout=15_000)
    b.screenshot("revoked_session_login")
    assert not b.errors
