"""What a request needs, taken from the application's state.

The readers of ``app.state`` are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread,
a hop per dependency per request that cost the report door more than its insert.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from scheduler.http.guards import Csrf, RateLimiter
from scheduler.http.metrics import Metrics
from scheduler.service import Service


async def service(request: Request) -> Service:
    found: Service = request.app.state.service
    return found


def session(found: Annotated[Service, Depends(service)]) -> Iterator[Session]:
    # One request, one unit of work: what it just wrote need not be read back after the commit.
    # A plain generator: closing the session may roll back on the database, off the event loop.
    with Session(found.engine, expire_on_commit=False) as db:
        yield db


async def metrics(request: Request) -> Metrics:
    found: Metrics = request.app.state.metrics
    return found


async def limiter(request: Request) -> RateLimiter:
    found: RateLimiter = request.app.state.limiter
    return found


async def csrf(request: Request) -> Csrf:
    found: Csrf = request.app.state.csrf
    return found


ServiceDep = Annotated[Service, Depends(service)]
SessionDep = Annotated[Session, Depends(session)]
MetricsDep = Annotated[Metrics, Depends(metrics)]
LimiterDep = Annotated[RateLimiter, Depends(limiter)]
CsrfDep = Annotated[Csrf, Depends(csrf)]
