"""The HTTP app over a real database, driven by httpx (Starlette's TestClient)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from scheduler.app import tokens
from scheduler.http.app import create_app
from scheduler.http.metrics import Metrics
from scheduler.service import Service


@dataclass
class RunningScheduler:
    """Stands for the daemon in the health check when a test drives the app alone."""

    running: bool = True
    next_wake: None = None
    leading: bool = True


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    return make_service(report_rate_limit="1000/minute")


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def client(service: Service, metrics: Metrics) -> Iterator[TestClient]:
    app = create_app(service, metrics=metrics, scheduler=RunningScheduler())
    with TestClient(app, base_url="http://127.0.0.1") as test_client:
        yield test_client


@pytest.fixture
def staff_token(service: Service) -> str:
    with Session(service.engine) as session:
        token = tokens.create(session, "staff", now=service.clock.now())
        session.commit()
    return token


@pytest.fixture
def staff(client: TestClient, staff_token: str) -> TestClient:
    client.headers["Authorization"] = f"Bearer {staff_token}"
    return client
