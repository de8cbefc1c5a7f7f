"""A device session that ends while the workspace is open."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Server, wait_socket

pytestmark = pytest.mark.browser


def test_logout_elsewhere_shows_the_login_form_at_once_without_reconnecting(
    server: Server, team: dict[str, Any], people: Any
) -> None:
    bob = people(team["bob"])
    opened: list[str] = []
    bob.page.on("websocket", lambda ws: opened.append(ws.url))
    page = bob.open()
    wait_socket(page)
    # The token of this very tab, revoked from somewhere else: the open socket is
    # closed with 4401, and the page needs no network failure to find out.
    server.call("POST", "/api/v1/auth/logout", token=team["bob"].token)
    expect(page.get_by_role("heading", name="Log in to TeamChat")).to_be_visible(timeout=10_000)
    bob.screenshot("logout_elsewhere_login")
    page.wait_for_timeout(1500)
    assert len(opened) == 1, opened  # a closed session is not retried
    assert page.evaluate("localStorage.getItem('teamchat.token')") is None
    assert not bob.errors
