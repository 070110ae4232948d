"""A supporter arrives at the front door in a real browser, finds an action and follows it; the feed."""

from __future__ import annotations

from datetime import timedelta
from xml.etree import ElementTree

import pytest
from playwright.sync_api import Page, expect

from tests.acceptance.browser.conftest import LiveServer
from tests.factories import add_action, add_report

pytestmark = pytest.mark.browser
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_front_page_leads_a_supporter_to_the_soonest_action(page: Page, live_server: LiveServer) -> None:
    service = live_server.service
    now = service.clock.now()
    add_action(service, ua="20.26", title="Later one", deadline=(now + timedelta(days=6)).isoformat())
    add_action(service, ua="21.26", title="Sooner one", deadline=(now + timedelta(days=2)).isoformat())
    add_report(service, "21.26", email=7)

    page.goto(f"{live_server.url}/")
    expect(page.locator("h1")).to_have_text("Urgent Actions")
    rows = page.locator("tr.open-action")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("UA 21.26")
    expect(rows.nth(0).locator(".total")).to_have_text("7")
    expect(rows.nth(1)).to_contain_text("UA 20.26")
    rows.nth(0).get_by_role("link", name="Take action").click()
    expect(page.locator("h1")).to_have_text("Sooner one")
    page.get_by_role("link", name="Urgent Action").first.click()  # the header leads back home
    expect(page.locator("tr.open-action")).to_have_count(2)


def test_the_feed_link_serves_an_atom_feed_the_browser_can_fetch(page: Page, live_server: LiveServer) -> None:
    service = live_server.service
    add_action(
        service,
        ua="22.26",
        title="In the feed",
        deadline=(service.clock.now() + timedelta(days=3)).isoformat(),
    )
    page.goto(f"{live_server.url}/")
    href = page.locator("#feed-link").get_attribute("href")
    assert href == "/feed.atom"
    answer = page.request.get(f"{live_server.url}{href}")
    assert answer.ok
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(answer.body())
    assert [e.findtext(f"{ATOM}title") for e in feed.findall(f"{ATOM}entry")] == ["UA 22.26: In the feed"]
