"""The report door: "let us know the actions you took", as JSON (the form in ``pages`` shares it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from actions import store
from actions.models import Report
from actions.specs import ReportCounts, normalise_ua
from actions.supporters import supporter_hash
from scheduler.http.deps import LimiterDep, MetricsDep, ServiceDep, SessionDep
from scheduler.http.guards import require_json
from scheduler.http.metrics import Metrics
from scheduler.service import Service

router = APIRouter(prefix="/api/v1", tags=["reports"])

UA_PATH = Path(description="UA number such as 61.20", pattern=r"^\d{1,4}[./]\d{2}$", max_length=8)
IDEMPOTENCY_KEY_MAX = 128


class ReportIn(BaseModel):
    """A supporter's report. ``supporter_email`` is stored only as a salted hash."""

    model_config = ConfigDict(extra="forbid")

    counts: ReportCounts
    country: str | None = Field(default=None, min_length=2, max_length=2, examples=["NL"])
    supporter_email: str | None = Field(default=None, max_length=254)
    target: str | None = Field(
        default=None, max_length=300, description="The target written to, by name, when one was"
    )


class ReportOut(BaseModel):
    """The report as stored. The running total is on the action's page and in its tally."""

    id: int
    ua: str
    late: bool
    received_at: str


def record_report(
    service: Service,
    session: Session,
    metrics: Metrics,
    ua: str,
    body: ReportIn,
    *,
    source: str,
    idempotency_key: str | None = None,
) -> tuple[Report, bool]:
    """Store the report (or find the one a retried request stored); return it and whether it is new."""
    action = store.get_action(session, ua)
    digest = supporter_hash(body.supporter_email, service.secret()) if body.supporter_email else None
    report = store.add_report(
        session,
        action,
        body.counts,
        country=body.country,
        now=service.clock.now(),
        source=source,
        supporter_hash=digest,
        idempotency_key=idempotency_key,
        target=body.target,
    )
    new = report.id is None
    try:
        session.commit()
    except IntegrityError:  # the same key raced in from another request: that one counts
        session.rollback()
        report = store.add_report(
            session,
            action,
            body.counts,
            country=body.country,
            now=service.clock.now(),
            source=source,
            idempotency_key=idempotency_key,
        )
        new = False
    if new:
        metrics.reports.labels(source=source).inc()
    return report, new


@router.post(
    "/actions/{number}/reports",
    status_code=201,
    response_model=ReportOut,
    summary="Report actions taken (public)",
    responses={200: {"description": "A retried request (same Idempotency-Key): counted once"}},
    dependencies=[Depends(require_json)],
)
def post_report(
    request: Request,
    number: Annotated[str, UA_PATH],
    body: ReportIn,
    service: ServiceDep,
    session: SessionDep,
    metrics: MetricsDep,
    limiter: LimiterDep,
    idempotency_key: Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX)] = None,
) -> JSONResponse:
    limiter.check(request, "report")
    report, new = record_report(
        service, session, metrics, number, body, source="api", idempotency_key=idempotency_key
    )
    return JSONResponse(_out(report, normalise_ua(number)), status_code=201 if new else 200)


def _out(report: Report, ua: str) -> dict[str, Any]:
    assert report.id is not None
    return ReportOut(
        id=report.id,
        ua=ua,
        late=report.late,
        received_at=report.received_at.isoformat().replace("+00:00", "Z"),
    ).model_dump()
