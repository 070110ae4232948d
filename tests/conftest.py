"""Shared fixtures: a database on SQLite and PostgreSQL, a manual clock, real notification sinks."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import structlog

from actions.clock import ManualClock
from config.settings import Settings
from jobs.secrets import Redactor
from scheduler.service import Service, open_service
from tests.support.databases import postgres_problem, postgres_schema, sqlite_url
from tests.support.sinks import SmtpSink, WebhookSink

START = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests see no operator settings and no ./ua-scheduler.toml."""
    for key in list(os.environ):
        if key.startswith("UA_SCHEDULER_") and key != "UA_SCHEDULER_TEST_POSTGRES_URL":
            monkeypatch.delenv(key)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _no_connection_left_open(request: pytest.FixtureRequest) -> Iterator[None]:
    """A PostgreSQL test that leaves a connection to the garbage collector fails itself, at its own
    teardown, rather than whichever later test the collector would happen to run in."""
    yield
    if request.node.get_closest_marker("postgresql") is not None:
        gc.collect()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """The CLI configures logging for its process; a test must not leave that to the next one."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.reset_defaults()


@pytest.fixture(scope="session")
def _postgres_available() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL tests: {problem}")
    pytest.skip(problem)


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)],
)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    request.getfixturevalue("_postgres_available")
    with postgres_schema() as url:
        yield url


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {"database_url": database_url, "timezone": "UTC"}
        values.update(overrides)
        return Settings(**values)

    return make


@pytest.fixture
def make_service(
    make_settings: Callable[..., Settings], clock: ManualClock
) -> Iterator[Callable[..., Service]]:
    made: list[Service] = []

    def make(**overrides: Any) -> Service:
        service = open_service(make_settings(**overrides), clock=clock, redactor=Redactor())
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()
        service.engine.dispose()


@pytest.fixture
def webhook() -> Iterator[WebhookSink]:
    sink = WebhookSink().start()
    yield sink
    sink.stop()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink().start()
    yield sink
    sink.stop()
