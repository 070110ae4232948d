"""Reports held for review: an oversized public report is held, not counted, until staff decide."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from actions import counters, store
from actions.tally import current_tally
from scheduler.service import Service
from tests.factories import add_action, add_report

URL = "/api/v1/actions/61.20/reports"


def tally(staff: TestClient) -> dict[str, object]:
    found: dict[str, object] = staff.get("/api/v1/actions/61.20/tally").json()
    return found


def agree(service: Service) -> None:
    """The running totals equal a recount of the reports."""
    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        assert action.id is not None
        assert counters.verify(session, action.id) == []


def test_an_oversized_report_is_held_then_approved_and_counted(
    client: TestClient, staff: TestClient, service: Service
) -> None:
    add_action(service)
    small = client.post(URL, json={"counts": {"letter": 50}})
    assert (small.status_code, small.json()["held"]) == (201, False)  # at the limit: counted
    big = client.post(URL, json={"counts": {"fax": 51, "letter": 1}, "country": "NL"})
    assert big.status_code == 201, big.text
    assert big.json()["held"] is True

    shown = tally(staff)
    assert (shown["total"], shown["held"], shown["held_reports"]) == (50, 52, 1)
    held = staff.get("/api/v1/reports/held").json()
    assert [(h["id"], h["ua"], h["total"], h["country"]) for h in held] == [
        (big.json()["id"], "61.20", 52, "NL")
    ]
    page = staff.get("/dashboard").text
    assert 'id="held-reports"' in page
    assert f'data-report="{big.json()["id"]}"' in page
    agree(service)

    approved = staff.post(f"/api/v1/reports/{big.json()['id']}/approve")
    assert approved.status_code == 200, approved.text
    assert approved.json()["review"] == "approved"
    shown = tally(staff)
    assert (shown["total"], shown["held"]) == (102, 0)
    assert staff.get("/api/v1/reports/held").json() == []
    again = staff.post(f"/api/v1/reports/{big.json()['id']}/approve")
    assert again.status_code == 409
    assert staff.post("/api/v1/reports/999999/approve").status_code == 404
    agree(service)


def test_a_rejected_report_never_counts_and_staff_reports_are_not_held(
    client: TestClient, staff: TestClient, service: Service
) -> None:
    add_action(service)
    add_report(service, "61.20", letter=500)  # staff-entered (CLI, CSV): not reviewed
    big = client.post(URL, json={"counts": {"call": 1000}, "supporter_email": "a@example.org"})
    assert big.json()["held"] is True
    report_id = big.json()["id"]

    empty = staff.post(f"/api/v1/reports/{report_id}/reject", json={"why": ""})
    assert (empty.status_code, empty.json()["error"]["field"]) == (422, "why")
    rejected = staff.post(f"/api/v1/reports/{report_id}/reject", json={"why": "implausible"})
    assert rejected.status_code == 200, rejected.text
    assert (rejected.json()["review"], rejected.json()["why"]) == ("rejected", "implausible")
    shown = tally(staff)
    assert (shown["total"], shown["held"], shown["held_reports"]) == (500, 0, 0)
    assert staff.post(f"/api/v1/reports/{report_id}/approve").status_code == 409
    agree(service)


def test_an_approval_after_the_close_goes_to_the_addendum(
    client: TestClient, staff: TestClient, service: Service
) -> None:
    add_action(service)
    big = client.post(URL, json={"counts": {"email": 80}})
    assert big.json()["held"] is True
    assert staff.post("/api/v1/actions/61.20/close").status_code == 200
    frozen = tally(staff)
    assert (frozen["total"], frozen["held"]) == (0, 80)

    assert staff.post(f"/api/v1/reports/{big.json()['id']}/approve").status_code == 200
    after = tally(staff)
    assert (after["total"], after["content_hash"], after["counted_at"]) == (
        0,
        frozen["content_hash"],
        frozen["counted_at"],
    )
    assert (after["late"], after["late_reports"], after["held"]) == (80, 1, 0)
    with Session(service.engine) as session:
        shown = current_tally(session, store.get_action(session, "61.20"), now=service.clock.now())
    assert shown.addendum == "received after the close: 80 actions in 1 report"
    agree(service)
