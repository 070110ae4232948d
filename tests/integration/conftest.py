"""Fixtures for the integration tests."""

from __future__ import annotations

import pytest

from tests.support.cli import Run, runner


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """The CLI on the test's database, logging JSON."""
    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    monkeypatch.setenv("UA_SCHEDULER_LOG_FORMAT", "json")
    # The CLI reads the real clock; these tests state fixed dates in 2099, beyond the default window.
    monkeypatch.setenv("UA_SCHEDULER_DATES_YEARS_AHEAD", "100")
    return runner(capsys)
