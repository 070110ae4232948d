"""The HTTP application: public action pages and report door, staff API and dashboard, health."""

from __future__ import annotations

import hashlib
from datetime import datetime
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Protocol

from fastapi import FastAPI
from fastapi.templating import Jinja2Templates

from jobs import chart
from scheduler.http import api, dashboard, errors, front, health, pages, reports
from scheduler.http.guards import BodyLimit, Csrf, RateLimiter
from scheduler.http.headers import SecurityHeaders, page_policy
from scheduler.http.metrics import Metrics
from scheduler.service import Service


class SchedulerState(Protocol):
    """What the health check asks of the running scheduler."""

    @property
    def running(self) -> bool: ...

    @property
    def next_wake(self) -> datetime | None: ...

    @property
    def leading(self) -> bool:
        """Whether this instance plans and fires timers (one does; all serve and dispatch)."""
        ...


def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=str(files("scheduler.http") / "templates"))


def create_app(
    service: Service, *, metrics: Metrics | None = None, scheduler: SchedulerState | None = None
) -> FastAPI:
    app = FastAPI(
        title="ua-scheduler",
        version=version("ua-scheduler"),
        description="Urgent Action reminders, supporters' reports and tallies.",
        docs_url="/docs",
        redoc_url=None,
    )
    app.state.service = service
    app.state.metrics = metrics or Metrics()
    app.state.scheduler = scheduler
    app.state.limiter = RateLimiter(
        service.settings.report_rate_limit,
        storage_uri=service.settings.rate_limit_storage,
        # Instances of one service share a database, hence its secret: one budget between them.
        namespace=hashlib.sha256(b"rate-limit:" + service.secret()).hexdigest()[:16],
    )
    app.state.csrf = Csrf(service.secret())
    app.state.templates = templates()
    app.add_middleware(BodyLimit, max_bytes=service.settings.max_body_bytes)
    pages_and_reports = (
        Path(str(files("scheduler.http") / "templates")),
        Path(str(files("jobs") / "templates")),
    )
    app.add_middleware(SecurityHeaders, policy=page_policy(pages_and_reports, styles_made=[chart.STYLE]))
    errors.install(app)
    for module in (health, reports, front, pages, api, dashboard):
        app.include_router(module.router)
    return app
