"""Property-based fuzzing of the HTTP API from its own OpenAPI schema (schemathesis over hypothesis).

Every operation, authenticated as staff, over a database with one open action: valid and invalid
requests alike never get a 5xx. And the public report door stores nothing for a request it refuses.
SQLite only: the point is the HTTP layer, and it keeps the file under a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from sqlalchemy import func
from sqlmodel import Session, select

from actions.clock import ManualClock
from actions.models import Report
from config.settings import Settings
from jobs.secrets import Redactor
from scheduler.app import tokens
from scheduler.http.app import create_app
from scheduler.service import Service, open_service
from tests.conftest import START
from tests.factories import add_action, add_channel
from tests.integration.http.conftest import RunningScheduler
from tests.support.databases import sqlite_url

MAX_EXAMPLES = 25
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def fuzz_service(tmp_path: Path) -> Iterator[Service]:
    service = open_service(
        Settings(database_url=sqlite_url(tmp_path), timezone="UTC", report_rate_limit="100000/minute"),
        clock=ManualClock(START),
        redactor=Redactor(),
    )
    add_action(service)
    add_channel(service, "nowhere", "json://127.0.0.1:9/", "reminders")  # port 9: nothing listens
    yield service
    service.engine.dispose()


@pytest.fixture
def fuzz_token(fuzz_service: Service) -> str:
    with Session(fuzz_service.engine) as session:
        token = tokens.create(session, "fuzz", now=fuzz_service.clock.now())
        session.commit()
    return token


@pytest.fixture
def fuzz_app(fuzz_service: Service) -> FastAPI:
    return create_app(fuzz_service, scheduler=RunningScheduler())


@pytest.fixture
def api_schema(fuzz_app: FastAPI) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)


def operations(api_schema: Any) -> list[Any]:
    return [result.ok() for result in api_schema.get_all_operations()]


def stored_reports(service: Service) -> int:
    with Session(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(Report)).one())


def fuzz(strategy: Any, check: Callable[[Any], None], *, max_examples: int = MAX_EXAMPLES) -> None:
    @settings(FUZZ_SETTINGS, max_examples=max_examples)
    @given(case=strategy)
    def run(case: Any) -> None:
        check(case)

    run()


def strategies(operation: Any) -> list[Any]:
    """Valid and invalid requests; valid ones also aimed at the action that exists (61.20)."""
    found = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    if "{number}" in operation.path:
        found.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters={"number": "61.20"}))
    return found


def test_no_operation_answers_with_a_server_error(api_schema: Any, fuzz_token: str) -> None:
    auth = {"Authorization": f"Bearer {fuzz_token}"}

    def no_server_error(case: Any) -> None:
        response = case.call(headers=auth)
        if case.operation.path == "/api/v1/channels/{name}/test" and response.status_code == 200:
            # The channel's failure, by design (nothing listens on port 9), named in the answer.
            assert "did not take the test message" in response.json()["error"]
            return
        case.validate_response(response, checks=[not_a_server_error], headers=auth)

    staff = [op for op in operations(api_schema) if op.path.startswith("/api/v1")]
    assert len(staff) >= 12, [op.label for op in staff]
    for operation in staff:
        slow = operation.path.endswith("/test")
        for strategy in strategies(operation):
            fuzz(strategy, no_server_error, max_examples=5 if slow else MAX_EXAMPLES)


def test_the_report_door_stores_nothing_from_a_refused_request(
    api_schema: Any, fuzz_service: Service
) -> None:
    door = api_schema.find_operation_by_path("POST", "/api/v1/actions/{number}/reports")
    assert door is not None

    def nothing_stored_when_refused(case: Any) -> None:
        before = stored_reports(fuzz_service)
        response = case.call()
        after = stored_reports(fuzz_service)
        assert response.status_code < 500, response.text
        if 400 <= response.status_code < 500:
            assert after == before, f"{response.status_code} {response.text}"

    for strategy in strategies(door):
        fuzz(strategy, nothing_stored_when_refused, max_examples=60)
