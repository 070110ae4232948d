"""Fixtures for the integration tests."""

from __future__ import annotations

import pytest

from tests.support.cli import Run, runner


@pytest.fixture
def run(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """The CLI on the test's database, logging JSON."""
    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    monkeypatch.setenv("UA_SCHEDULER_LOG_FORMAT", "json")
    return runner(capsys)
