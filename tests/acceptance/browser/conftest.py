"""Browser fixtures: the real app served by uvicorn over a real database, and chromium via Playwright.

``serve(service)`` serves any service (the staff tests can make theirs with a token or a mail URL);
``live_server`` serves the default one. ``browser`` is Debian's chromium, launched once per session;
``page`` is a fresh browser context (no cookies) per test. No browser is ever downloaded.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from actions.clock import ManualClock
from scheduler.http.app import create_app
from scheduler.service import Service
from tests.support.sinks import free_port, wait_for

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT_S = 10.0


@dataclass
class RunningScheduler:
    """Stands for the daemon in the health check: the app is served without one."""

    running: bool = True
    next_wake: None = None
    leading: bool = True


@dataclass
class LiveServer:
    """The app served on ``url`` (``http://127.0.0.1:PORT``, no trailing slash)."""

    url: str
    service: Service
    app: FastAPI


@pytest.fixture
def clock() -> ManualClock:
    """The service's clock starts at the real now, because the browser counts down in real time."""
    return ManualClock(datetime.now(UTC).replace(microsecond=0))


@pytest.fixture
def service(make_service: Callable[..., Service]) -> Service:
    return make_service(report_rate_limit="1000/minute")


@pytest.fixture
def serve(make_service: Callable[..., Service]) -> Iterator[Callable[[Service], LiveServer]]:
    """Serve a service's app with uvicorn in a background thread; stopped after the test.

    It asks for ``make_service`` so that its servers stop before the services' engines are disposed:
    a request still holding a connection would otherwise leave it to the garbage collector.
    """
    started: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(service: Service) -> LiveServer:
        app = create_app(service, scheduler=RunningScheduler())
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", ws="none")
        )
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        started.append((server, thread))
        if not wait_for(lambda: server.started, timeout_s=START_TIMEOUT_S):
            pytest.fail(f"uvicorn did not start on port {port} within {START_TIMEOUT_S} s")
        return LiveServer(url=f"http://127.0.0.1:{port}", service=service, app=app)

    yield start
    for server, thread in started:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)


@pytest.fixture
def live_server(serve: Callable[[Service], LiveServer], service: Service) -> LiveServer:
    return serve(service)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless; skipped locally (failed on CI) when it is not installed."""
    if not CHROMIUM.is_file():
        reason = (
            f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run browser tests"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the browser tests: {reason}")
        pytest.skip(reason)
    playwright = sync_playwright().start()
    try:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh context (no cookies), in English, in a time zone other than the actions' (UTC)."""
    context = browser.new_context(
        locale="en-GB", timezone_id="America/New_York", viewport={"width": 1000, "height": 900}
    )
    context.set_default_timeout(10_000)
    opened = context.new_page()
    yield opened
    context.close()
