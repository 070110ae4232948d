"""`reports held`, `reports approve` and `reports reject` from the command line."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from actions.clock import ManualClock
from actions.specs import ReportCounts
from scheduler.app import reports as reports_app
from scheduler.service import Service
from tests.support.cli import Run


def test_staff_list_approve_and_reject_held_reports(run: Run, database_url: str) -> None:
    deadline = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    assert run("actions", "add", "--ua", "61.20", "--title", "T", "--deadline", deadline).code == 0
    assert run("reports", "add", "61.20", "--letters", "900").code == 0  # staff: never held
    assert run("reports", "held").out.strip() == "no reports held for review"

    from config.settings import Settings
    from scheduler.service import open_service

    service: Service = open_service(Settings(database_url=database_url), clock=ManualClock(datetime.now(UTC)))
    try:
        first, second = (
            reports_app.record(
                service.door,
                "61.20",
                ReportCounts(fax=n),
                clock=service.clock,
                source="api",
                review_above=service.settings.report_review_above,
            )
            for n in (60, 70)
        )
    finally:
        service.engine.dispose()
    assert first.held
    assert second.held

    listed = run("reports", "held", "--json").json()
    assert [(r["id"], r["total"]) for r in listed] == [(first.id, 60), (second.id, 70)]
    assert "fax 60" in run("reports", "held").out

    assert run("reports", "approve", str(first.id)).code == 0
    refused = run("reports", "reject", str(second.id), "--why", "  ")
    assert refused.code == 1
    assert "why" in refused.err
    assert run("reports", "reject", str(second.id), "--why", "implausible").code == 0
    assert run("reports", "held", "--json").json() == []
    assert run("reports", "approve", str(second.id)).code == 1
    shown = run("tally", "61.20", "--format", "json").json()
    assert (shown["total"], shown["held"]) == (960, 0)
    assert run("tally", "61.20", "--verify").code == 0
