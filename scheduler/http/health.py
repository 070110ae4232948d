"""``/healthz`` for load balancers and ``/metrics`` for Prometheus."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from actions import counters
from actions.models import Action, ActionStatus
from actions.views import iso
from jobs.due import next_due
from scheduler.http.deps import MetricsDep, ServiceDep

router = APIRouter(tags=["health"])
FRESH_FOR_POLLS = 3
"""A daemon's check this many poll intervals old is stale: ask the database again."""


@dataclass(frozen=True)
class HealthCheck:
    at: datetime
    database: str
    next_due: datetime | None

    @property
    def database_ok(self) -> bool:
        return self.database == "ok"


def check_health(engine: Engine, now: datetime, lease: timedelta) -> HealthCheck:
    """Reach the database and read the next due time (blocking: run it off the event loop)."""
    try:
        with Session(engine) as session:
            session.execute(text("SELECT 1"))
        return HealthCheck(now, "ok", next_due(engine, now, lease=lease))
    except SQLAlchemyError as exc:
        return HealthCheck(now, f"unreachable: {type(exc).__name__}", None)


@router.get("/healthz", summary="Database reachable, scheduler running, next due time")
async def healthz(request: Request, service: ServiceDep) -> JSONResponse:
    """Answered from the daemon's latest check when it is fresh, so a probe never queues for the
    database; otherwise (no daemon, or a stale check) the database is asked now."""
    scheduler = request.app.state.scheduler
    now = service.clock.now()
    check: HealthCheck | None = getattr(scheduler, "last_check", None)
    if check is None or now - check.at > FRESH_FOR_POLLS * service.settings.poll_interval:
        check = await asyncio.to_thread(check_health, service.engine, now, service.settings.delivery_lease)
    body: dict[str, Any] = {
        "database": check.database,
        "scheduler": "not running",
        "next_due": iso(check.next_due),
        "checked_at": iso(check.at),
    }
    healthy = check.database_ok
    if scheduler is not None and scheduler.running:
        body["scheduler"] = "running"
        body["leader"] = scheduler.leading
        body["next_wake"] = iso(scheduler.next_wake)
    else:
        healthy = False
    body["status"] = "ok" if healthy else "unhealthy"
    return JSONResponse(body, status_code=200 if healthy else 503)


@router.get("/metrics", summary="Prometheus metrics", response_class=Response)
def metrics(service: ServiceDep, registry: MetricsDep) -> Response:
    with Session(service.engine) as session:
        open_now = session.exec(
            select(col(Action.id), col(Action.ua)).where(Action.status == ActionStatus.OPEN)
        ).all()
        totals = counters.running_many(session, [action_id for action_id, _ua in open_now if action_id])
    registry.open_actions.set(len(open_now))
    registry.reported.clear()  # closed actions leave the gauge
    for action_id, ua in open_now:
        assert action_id is not None
        running = totals[action_id]
        for counted, counts in (
            ("on_time", running.on_time),
            ("late", running.late_counts),
            ("held", running.held_counts),
        ):
            for kind, n in counts.by_kind.items():
                registry.reported.labels(ua=ua, kind=kind, counted=counted).set(n)
    return Response(registry.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
