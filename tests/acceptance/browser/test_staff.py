"""Staff, in a real browser: sign in with a token, read the dashboard, test-send to a real webhook."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session

from scheduler.app import tokens
from scheduler.service import Service
from tests.acceptance.browser.conftest import LiveServer
from tests.factories import add_action, add_channel, add_report
from tests.support.sinks import WebhookSink, wait_for

pytestmark = pytest.mark.browser


def staff_token(service: Service) -> str:
    with Session(service.engine) as session:
        token = tokens.create(session, "coordinator", now=service.clock.now())
        session.commit()
    return token


def test_staff_sign_in_see_the_dashboard_and_test_a_channel(
    page: Page, live_server: LiveServer, webhook: WebhookSink, tmp_path: Path
) -> None:
    service = live_server.service
    token = staff_token(service)
    deadline = service.clock.now() + timedelta(days=2, hours=3)
    add_action(service, deadline=deadline.isoformat(), reminders=["1d", "3h"])
    add_report(service, "61.20", letter=2, email=3, country="NL")
    add_channel(service, "hook", webhook.url("staff?+X-Token=tok987654"), "reminders")

    page.goto(f"{live_server.url}/dashboard")
    expect(page).to_have_url(f"{live_server.url}/login")
    page.get_by_label("Staff token").fill("uas_not-a-token")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not a staff token")

    page.get_by_label("Staff token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server.url}/dashboard")
    expect(page.get_by_text("Signed in as")).to_contain_text("coordinator")

    row = page.locator("#open-actions tbody tr", has_text="61.20")
    expect(row).to_contain_text("Health of prisoner of conscience at risk")
    expect(row.locator(".total")).to_have_text("5")
    countdown = row.locator(".countdown")
    expect(countdown).to_have_text(re.compile(r"^2 d 0[23]:\d\d:\d\d left$"))
    first = countdown.inner_text()
    expect(countdown).not_to_have_text(first, timeout=30_000)  # it ticks

    next_up = page.locator("#upcoming tbody tr").first
    expect(next_up).to_contain_text("61.20")
    expect(next_up).to_contain_text("reminder 1d before deadline")
    expect(next_up).to_contain_text("hook")

    channel = page.locator("#channels tbody tr", has_text="hook")
    expect(channel).not_to_contain_text("tok987654")
    channel.get_by_role("button", name="Send a test").click()
    expect(channel.locator(".test-result")).to_have_text("sent")
    assert wait_for(lambda: webhook.titles() == ["ua-scheduler test message"])
    assert webhook.hooks[0].path.startswith("/staff")
    assert webhook.hooks[0].headers["X-Token"] == "tok987654"
    assert "tok987654" not in page.content()
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server.url}/login")
    page.goto(f"{live_server.url}/dashboard")
    expect(page).to_have_url(f"{live_server.url}/login")
