"""The public report door as JSON: validation, idempotency, late reports, merging one supporter."""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import timedelta

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from actions import counters, store
from actions.clock import ManualClock
from actions.models import Report
from actions.tally import count
from scheduler.http import reports
from scheduler.http.metrics import Metrics
from scheduler.service import Service
from tests.factories import add_action

URL = "/api/v1/actions/61.20/reports"


def totals(service: Service) -> tuple[int, int]:
    """The running total and the late total, as the tally counts them; the kept counters agree."""
    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        tally = count(session, action, now=service.clock.now())
        assert action.id is not None
        kept = counters.running(session, action.id)
    assert (kept.total, kept.late, kept.reports, dict(kept.by_kind)) == (
        tally.total,
        tally.late,
        tally.reports,
        tally.by_kind,
    )
    return tally.total, tally.late


def stored(service: Service) -> int:
    with Session(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(Report)).one())


def test_a_report_is_stored_and_the_running_total_returned(
    client: TestClient, service: Service, metrics: Metrics
) -> None:
    add_action(service)
    response = client.post(URL, json={"counts": {"letter": 2, "email": 1}, "country": "NL"})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["ua"] == "61.20"
    assert body["late"] is False
    assert totals(service) == (3, 0)
    assert stored(service) == 1
    metrics_text = client.get("/metrics").text
    assert 'ua_scheduler_reports_received_total{source="api"} 1.0' in metrics_text
    assert 'ua_scheduler_actions_reported{counted="on_time",kind="letter",ua="61.20"} 2.0' in metrics_text
    assert 'ua_scheduler_actions_reported{counted="late",kind="letter",ua="61.20"} 0.0' in metrics_text


def test_a_retried_request_with_the_same_idempotency_key_counts_once(
    client: TestClient, service: Service
) -> None:
    add_action(service)
    headers = {"Idempotency-Key": "c0ffee-1"}
    first = client.post(URL, json={"counts": {"call": 1}}, headers=headers)
    again = client.post(URL, json={"counts": {"call": 1}}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert totals(service) == (1, 0)
    assert stored(service) == 1


def test_one_supporters_repeated_reports_are_merged_not_added(client: TestClient, service: Service) -> None:
    add_action(service)
    for counts in ({"letter": 1}, {"letter": 1}, {"letter": 1, "email": 2}):
        client.post(URL, json={"counts": counts, "supporter_email": "Ann@Example.org"})
    response = client.post(URL, json={"counts": {"letter": 1}, "supporter_email": "ann@example.ORG"})
    assert response.status_code == 201
    assert totals(service) == (3, 0)  # one letter and two emails, whatever the repeats
    assert stored(service) == 4  # every report is kept
    with Session(service.engine) as session:
        hashes = set(session.exec(select(Report.supporter_hash)).all())
    assert len(hashes) == 1
    assert "ann@example.org" not in str(hashes)


def test_a_report_after_the_deadline_is_stored_late_and_counted_apart(
    client: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service, deadline="2026-05-08")
    clock.advance(timedelta(days=30))
    response = client.post(URL, json={"counts": {"fax": 4}})
    assert response.status_code == 201
    assert response.json()["late"] is True
    assert totals(service) == (0, 4)


def test_bad_input_is_refused_naming_the_field_and_stores_nothing(
    client: TestClient, service: Service
) -> None:
    add_action(service)
    cases = [
        ({"counts": {"letter": -1}}, "counts.letter"),
        ({"counts": {"letter": 10**9}}, "counts.letter"),
        ({"counts": {"pigeon": 1}}, "counts.pigeon"),
        ({"counts": {}}, "counts"),
        ({"counts": {"letter": 1}, "country": "XX"}, "country"),
        ({"counts": {"letter": 1}, "supporter_email": "not-an-address"}, "supporter_email"),
        ({"counts": {"letter": 1}, "extra": True}, "extra"),
    ]
    for body, field in cases:
        response = client.post(URL, json=body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["field"] == field, body
    assert client.post("/api/v1/actions/99.99/reports", json={"counts": {"letter": 1}}).status_code == 404
    assert client.post(URL, content=b"letter=1", headers={"Content-Type": "text/plain"}).status_code == 415
    huge = b'{"counts": {"letter": 1}, "country": "' + b"N" * 100_000 + b'"}'
    assert client.post(URL, content=huge, headers={"Content-Type": "application/json"}).status_code == 413
    assert stored(service) == 0


def test_clients_are_rate_limited(make_service: object, service: Service) -> None:
    from scheduler.http.app import create_app

    service.settings = service.settings.model_copy(update={"report_rate_limit": "3/minute"})
    add_action(service)
    with TestClient(create_app(service)) as limited:
        codes = [limited.post(URL, json={"counts": {"letter": 1}}).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert stored(service) == 3


def test_health_names_the_database_the_scheduler_and_the_next_due_time(
    client: TestClient, service: Service
) -> None:
    add_action(service, deadline="2026-05-08", reminders=["1d"])
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["scheduler"] == "running"
    assert body["next_due"] == "2026-05-08T00:00:00Z"


def test_health_answers_from_the_daemons_fresh_check_and_says_when_the_database_is_gone(
    service: Service, clock: ManualClock
) -> None:
    from scheduler.http.app import create_app
    from scheduler.http.health import HealthCheck

    @dataclass
    class Daemon:
        last_check: HealthCheck
        running: bool = True
        next_wake: None = None
        leading: bool = True

    down = Daemon(HealthCheck(clock.now(), "unreachable: OperationalError", None))
    with TestClient(create_app(service, scheduler=down)) as probe:
        response = probe.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable: OperationalError"

    stale = Daemon(HealthCheck(clock.now() - timedelta(minutes=5), "unreachable: OperationalError", None))
    with TestClient(create_app(service, scheduler=stale)) as probe:
        response = probe.get("/healthz")  # too old to trust: the database is asked again, and answers
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_the_report_door_solves_its_dependencies_on_the_event_loop() -> None:
    """FastAPI runs a plain ``def`` dependency in a worker thread: on the busiest route that hop per
    dependency cost more than the insert. Only the endpoint itself (the write) may leave the loop."""
    (route,) = [
        r for r in reports.router.routes if isinstance(r, APIRoute) and r.endpoint is reports.post_report
    ]
    pending = list(route.dependant.dependencies)
    seen = []
    while pending:
        dependant = pending.pop()
        pending.extend(dependant.dependencies)
        assert dependant.call is not None
        seen.append(dependant.call.__name__)
        assert inspect.iscoroutinefunction(dependant.call), f"{dependant.call.__name__} runs in a thread"
    assert {"require_json", "service"} <= set(seen)
