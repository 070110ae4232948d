"""The front door: open actions soonest first with their totals, recently closed ones, the Atom feed."""

from __future__ import annotations

import re
from datetime import timedelta
from xml.etree import ElementTree

from fastapi.testclient import TestClient

from actions.clock import ManualClock
from jobs.due import run_pass
from scheduler.service import Service
from tests.factories import add_action, add_report

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_front_page_lists_open_actions_soonest_first_then_recently_closed_ones(
    client: TestClient, service: Service, clock: ManualClock
) -> None:
    now = clock.now()
    add_action(service, ua="10.26", title="Closing soon", deadline=(now + timedelta(days=1)).isoformat())
    add_action(
        service,
        ua="11.26",
        title="Later",
        country="Belarus",
        deadline=(now + timedelta(days=9)).isoformat(),
    )
    add_action(service, ua="12.26", title="Ended", deadline=(now + timedelta(hours=2)).isoformat())
    add_report(service, "11.26", email=4)
    add_report(service, "12.26", letter=2, fax=1)
    clock.advance(timedelta(hours=3))
    run_pass(service.work(), clock.now())  # closes 12.26 and archives its final tally
    add_report(service, "12.26", email=50)  # late: the final total stays as archived

    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    opened = re.findall(r'class="open-action" data-ua="([^"]+)"', html)
    assert opened == ["10.26", "11.26"]
    assert re.findall(r'class="closed-action" data-ua="([^"]+)"', html) == ["12.26"]
    later = html[html.index('data-ua="11.26"') : html.index('data-ua="11.26"') + 600]
    assert "Belarus" in later
    assert "8 days and 21 hours left" in later
    assert '<td class="n total">4</td>' in later
    assert 'href="/ua/11.26">Take action</a>' in later
    closed = html[html.index('class="closed-action"') :]
    assert '<td class="n total">3</td>' in closed


def test_the_front_page_says_so_when_nothing_is_open(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="none-open"' in page.text


def test_the_feed_lists_new_actions_newest_first_with_links(
    client: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service, ua="10.26", title="First", deadline=(clock.now() + timedelta(days=5)).isoformat())
    clock.advance(timedelta(hours=1))
    add_action(service, ua="11.26", title="Second", deadline=(clock.now() + timedelta(days=5)).isoformat())

    answer = client.get("/feed.atom")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(answer.content)
    entries = feed.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["UA 11.26: Second", "UA 10.26: First"]
    link = entries[0].find(f"{ATOM}link")
    assert link is not None
    assert link.get("href") == f"{service.settings.public_url}/ua/11.26"
    assert feed.findtext(f"{ATOM}updated", "").startswith("2026-05-01T13:00:00")
