"""What a request needs, taken from the application's state."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from scheduler.http.guards import Csrf, RateLimiter
from scheduler.http.metrics import Metrics
from scheduler.service import Service


def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def session(request: Request) -> Iterator[Session]:
    # One request, one unit of work: what it just wrote need not be read back after the commit.
    with Session(service(request).engine, expire_on_commit=False) as db:
        yield db


def metrics(request: Request) -> Metrics:
    found: Metrics = request.app.state.metrics
    return found


def limiter(request: Request) -> RateLimiter:
    found: RateLimiter = request.app.state.limiter
    return found


def csrf(request: Request) -> Csrf:
    found: Csrf = request.app.state.csrf
    return found


ServiceDep = Annotated[Service, Depends(service)]
SessionDep = Annotated[Session, Depends(session)]
MetricsDep = Annotated[Metrics, Depends(metrics)]
LimiterDep = Annotated[RateLimiter, Depends(limiter)]
CsrfDep = Annotated[Csrf, Depends(csrf)]
