"""Pages send a strict Content-Security-Policy and the other security headers; the pages still work."""

from __future__ import annotations

import base64
import hashlib
import re
from datetime import timedelta

import httpx
import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.acceptance.browser.conftest import LiveServer
from tests.acceptance.browser.test_staff import staff_token
from tests.factories import add_action

pytestmark = pytest.mark.browser

FIXED = {"x-frame-options": "DENY", "referrer-policy": "same-origin", "x-content-type-options": "nosniff"}


def _directives(policy: str) -> dict[str, list[str]]:
    parsed = {}
    for part in policy.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def test_every_answer_carries_the_security_headers(live_server: LiveServer) -> None:
    service = live_server.service
    add_action(service, deadline=(service.clock.now() + timedelta(days=3)).isoformat())
    for path in (
        "/",
        "/ua/61.20",
        "/ua/61.20/report",
        "/login",
        "/calendar.ics",
        "/healthz",
        "/api/v1/actions",
    ):
        answer = httpx.get(f"{live_server.url}{path}")
        for name, value in FIXED.items():
            assert answer.headers.get(name) == value, f"{path}: {name}"
        policy = _directives(answer.headers["content-security-policy"])
        assert policy["default-src"] == ["'none'"], path
        assert policy["frame-ancestors"] == ["'none'"], path
        assert all(source.startswith("'sha256-") for source in policy["script-src"]), path
        assert "'unsafe-inline'" not in policy["style-src"], path


def test_the_countdown_and_the_dashboard_run_under_the_policy(page: Page, live_server: LiveServer) -> None:
    service = live_server.service
    add_action(service, deadline=(service.clock.now() + timedelta(days=3, hours=5)).isoformat())
    refused: list[str] = []
    page.on("console", lambda message: _note_refusal(message, refused))

    page.goto(f"{live_server.url}/ua/61.20")
    countdown = page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^3 days, [45] hours, \d+ minutes?, \d+ seconds? left$"))
    # The page's styles apply: the bar's background is the campaign yellow.
    assert (
        page.locator("header.bar").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 222, 0)"
    )

    # A script that is not the page's own is refused.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.injected = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("() => window.injected === undefined")

    page.goto(f"{live_server.url}/login")
    page.get_by_label("Staff token").fill(staff_token(service))
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.locator("#open-actions .countdown").first).to_have_text(re.compile(r"left$"))
    assert len(refused) == 1, refused  # only the injected script


def _note_refusal(message: ConsoleMessage, refused: list[str]) -> None:
    if "Content Security Policy" in message.text:
        refused.append(message.text)


def test_the_tally_page_styles_are_allowed_by_the_policy(live_server: LiveServer) -> None:
    service = live_server.service
    add_action(service, deadline=(service.clock.now() + timedelta(days=3)).isoformat())
    staff = {"Authorization": f"Bearer {staff_token(service)}"}
    answer = httpx.get(f"{live_server.url}/api/v1/actions/61.20/tally?format=html", headers=staff)
    allowed = _directives(answer.headers["content-security-policy"])["style-src"]
    blocks = re.findall(r"<style>(.*?)</style>", answer.text, re.DOTALL)
    assert len(blocks) == 2  # the report's and its chart's
    for block in blocks:
        digest = base64.b64encode(hashlib.sha256(block.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed
