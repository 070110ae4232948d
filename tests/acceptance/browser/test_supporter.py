"""A supporter, in a real browser: reads the action, watches the countdown, reports what they did."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from actions.models import Report
from tests.acceptance.browser.conftest import LiveServer
from tests.factories import add_action, add_report

pytestmark = pytest.mark.browser


def test_a_supporter_reads_the_action_and_reports_what_they_did(
    page: Page, live_server: LiveServer, tmp_path: Path
) -> None:
    service = live_server.service
    deadline = service.clock.now() + timedelta(days=3, hours=5)
    add_action(service, deadline=deadline.isoformat(), sample_letter="Dear Ambassador,\n\nRelease him.")
    add_report(service, "61.20", letter=2)

    page.goto(f"{live_server.url}/ua/61.20")
    expect(page.locator("h1")).to_have_text("Health of prisoner of conscience at risk")
    expect(page.get_by_role("heading", name="Bolot Otunbaev")).to_be_visible()
    expect(page.get_by_role("link", name="embassy@example.org")).to_have_attribute(
        "href", "mailto:embassy@example.org"
    )
    # the reader's zone (New York, set on the context) is shown by the page's script
    expect(page.locator("#deadline-reader")).to_contain_text("America/New_York")
    countdown = page.locator("#countdown")
    expect(countdown).to_have_text(re.compile(r"^3 days, [45] hours, \d+ minutes?, \d+ seconds? left$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=30_000)  # it ticks
    page.screenshot(path=tmp_path / "action.png", full_page=True)

    page.get_by_role("link", name="Let us know the actions you took").click()
    expect(page.get_by_role("heading", name="Let us know the actions you took")).to_be_visible()
    page.get_by_label("Emails").fill("3")
    page.get_by_label("Social media posts").fill("1")
    page.get_by_label("Your country").select_option("NL")
    page.screenshot(path=tmp_path / "report.png", full_page=True)
    page.get_by_role("button", name="Send my report").click()

    expect(page.locator("h1")).to_have_text("Thank you!")
    expect(page.locator("#recorded")).to_contain_text("Emails")
    expect(page.locator("#recorded")).to_contain_text("Netherlands")
    expect(page.locator("#total")).to_contain_text("6 actions reported so far")
    assert re.search(r"/ua/61\.20/reported\?id=", page.url)
    page.screenshot(path=tmp_path / "reported.png", full_page=True)

    with Session(service.engine) as session:
        stored = session.exec(select(Report).where(Report.source == "web")).all()
    assert [(r.email, r.post, r.country, r.late) for r in stored] == [(3, 1, "NL", False)]


def test_a_mistake_is_pointed_out_and_what_was_typed_kept(page: Page, live_server: LiveServer) -> None:
    service = live_server.service
    add_action(service, deadline=(service.clock.now() + timedelta(days=3)).isoformat())
    page.goto(f"{live_server.url}/ua/61.20/report")
    page.get_by_label("Faxes").fill("2")
    page.get_by_label("Your email (optional)").fill("not-an-address")
    page.get_by_role("button", name="Send my report").click()
    expect(page.locator("#error")).to_contain_text("Your email")
    expect(page.get_by_label("Faxes")).to_have_value("2")
    with Session(service.engine) as session:
        assert session.exec(select(Report)).all() == []
