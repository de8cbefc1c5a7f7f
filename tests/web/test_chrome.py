"""UI chrome that must not depend on fonts or luck: sidebar icons, the workspace name,
the hover time beside a message, and the search results header."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Server, measure, search_until_found

pytestmark = pytest.mark.browser


def test_private_group_and_self_chats_have_drawn_icons(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice, bob = team["alice"], team["bob"]
    wid = team["ws"]["id"]
    carol = server.account("carol", "Carol Chen")
    server.call(
        "POST", f"/api/v1/workspaces/{wid}/members", {"username": carol.username}, alice.token
    )
    secret = server.call(
        "POST",
        f"/api/v1/workspaces/{wid}/channels",
        {"name": "secret-plans", "private": True, "member_ids": [bob.id]},
        alice.token,
    )
    group = server.call(
        "POST", f"/api/v1/workspaces/{wid}/dms", {"user_ids": [bob.id, carol.id]}, alice.token
    )
    me = server.call("POST", f"/api/v1/workspaces/{wid}/dms", {"user_ids": [alice.id]}, alice.token)
    a = people(alice)
    page = a.open_channel(team["general"]["id"])

    def item(cid: str) -> Any:
        return page.locator(f".sidebar .chan-item[data-channel-id='{cid}']")

    # Drawn as SVG in the text colour, so they show without an emoji font.
    for cid, name in (
        (secret["id"], "lock"),
        (group["id"], "people"),
        (team["general"]["id"], "hash"),
    ):
        svg = item(cid).locator(f".chan-icon svg.icon-{name}")
        expect(svg).to_have_count(1)
        # Measured in one go: the sidebar redraws as events arrive.
        width, height = measure(
            svg, "el => [el.getBoundingClientRect().width, el.getBoundingClientRect().height]"
        )
        assert width >= 10 and height >= 10
        assert svg.locator("path, rect, circle").count() > 0
    assert "🔒" not in item(secret["id"]).inner_text()
    assert "👥" not in item(group["id"]).inner_text()
    # A chat with yourself is a DM: your own avatar, not a channel's #.
    mine = item(me["id"])
    expect(mine).to_contain_text("(you)")
    expect(mine.locator(".dm-icon img.avatar")).to_have_count(1)
    expect(mine.locator(".chan-icon")).to_have_count(0)
    mine.click()
    expect(page.locator(".chan-title img.avatar")).to_have_count(1)
    item(secret["id"]).click()
    expect(page.locator(".chan-title svg.icon-lock")).to_have_count(1)
    a.screenshot("sidebar_icons")
    assert not a.errors


def test_workspace_name_fits_and_hover_time_keeps_off_the_text(server: Server, people: Any) -> None:
    maya = server.account("maya", "Maya Okafor")
    ws = server.call("POST", "/api/v1/workspaces", {"name": "Northwind Demo"}, maya.token)
    alice = maya
    general = server.channel(ws["id"], alice, "general", [])
    server.send(general["id"], alice, "first of two")
    server.send(general["id"], alice, "missed 0")
    a = people(alice)
    page = a.open_channel(general["id"])
    select = page.get_by_label("Workspace", exact=True)
    expect(select).to_have_attribute("title", "Northwind Demo")
    # The selected name's width in the select's own font fits its text box beside the arrow.
    room = measure(
        select,
        """el => {
          if (!el.selectedOptions.length) return null;
          const cs = getComputedStyle(el);
          const ctx = document.createElement('canvas').getContext('2d');
          ctx.font = `${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
          const text = ctx.measureText(el.selectedOptions[0].text).width;
          const box = el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
          return box - 20 - text;
        }""",
    )
    assert room >= 0, f"the workspace name is {-room:.0f}px too wide for its box"

    grouped = page.locator(".messages .msg.grouped", has_text="missed 0")
    grouped.hover()
    time_el = grouped.locator(".gutter time")
    expect(time_el).to_be_visible()
    # Measured in one go: the list redraws as read receipts arrive.
    time_right, text_left = measure(
        grouped,
        """el => [el.querySelector('.gutter time').getBoundingClientRect().right,
                  el.querySelector('.msg-text').getBoundingClientRect().left]""",
    )
    assert time_right + 6 <= text_left, (time_right, text_left)
    a.screenshot("hover_time_and_workspace_name")
    assert not a.errors


def test_search_header_shows_the_query_once_quoted_once(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    alice = team["alice"]
    server.send(team["general"]["id"], alice, "the release notes are in the wiki")
    a = people(alice)
    page = a.open_channel(team["general"]["id"])
    search = page.get_by_role("searchbox", name="Search messages")
    summary = page.locator(".side-panel [role=status]")
    query = f'"release notes" from:@{alice.username}'
    search_until_found(page, query)
    expect(summary).to_have_text(f"1 result for {query}")
    search.fill("wiki")
    search.press("Enter")
    expect(summary).to_have_text("1 result for “wiki”")
    a.screenshot("search_header_query")
    assert not a.errors
