"""The staff API and dashboard over a real database: auth on every route, actions, channels, tallies."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import cast

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from starlette.routing import BaseRoute

from actions.clock import ManualClock
from actions.models import Channel, FinalTally, OutboxStatus
from jobs import outbox
from jobs.due import run_pass
from scheduler.http.guards import CSRF_COOKIE
from scheduler.service import Service
from tests.factories import add_action, add_channel, add_report
from tests.support.sinks import WebhookSink, free_port, wait_for

PUBLIC = {("POST", "/api/v1/actions/{number}/reports")}
SECRETS = ("pw123456", "tok987654")


def secret_url(port: int) -> str:
    return f"json://user:pw123456@127.0.0.1:{port}/?+X-Token=tok987654"


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, also inside included routers (which FastAPI now keeps as branches)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from api_routes(included.routes)


def staff_routes(client: TestClient) -> list[tuple[str, str]]:
    app = cast(FastAPI, client.app)
    return [
        (method, route.path)
        for route in api_routes(app.routes)
        if route.path.startswith("/api/v1")
        for method in sorted(route.methods or ())
        if (method, route.path) not in PUBLIC
    ]


def concrete(path: str) -> str:
    return path.replace("{number}", "61.20").replace("{name}", "hook")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


# ---------------------------------------------------------------- auth


def test_every_staff_route_refuses_a_request_without_a_valid_token(
    client: TestClient, service: Service, staff_token: str
) -> None:
    add_action(service)
    routes = staff_routes(client)
    assert len(routes) >= 13, routes
    for method, path in routes:
        for headers in ({}, {"Authorization": "Bearer uas_not-a-token"}, {"Authorization": staff_token}):
            response = client.request(method, concrete(path), headers=headers)
            assert response.status_code == 401, (method, path, headers, response.text)
            assert response.headers["www-authenticate"] == "Bearer"
            assert "staff only" in response.json()["error"]["message"]
    assert (
        client.get("/api/v1/actions", headers={"Authorization": f"Bearer {staff_token}"}).status_code == 200
    )


def test_the_openapi_schema_declares_the_bearer_scheme_on_every_staff_route(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["staffToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A staff token from `ua-scheduler tokens create NAME`.",
    }
    for method, path in staff_routes(client):
        operation = spec["paths"][path][method.lower()]
        assert operation["security"] == [{"staffToken": []}], (method, path)
        assert "staff" in operation["tags"]
        assert "401" in operation["responses"]
    public = spec["paths"]["/api/v1/actions/{number}/reports"]["post"]
    assert "security" not in public


# ---------------------------------------------------------------- actions


def test_actions_are_created_listed_shown_extended_closed_and_cancelled(
    staff: TestClient, service: Service
) -> None:
    created = staff.post(
        "/api/v1/actions",
        json={
            "ua": "UA 61/20",
            "title": "Health at risk",
            "deadline": "2026-06-03",
            "timezone": "Asia/Bishkek",
            "reminders": ["7d", "1d"],
            "tags": ["asia"],
            "targets": [{"name": "Bolot Otunbaev", "emails": ["embassy@example.org"]}],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["ua"], body["status"], body["deadline"]) == ("61.20", "open", "2026-06-03T18:00:00Z")
    assert [r["offset"] for r in body["reminders"]] == ["7d", "1d"]
    assert body["targets"][0]["emails"] == ["embassy@example.org"]

    again = staff.post("/api/v1/actions", json={"ua": "61.20", "title": "T", "deadline": "2026-06-03"})
    assert again.status_code == 409
    assert "already exists" in again.json()["error"]["message"]

    bad = staff.post("/api/v1/actions", json={"ua": "61-20", "title": "T", "deadline": "2026-06-03"})
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "ua")
    zone = staff.post(
        "/api/v1/actions",
        json={"ua": "62.20", "title": "T", "deadline": "2026-06-03", "timezone": "Mars/Base"},
    )
    assert (zone.status_code, zone.json()["error"]["field"]) == (422, "timezone")
    far = staff.post("/api/v1/actions", json={"ua": "62.20", "title": "T", "deadline": "9999-12-31"})
    assert (far.status_code, far.json()["error"]["field"]) == (422, "deadline")

    assert staff.get("/api/v1/actions/61.20").json()["title"] == "Health at risk"
    assert staff.get("/api/v1/actions/99.99").status_code == 404
    assert staff.get("/api/v1/actions/bad").status_code == 422

    extended = staff.post("/api/v1/actions/61.20/extend", json={"deadline": "2026-06-10"})
    assert extended.status_code == 200, extended.text
    assert extended.json()["deadline"] == "2026-06-10T18:00:00Z"
    assert extended.json()["history"][-1]["event"] == "extended"
    assert extended.json()["history"][-1]["source"] == "api"
    earlier = staff.post("/api/v1/actions/61.20/extend", json={"deadline": "2026-06-01T00:00:00Z"})
    assert (earlier.status_code, earlier.json()["error"]["field"]) == (422, "deadline")

    add_action(service, ua="12.21", deadline="2026-07-01")
    assert [a["ua"] for a in staff.get("/api/v1/actions").json()] == ["61.20", "12.21"]

    add_report(service, "61.20", letter=3)
    closed = staff.post("/api/v1/actions/61.20/close")
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    with Session(service.engine) as session:
        final = session.exec(select(FinalTally)).one()
    assert final.data["total"] == 3
    assert final.data["provisional"] is False
    assert staff.post("/api/v1/actions/61.20/close").status_code == 409
    reopened = staff.post("/api/v1/actions/61.20/extend", json={"deadline": "2026-08-01"})
    assert reopened.status_code == 200, reopened.text  # staff extend actions after their close
    assert reopened.json()["status"] == "open"
    assert [e["event"] for e in reopened.json()["history"]][-2:] == ["reopened", "extended"]
    assert staff.post("/api/v1/actions/61.20/close").status_code == 200

    cancelled = staff.post("/api/v1/actions/12.21/cancel")
    assert cancelled.json()["status"] == "cancelled"
    conflict = staff.post("/api/v1/actions/12.21/close")
    assert conflict.status_code == 409
    assert "cancelled" in conflict.json()["error"]["message"]

    def listed(status: str) -> list[str]:
        return [a["ua"] for a in staff.get("/api/v1/actions", params={"status": status}).json()]

    assert listed("open") == []
    assert listed("closed") == ["61.20"]
    assert listed("cancelled") == ["12.21"]
    assert listed("all") == ["12.21", "61.20"]  # by deadline: 61.20 was extended to August
    assert staff.get("/api/v1/actions", params={"status": "gone"}).status_code == 422


# ---------------------------------------------------------------- channels


def test_channels_are_only_ever_shown_masked_and_a_test_send_reaches_the_sink(
    staff: TestClient, service: Service, webhook: WebhookSink, capsys: pytest.CaptureFixture[str]
) -> None:
    add_action(service)
    added = staff.post(
        "/api/v1/channels",
        json={"name": "hook", "url": secret_url(webhook.port), "tags": ["reminders", "coordinators"]},
    )
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "hook"
    assert added.json()["tags"] == ["coordinators", "reminders"]
    assert "****" in added.json()["url"]

    listed = staff.get("/api/v1/channels")
    assert [c["name"] for c in listed.json()] == ["hook"]
    timetable = staff.get("/api/v1/timetable")
    assert all(row["channels"] == ["hook"] for row in timetable.json())
    dashboard = staff.get("/dashboard")
    assert "hook" in dashboard.text

    sent = staff.post("/api/v1/channels/hook/test")
    assert sent.status_code == 200, sent.text
    assert sent.json() == {"ok": True, "channel": "hook"}
    assert wait_for(lambda: webhook.titles() == ["ua-scheduler test message"])
    hook = webhook.hooks[0]
    assert hook.headers["X-Token"] == "tok987654"  # the real URL was used, its secret kept inside
    assert "This channel works" in hook.body["message"]

    duplicate = staff.post("/api/v1/channels", json={"name": "hook", "url": secret_url(webhook.port)})
    assert duplicate.status_code == 409
    for response in (added, listed, timetable, dashboard, sent, duplicate):
        assert_no_secret(response.text)
    with Session(service.engine) as session:
        assert session.exec(select(Channel.url)).one() == secret_url(webhook.port)

    assert staff.delete("/api/v1/channels/hook").status_code == 204
    assert staff.get("/api/v1/channels").json() == []
    gone = staff.delete("/api/v1/channels/hook")
    assert gone.status_code == 404
    assert staff.post("/api/v1/channels/hook/test").status_code == 404
    captured = capsys.readouterr()
    assert_no_secret(captured.out + captured.err)


def test_a_channel_that_does_not_take_the_test_is_not_ok_naming_it_masked(
    staff: TestClient, service: Service, capsys: pytest.CaptureFixture[str]
) -> None:
    add_channel(service, "dead", secret_url(free_port()), "reminders")
    response = staff.post("/api/v1/channels/dead/test")
    assert response.status_code == 200
    assert (response.json()["ok"], response.json()["channel"]) == (False, "dead")
    message = response.json()["error"]
    assert "'dead'" in message
    assert "json://" in message
    assert "****" in message
    assert_no_secret(response.text)
    captured = capsys.readouterr()
    assert_no_secret(captured.out + captured.err)


def test_a_channel_that_cannot_be_used_is_refused_without_echoing_its_secrets(staff: TestClient) -> None:
    cases = [
        ({"name": "x", "url": "nosuchscheme://user:pw123456@host/tok987654"}, "url"),
        ({"name": "bad name", "url": "json://127.0.0.1/"}, "name"),
        ({"name": "x", "url": "json://127.0.0.1/", "tags": ["no spaces"]}, "tags"),
        ({"name": "x", "url": "json://127.0.0.1/", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = staff.post("/api/v1/channels", json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field, response.text
        assert_no_secret(response.text)
    assert staff.get("/api/v1/channels").json() == []


# ---------------------------------------------------------------- tally and timetable


def test_the_tally_comes_in_each_format_with_its_content_type(staff: TestClient, service: Service) -> None:
    add_action(service)
    add_report(service, "61.20", letter=2, email=1, country="NL")
    add_report(service, "61.20", call=4, country="BE")

    as_json = staff.get("/api/v1/actions/61.20/tally")
    assert as_json.headers["content-type"] == "application/json"
    data = as_json.json()
    assert (data["total"], data["provisional"], data["by_country"]) == (7, True, {"BE": 4, "NL": 3})
    assert staff.get("/api/v1/actions/61.20/tally", params={"format": "json"}).json()["total"] == 7

    md = staff.get("/api/v1/actions/61.20/tally", params={"format": "md"})
    assert md.headers["content-type"] == "text/markdown; charset=utf-8"
    assert "61.20" in md.text
    assert "7" in md.text

    html = staff.get("/api/v1/actions/61.20/tally", params={"format": "html"})
    assert html.headers["content-type"] == "text/html; charset=utf-8"
    assert "<" in html.text
    assert "61.20" in html.text

    as_csv = staff.get("/api/v1/actions/61.20/tally", params={"format": "csv"})
    assert as_csv.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="ua-61.20-tally.csv"' in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert {"ua": "61.20", "section": "summary", "key": "total", "actions": "7"} in rows

    as_pdf = staff.get("/api/v1/actions/61.20/tally", params={"format": "pdf"})
    assert as_pdf.headers["content-type"] == "application/pdf"
    assert as_pdf.content.startswith(b"%PDF")
    letters = staff.get("/api/v1/actions/61.20/tally", params={"format": "letter", "language": "en"})
    assert letters.headers["content-type"] == "text/plain; charset=utf-8"
    assert "7 actions" in letters.text
    assert staff.get("/api/v1/actions/61.20/tally", params={"format": "xml"}).status_code == 422
    assert (
        staff.get("/api/v1/actions/61.20/tally", params={"format": "letter", "language": "tlh"}).status_code
        == 422
    )
    assert staff.get("/api/v1/actions/99.99/tally").status_code == 404


def test_the_timetable_lists_reminders_and_closes_with_their_channels(
    staff: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service, deadline="2026-05-09", reminders=["3d", "1d"], tags=["asia"])
    add_channel(service, "all", "json://127.0.0.1:9/", "reminders")
    add_channel(service, "asia-team", "json://127.0.0.1:9/", "asia")
    add_channel(service, "coords", "json://127.0.0.1:9/", "coordinators")
    response = staff.get("/api/v1/timetable")
    assert response.status_code == 200
    assert response.json() == [
        {
            "at": "2026-05-07T00:00:00Z",
            "local": "2026-05-07 00:00 (UTC)",
            "moved_from": None,
            "ua": "61.20",
            "what": "reminder 3d before deadline",
            "tags": ["asia", "reminders"],
            "channels": ["all", "asia-team"],
        },
        {
            "at": "2026-05-09T00:00:00Z",
            "local": "2026-05-09 00:00 (UTC)",
            "moved_from": None,
            "ua": "61.20",
            "what": "reminder 1d before deadline",
            "tags": ["asia", "reminders"],
            "channels": ["all", "asia-team"],
        },
        {
            "at": "2026-05-10T00:00:00Z",
            "local": "2026-05-10 00:00 (UTC)",
            "moved_from": None,
            "ua": "61.20",
            "what": "close and final tally",
            "tags": ["coordinators"],
            "channels": ["coords"],
        },
    ]
    clock.advance(timedelta(days=1))
    assert staff.post("/api/v1/actions/61.20/cancel").status_code == 200
    assert staff.get("/api/v1/timetable").json() == []


# ---------------------------------------------------------------- dashboard


def login(client: TestClient, token: str) -> str:
    """Sign in through the form; return the page's CSRF token."""
    form = client.get("/login")
    assert form.status_code == 200
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None
    signed_in = client.post("/login", data={"token": token, "csrf_token": csrf[1]}, follow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text
    assert signed_in.headers["location"] == "/dashboard"
    cookie = signed_in.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert token not in cookie
    return csrf[1]


def test_the_dashboard_needs_a_signed_in_staff_member(client: TestClient, staff_token: str) -> None:
    assert client.get("/dashboard", follow_redirects=False).headers["location"] == "/login"
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None

    wrong = client.post("/login", data={"token": "uas_wrong", "csrf_token": csrf[1]})
    assert wrong.status_code == 401
    assert "not a staff token" in wrong.text
    forged = client.post(
        "/login", data={"token": staff_token, "csrf_token": "forged"}, follow_redirects=False
    )
    assert forged.status_code == 403
    assert "ua_staff" not in forged.headers.get("set-cookie", "")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303

    csrf_token = login(client, staff_token)
    assert client.get("/dashboard").status_code == 200
    # The cookie opens the API too: reads as is, changes only with the page's CSRF token.
    assert client.get("/api/v1/actions").status_code == 200
    assert client.post("/api/v1/channels", json={"name": "a", "url": "json://127.0.0.1/"}).status_code == 403
    with_csrf = client.post(
        "/api/v1/channels",
        json={"name": "a", "url": "json://127.0.0.1/"},
        headers={"X-CSRF-Token": csrf_token},
    )
    assert with_csrf.status_code == 201

    out = client.post("/logout", data={"csrf_token": csrf_token}, follow_redirects=False)
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    assert client.get("/dashboard", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/actions").status_code == 401


def test_the_dashboard_shows_open_actions_next_reminders_deliveries_and_channels(
    client: TestClient, service: Service, staff_token: str
) -> None:
    action = add_action(service, deadline="2026-05-09", reminders=["3d"])
    add_action(service, ua="12.21", deadline="2026-04-01")  # created closed: not shown as open
    add_report(service, "61.20", letter=2, email=3)
    add_channel(service, "hook", secret_url(free_port()), "reminders")
    add_channel(service, "mail", "json://127.0.0.1:9/", "coordinators")
    assert action.id is not None
    with Session(service.engine) as session:
        for channel, status in (("hook", OutboxStatus.SENT), ("mail", OutboxStatus.FAILED)):
            row = outbox.enqueue(
                session,
                key=f"ua-61.20/reminder-604800s/{channel}",
                kind="reminder",
                channel=channel,
                title="t",
                body="b",
                now=service.clock.now(),
                action_id=action.id,
            )
            row.status, row.attempts = status, 2
        session.commit()

    csrf = login(client, staff_token)
    page = client.get("/dashboard")
    assert page.status_code == 200
    text = page.text
    assert page.headers["cache-control"] == "no-store"
    assert f'<meta name="csrf-token" content="{csrf}">' in text
    assert CSRF_COOKIE in client.cookies
    assert 'class="countdown" data-deadline="2026-05-10T00:00:00Z"' in text
    open_table = text[text.index('id="open-actions"') : text.index('id="next-h"')]
    assert "61.20" in open_table
    assert "12.21" not in open_table
    assert '<span class="total">5</span>' in open_table
    upcoming = text[text.index('id="upcoming"') : text.index('id="recent-h"')]
    assert "reminder 3d before deadline" in upcoming
    assert "2026-05-07T00:00:00Z" in upcoming
    assert "hook" in upcoming
    recent = text[text.index('id="recent"') : text.index('id="channels-h"')]
    assert '<tr class="sent">' in recent
    assert '<td class="channel">hook</td>' in recent
    assert '<tr class="failed">' in recent
    assert '<td class="channel">mail</td>' in recent
    assert 'data-channel="hook"' in text
    assert 'data-channel="mail"' in text
    assert_no_secret(text)
    assert json.dumps(staff_token)[1:-1] not in text


def test_the_dashboard_says_why_a_delivery_did_not_go(
    staff: TestClient, service: Service, clock: ManualClock
) -> None:
    add_channel(service, "closed", f"json://127.0.0.1:{free_port()}/tally", "coordinators")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))
    run_pass(service.work(), clock.now())

    recent = staff.get("/dashboard").text.split('id="recent"')[1]
    assert re.search(r"<td class=\"status\">pending</td>\s*<td class=\"n\">1</td>", recent)
    assert '<td class="error">connection refused</td>' in recent
