"""``log://`` shows the message as sent: officials' published addresses stay, secrets and supporters' go."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
import structlog

from actions.clock import ManualClock
from jobs.due import run_pass
from scheduler.logs import configure
from scheduler.service import Service
from tests.factories import add_action, add_channel


def test_the_log_channel_shows_officials_addresses_and_hides_secrets_and_supporters(
    make_service: Callable[..., Service], clock: ManualClock, capsys: pytest.CaptureFixture[str]
) -> None:
    service = make_service()
    secret = "s3cr3t-T0ken-4f9a8b7c6d"
    add_channel(service, "log", "log://", "reminders")
    add_channel(service, "hook", f"json://127.0.0.1:9/ua?+X-Token={secret}", "ops")
    with service.session() as session:
        service.channels(session)  # registers the hook's secret with the redactor
    add_action(
        service,
        title=f"Write today (supporter ann@supporter.example asked; not {secret})",
        deadline=(clock.now() + timedelta(days=2)).isoformat(),
        reminders=["1d"],
    )
    configure(service.redactor, "json", "info")
    clock.advance(timedelta(days=1))
    run_pass(service.work(), clock.now())
    structlog.get_logger("test").info("supporter.subscribed", email="bob@supporter.example")

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [message] = [e for e in lines if e["event"] == "channel.log_message"]
    assert "Email: embassy@example.org" in message["body"]  # the official's published address
    assert "ann@supporter.example" not in message["body"]
    assert "***@supporter.example" in message["body"]
    assert secret not in json.dumps(lines)
    [subscribed] = [e for e in lines if e["event"] == "supporter.subscribed"]
    assert subscribed["email"] == "***@supporter.example"
    assert datetime.fromisoformat(subscribed["timestamp"])  # the real pipeline, not a test double
