"""Slack-style formatting in messages, built as DOM (never parsed HTML), and search
highlights that still mark the right characters around formatting markers."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Server, search_until_found

pytestmark = pytest.mark.browser


def shown(page: Any, message: dict[str, Any]) -> Any:
    return page.locator(f"#msg-{message['id']} .msg-text")


def test_messages_render_code_bold_italic_strike_and_links(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    cid = team["general"]["id"]
    bob, alice = team["bob"], team["alice"]
    mixed = server.send(
        cid,
        bob,
        "run `make *all*` then *ship it* and **really** _soon_ ~not later~ "
        "see *https://ok.example/a_b_c*",
    )
    block = server.send(cid, bob, "before\n```\nif a < b:\n    *x* = `y`\n```\nafter _done_")
    plain = server.send(
        cid, bob, "snake_case_name and 2*3*4 and a * b * c and *unclosed and _ spaced _"
    )
    unsafe = server.send(cid, bob, "*<img src=x onerror=alert(1)>* `<b>no</b>`")
    mention = server.send(cid, bob, f"*thanks @{alice.username}* for _the_fix_")
    a = people(alice)
    page = a.open_channel(cid)

    m = shown(page, mixed)
    expect(m.locator("code")).to_have_text(["make *all*"])
    expect(m.locator("strong")).to_have_text(["ship it", "really", "https://ok.example/a_b_c"])
    expect(m.locator("em")).to_have_text(["soon"])
    expect(m.locator("s")).to_have_text(["not later"])
    link = m.locator("strong a")
    expect(link).to_have_attribute("href", "https://ok.example/a_b_c")
    expect(m).to_have_text(
        "run make *all* then ship it and really soon not later see https://ok.example/a_b_c"
    )

    b = shown(page, block)
    expect(b.locator("pre code")).to_have_text("if a < b:\n    *x* = `y`")
    expect(b.locator("pre strong, pre em")).to_have_count(0)
    expect(b.locator("em")).to_have_text(["done"])

    # Markers inside words, with spaces inside, or never closed stay as typed.
    p = shown(page, plain)
    expect(p.locator("*")).to_have_count(0)
    expect(p).to_have_text("snake_case_name and 2*3*4 and a * b * c and *unclosed and _ spaced _")

    u = shown(page, unsafe)
    expect(u.locator("strong")).to_have_text(["<img src=x onerror=alert(1)>"])
    expect(u.locator("code")).to_have_text(["<b>no</b>"])
    expect(page.locator(".messages img[src='x'], .messages code b")).to_have_count(0)

    # A mention keeps its chip inside formatting; underscores in a mention are literal.
    mt = shown(page, mention)
    expect(mt.locator("strong .mention.me")).to_have_text([f"@{alice.username}"])
    expect(mt.locator("em")).to_have_text(["the_fix"])
    a.screenshot("message_formatting")
    page.wait_for_timeout(300)  # an onerror handler, had one been made, would have run
    assert a.dialogs == []
    assert not a.errors


def test_search_highlights_land_on_the_term_inside_formatting(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    cid = team["general"]["id"]
    text = "🎉 *deploy* of `quokka-svc` is _quokka_ ready ~quokka~"
    server.send(cid, team["bob"], text)
    a = people(team["alice"])
    page = a.open_channel(cid)
    result = search_until_found(page, "quokka", "deploy")
    expect(result).to_have_count(1)
    hit = result.locator(".result-text")
    marks = hit.locator("mark")
    expect(marks.first).to_have_text("quokka")
    for i in range(marks.count()):
        expect(marks.nth(i)).to_have_text("quokka")
    expect(hit.locator("em mark")).to_have_text(["quokka"])
    expect(hit.locator("strong")).to_have_text(["deploy"])
    expect(hit).to_have_text("🎉 deploy of quokka-svc is quokka ready quokka")
    a.screenshot("search_highlight_in_formatting")
    assert not a.errors
