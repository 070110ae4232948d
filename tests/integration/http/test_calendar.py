"""The deadlines feed: one event per open action, read back with icalendar."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from icalendar import Calendar, Component
from sqlmodel import Session

from actions import store
from scheduler.service import Service
from tests.factories import add_action


def events(client: TestClient) -> dict[str, Component]:
    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/calendar; charset=utf-8"
    feed = Calendar.from_ical(response.content)
    assert feed["version"] == "2.0"
    return {str(event["uid"]): event for event in feed.walk("VEVENT")}


def test_each_open_action_is_one_event_at_its_deadline_in_utc(client: TestClient, service: Service) -> None:
    add_action(service, timezone="Asia/Bishkek", deadline="2026-05-09")
    add_action(
        service, ua="12.21", title="Journalist détenue <à libérer>", deadline="2026-06-01T10:30:00+02:00"
    )
    found = events(client)
    assert sorted(found) == ["ua-12.21@ua-scheduler", "ua-61.20@ua-scheduler"]

    first = found["ua-61.20@ua-scheduler"]
    start = first.decoded("dtstart")
    assert start == datetime(2026, 5, 9, 18, 0, tzinfo=UTC)
    assert start.utcoffset().total_seconds() == 0
    assert "DTSTART:20260509T180000Z" in first.to_ical().decode()
    assert str(first["summary"]) == "UA 61.20 deadline: Health of prisoner of conscience at risk"
    assert str(first["url"]) == "http://127.0.0.1:8080/ua/61.20"
    assert "http://127.0.0.1:8080/ua/61.20/report" in str(first["description"])
    assert "end of day (Asia/Bishkek)" in str(first["description"])

    second = found["ua-12.21@ua-scheduler"]
    assert second.decoded("dtstart") == datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
    assert str(second["summary"]) == "UA 12.21 deadline: Journalist détenue <à libérer>"


def test_closed_and_cancelled_actions_are_left_out(client: TestClient, service: Service) -> None:
    add_action(service)
    add_action(service, ua="62.20")
    add_action(service, ua="63.20")
    with Session(service.engine) as session:
        now = service.clock.now()
        store.close_action(session, store.get_action(session, "62.20"), now=now, reason="test")
        store.cancel_action(session, store.get_action(session, "63.20"), now=now, reason="test")
        session.commit()
    assert list(events(client)) == ["ua-61.20@ua-scheduler"]


def test_an_empty_feed_is_still_a_calendar(client: TestClient) -> None:
    assert events(client) == {}
