"""Channel secrets never reach a log line, in JSON or console form, on success or failure."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

import pytest
import structlog
from fastapi.testclient import TestClient

from actions.clock import ManualClock
from jobs.due import run_pass
from scheduler.app import tokens
from scheduler.cli import main
from scheduler.http.app import create_app
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


def test_no_secret_in_tracebacks_api_responses_or_cli_output(
    make_service: Callable[..., Service],
    clock: ManualClock,
    webhook: WebhookSink,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
) -> None:
    service = make_service(delivery_max_attempts=2)
    good = (
        f"json://user:hunter2pw@127.0.0.1:{webhook.port}/hook"
        "?+X-Token=hdr-token-123&:apikey=payload-key-456&token=query-key-789"
    )
    bad = "json://admin:deadpw99@127.0.0.1:9/down?+X-Token=hdr-token-123"
    add_channel(service, "good", good, "reminders", "coordinators")
    add_channel(service, "bad", bad, "reminders", "coordinators")
    with service.session() as session:
        service.channels(session)
        token = tokens.create(session, "staff", now=clock.now())
        session.commit()
    configure(service.redactor, "json", "debug")
    add_action(service, deadline="2026-05-08", reminders=["1d"])

    def send_with_secret_in_locals() -> None:
        url = bad  # structlog's JSON tracebacks would show this local: they must not
        raise ConnectionError(f"cannot reach {url}")

    try:
        send_with_secret_in_locals()
    except ConnectionError:
        structlog.get_logger("test").exception("send.crashed")
    for day in (7, 8, 9, 10):  # a reminder, the close, the tally, retries until failed
        clock.set(service.clock.now().replace(day=day))
        run_pass(service.work(), clock.now())

    outputs: list[str] = []
    with TestClient(create_app(service)) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        for method, path in [
            ("GET", "/api/v1/channels"),
            ("POST", "/api/v1/channels/bad/test"),
            ("POST", "/api/v1/channels/good/test"),
            ("GET", "/api/v1/timetable"),
            ("GET", "/api/v1/actions/61.20"),
            ("GET", "/api/v1/actions/61.20/tally?format=md"),
            ("GET", "/healthz"),
            ("GET", "/metrics"),
        ]:
            response = client.request(method, path)
            # health without a daemon is 503 and says why; a test-send to the dead channel is 200, not ok
            assert response.status_code < 500 or path.endswith("/healthz"), path
            outputs.append(response.text)
    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    for args in (
        ["deliveries", "--json"],
        ["channels", "list", "--json"],
        ["channels", "test", "bad"],
        ["config"],
    ):
        with pytest.raises(SystemExit):
            main(args)

    out, err = capfd.readouterr()
    everything = "\n".join([*outputs, out, err])
    assert "send.crashed" in err
    assert "delivery.failed" in err
    assert '"status": "failed"' in out  # the delivery log shows the failed row...
    for secret in SECRETS:
        assert secret not in everything, f"{secret} leaked"  # ...and no secret anywhere
