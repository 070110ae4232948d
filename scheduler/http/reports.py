"""The report door: "let us know the actions you took", as JSON (the form in ``pages`` shares it)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from actions import reporting
from actions.specs import UA_KEY_PATTERN, ReportCounts
from scheduler.app import reports as app
from scheduler.http.deps import LimiterDep, MetricsDep, ServiceDep
from scheduler.http.errors import documented
from scheduler.http.guards import require_json
from scheduler.http.metrics import Metrics
from scheduler.service import Service

router = APIRouter(prefix="/api/v1", tags=["reports"])

UA_PATH = Path(description="UA number such as 61.20", pattern=UA_KEY_PATTERN, max_length=8)
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
    held: bool = Field(
        description="Held for review (it claims more of a kind than the site takes unreviewed): "
        "counted only once staff approve it"
    )
    received_at: str


def record_report(
    service: Service,
    metrics: Metrics,
    ua: str,
    body: ReportIn,
    *,
    source: str,
    idempotency_key: str | None = None,
) -> reporting.Stored:
    """The JSON route's and the form's door: record, and count it in the metrics."""
    stored = app.record(
        service.door,
        ua,
        body.counts,
        clock=service.clock,
        source=source,
        country=body.country,
        supporter_email=body.supporter_email,
        secret=service.secret() if body.supporter_email else None,
        target=body.target,
        idempotency_key=idempotency_key,
        review_above=service.settings.report_review_above,
        then=service.refresh_prepared_with_report,  # the running total in reminders about to go
    )
    if stored.new:
        metrics.reports.labels(source=source).inc()
    return stored


@router.post(
    "/actions/{number}/reports",
    status_code=201,
    response_model=ReportOut,
    summary="Report actions taken (public)",
    responses={
        200: {"description": "A retried request (same Idempotency-Key): counted once"},
        **documented(400, 404, 409, 415, 422, 429, s409="The action changed while storing: send it again"),
    },
    dependencies=[Depends(require_json)],
)
def post_report(
    request: Request,
    number: Annotated[str, UA_PATH],
    body: ReportIn,
    service: ServiceDep,
    metrics: MetricsDep,
    limiter: LimiterDep,
    idempotency_key: Annotated[str | None, Header(max_length=IDEMPOTENCY_KEY_MAX)] = None,
) -> JSONResponse:
    limiter.check(request, "report")
    stored = record_report(service, metrics, number, body, source="api", idempotency_key=idempotency_key)
    return JSONResponse(_out(stored), status_code=201 if stored.new else 200)


def _out(stored: reporting.Stored) -> dict[str, Any]:
    return {
        "id": stored.id,
        "ua": stored.ua,
        "late": stored.late,
        "held": stored.held,
        "received_at": stored.received_at.isoformat().replace("+00:00", "Z"),
    }
