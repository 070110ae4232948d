"""Channel secrets never reach a log line, in JSON or console form, on success or failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
import structlog

from actions.clock import ManualClock
from jobs.due import run_pass
from scheduler.logs import configure
from scheduler.service import Service
from tests.factories import add_action, add_channel
from tests.support.sinks import WebhookSink

SECRETS = ("hunter2pw", "hdr-token-123", "payload-key-456", "query-key-789", "deadpw99")


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_deliveries_and_failures_log_no_secret(
    fmt: str,
    make_service: Callable[..., Service],
    clock: ManualClock,
    webhook: WebhookSink,
    capfd: pytest.CaptureFixture[str],
) -> None:
    service = make_service()
    good = (
        f"json://user:hunter2pw@127.0.0.1:{webhook.port}/hook"
        "?+X-Token=hdr-token-123&:apikey=payload-key-456&token=query-key-789"
    )
    bad = "json://admin:deadpw99@127.0.0.1:9/down?+X-Token=hdr-token-123"
    add_channel(service, "good", good, "reminders")
    add_channel(service, "bad", bad, "reminders")
    with service.session() as session:
        service.channels(session)  # as at start: the secrets are known before any line is logged
    configure(service.redactor, fmt, "debug")  # type: ignore[arg-type]
    add_action(service, deadline="2026-05-08", reminders=["1d"])
    clock.set(service.clock.now().replace(day=8) - timedelta(hours=1))

    run_pass(service.work(), clock.now())
    structlog.get_logger("test").error("boom", url=bad, nested={"list": [good]})
    logging.getLogger("apprise").error("apprise says %s", bad)

    out, err = capfd.readouterr()
    logs = out + err
    assert "channel.sent" in logs
    assert "channel.failed" in logs
    assert len(webhook.hooks) == 1
    assert webhook.hooks[0].headers["X-Token"] == "hdr-token-123"  # the real URL was used
    for secret in SECRETS:
        assert secret not in logs, f"{secret} leaked in {fmt} logs"
