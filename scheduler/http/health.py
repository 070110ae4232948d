"""``/healthz`` for load balancers and ``/metrics`` for Prometheus."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy import func, text
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from actions.models import Action, ActionStatus
from actions.views import iso
from jobs.due import next_due
from scheduler.http.deps import MetricsDep, ServiceDep

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="Database reachable, scheduler running, next due time")
def healthz(request: Request, service: ServiceDep) -> JSONResponse:
    body: dict[str, Any] = {"database": "ok", "scheduler": "not running", "next_due": None}
    healthy = True
    try:
        with Session(service.engine) as session:
            session.execute(text("SELECT 1"))
        upcoming = next_due(service.engine, service.clock.now(), lease=service.settings.delivery_lease)
        body["next_due"] = iso(upcoming)
    except SQLAlchemyError as exc:
        body["database"] = f"unreachable: {type(exc).__name__}"
        healthy = False
    scheduler = request.app.state.scheduler
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
            select(func.count()).select_from(Action).where(Action.status == ActionStatus.OPEN)
        ).one()
    registry.open_actions.set(open_now)
    return Response(registry.render(), media_type="text/plain; version=0.0.4; charset=utf-8")
