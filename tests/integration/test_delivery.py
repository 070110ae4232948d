"""The outbox: retries with backoff until a limit, the delivery log, and operators told out of band."""

from __future__ import annotations

import json
import os
import socket
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, select

from actions.clock import ManualClock
from actions.models import Delivery, OutboxStatus
from jobs import outbox
from jobs.due import next_due, run_pass
from jobs.outbox import RetryPolicy
from scheduler.cli import main
from scheduler.http.metrics import Metrics
from scheduler.service import Service
from tests.factories import add_action, add_channel
from tests.support.sinks import SmtpSink, WebhookSink, free_port

DOWN = "json://127.0.0.1:9/down"


def rows(service: Service) -> dict[tuple[str, str], Delivery]:
    with Session(service.engine) as session:
        return {(d.kind, d.channel): d for d in session.exec(select(Delivery)).all()}


def run_until_quiet(service: Service, clock: ManualClock, *, rounds: int = 50) -> None:
    """Follow the retries: jump to each next attempt, as the daemon's timer would."""
    for _ in range(rounds):
        run_pass(service.work(), clock.now())
        upcoming = next_due(service.engine, clock.now())
        if upcoming is None or upcoming <= clock.now():
            return
        clock.set(upcoming)


def test_backoff_grows_with_jitter_and_stops_at_the_cap() -> None:
    policy = RetryPolicy(max_attempts=8, base=timedelta(seconds=10), cap=timedelta(minutes=2))
    delays = [policy.delay(n).total_seconds() for n in range(1, 8)]
    for attempt, delay in enumerate(delays, start=1):
        ceiling = min(120, 10 * 2 ** (attempt - 1))
        assert ceiling / 2 <= delay <= ceiling
    assert len({round(policy.delay(3).total_seconds(), 6) for _ in range(20)}) > 1  # jittered


def test_a_delivery_that_keeps_failing_becomes_failed_and_alerts_ops_once(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service(delivery_max_attempts=4, ops_alert_after=2)
    add_channel(service, "down", DOWN, "coordinators")
    add_channel(service, "ops-hook", webhook.url("ops"), "ops")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))

    run_until_quiet(service, clock)

    tally = rows(service)[("tally", "down")]
    assert tally.status is OutboxStatus.FAILED
    assert tally.attempts == 4
    alerts = [h for h in webhook.hooks if h.path == "/ops"]
    assert [a.body["title"] for a in alerts] == ["ua-scheduler: channel down is failing"]
    assert "failed 2 times in a row" in alerts[0].body["message"]


def test_a_recovered_channel_is_announced_and_the_failed_row_can_be_retried(
    make_service: Callable[..., Service],
    clock: ManualClock,
    webhook: WebhookSink,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    service = make_service(delivery_max_attempts=2, ops_alert_after=1)
    ops_sink = WebhookSink().start()
    add_channel(service, "flaky", webhook.url("flaky"), "coordinators")
    add_channel(service, "ops-hook", ops_sink.url("ops"), "ops")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))
    webhook.fail_next = 2  # both attempts of the tally fail

    run_until_quiet(service, clock)
    failed = rows(service)[("tally", "flaky")]
    assert failed.status is OutboxStatus.FAILED

    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["deliveries", "--status", "failed", "--json"])
    assert exited.value.code == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(d["id"], d["channel"], d["attempts"]) for d in listed] == [(failed.id, "flaky", 2)]
    with pytest.raises(SystemExit) as exited:
        main(["deliveries", "retry", str(failed.id)])
    assert exited.value.code == 0

    clock.set(datetime.now(UTC))  # the CLI put it back in line on the wall clock
    run_pass(service.work(), clock.now())

    assert rows(service)[("tally", "flaky")].status is OutboxStatus.SENT
    ops = ops_sink.titles()
    ops_sink.stop()
    assert ops == [
        "ua-scheduler: channel flaky is failing",
        "ua-scheduler: channel flaky works again",
    ]


def test_an_alert_never_goes_through_the_failing_channel_itself(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service(ops_alert_after=1)
    add_channel(service, "down", DOWN, "coordinators", "ops")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))

    run_pass(service.work(), clock.now())

    assert [key for key in rows(service) if key[0] == "ops"] == []


def test_the_key_travels_as_a_header_so_a_receiver_can_drop_a_repeat(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "coordinators")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))
    run_pass(service.work(), clock.now())
    (hook,) = webhook.hooks
    assert hook.headers["Idempotency-Key"] == "ua-61.20/final-tally/1/hook"


def test_one_dispatcher_with_the_same_workers_serves_every_pass(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service(delivery_concurrency=2)
    add_channel(service, "hook", webhook.url(), "coordinators", "reminders")
    add_action(service, ua="61.20", deadline="2026-05-02")
    add_action(service, ua="62.20", deadline="2026-05-04")
    workers: set[threading.Thread] = set()  # the threads themselves: no id is reused while held
    service.on_sent = lambda _kind, _outcomes: workers.add(threading.current_thread())

    first = service.work().dispatcher
    for day in (1, 3, 5):
        clock.set(clock.now().replace(day=day))
        run_pass(service.work(), clock.now())

    assert service.work().dispatcher is first
    assert len(webhook.hooks) >= 3  # reminders and two final tallies, over three passes
    assert 1 <= len(workers) <= 2


def test_each_instance_claims_under_its_own_name_shown_in_the_delivery_log(
    make_service: Callable[..., Service],
    clock: ManualClock,
    webhook: WebhookSink,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "coordinators")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))
    run_pass(service.work(), clock.now())

    host, pid, start = service.owner.split(":")
    assert (host, pid, start) == (socket.gethostname()[: len(host)], str(os.getpid()), "20260501T120000Z")
    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["deliveries", "--json"])
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["status"], listed["owner"]) == ("sent", service.owner)
    with pytest.raises(SystemExit):
        main(["deliveries"])
    assert f"by {service.owner}" in capsys.readouterr().out


@pytest.mark.parametrize("failure", ["http-500", "closed-port", "smtp-550"])
def test_a_failed_delivery_says_why_in_the_delivery_log(
    failure: str,
    make_service: Callable[..., Service],
    clock: ManualClock,
    webhook: WebhookSink,
    smtp: SmtpSink,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str,
) -> None:
    service = make_service(delivery_max_attempts=1)
    if failure == "http-500":
        webhook.fail_next = 1
        url, why = webhook.url("tally"), "HTTP 500"
    elif failure == "closed-port":
        url, why = f"json://127.0.0.1:{free_port()}/tally", "connection refused"
    else:
        smtp.refuse("nobody@example.org")
        url, why = smtp.url(to="nobody@example.org"), "SMTP 550 mailbox unavailable"
    add_channel(service, "coordinators-in", url, "coordinators")
    add_action(service, deadline="2026-05-02")
    clock.set(clock.now().replace(day=3))
    run_pass(service.work(), clock.now())

    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    capsys.readouterr()
    with pytest.raises(SystemExit):
        main(["deliveries", "--status", "failed", "--json"])
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["channel"], listed["last_error"]) == ("coordinators-in", why)
    with pytest.raises(SystemExit):
        main(["deliveries", "--status", "failed"])
    assert capsys.readouterr().out.rstrip().endswith(why)
    assert smtp.messages == []


def test_claims_and_outcomes_are_stamped_when_they_happen_not_when_the_pass_began(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "coordinators")
    began = clock.now()
    with Session(service.engine) as session:
        outbox.enqueue(session, key="k-1", kind="ops", channel="hook", title="t", body="b", now=began)
        session.commit()
    clock.advance(timedelta(minutes=10))  # a long pass: another instance would take a claim
    # stamped at ``began`` as expired once the lease ran out, and send it again

    assert service.dispatcher.run(began).sent == 1
    assert rows(service)[("ops", "hook")].sent_at == clock.now()


def test_a_reminder_is_checked_against_its_deadline_when_handed_over_not_when_claimed(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    """One worker, two claimed rows: the deadline comes while the first is being sent."""
    service = make_service(delivery_concurrency=1)
    add_channel(service, "first", webhook.url("first"), "reminders")
    add_channel(service, "second", webhook.url("second"), "reminders")
    deadline = datetime(2026, 5, 10, tzinfo=UTC)
    add_action(service, deadline="2026-05-09")
    clock.set(deadline - timedelta(hours=3))
    webhook.on_receive = lambda _hook: clock.set(deadline)
    metrics = Metrics()
    service.on_sent = metrics.sent

    result = run_pass(service.work(), clock.now())

    assert [h.path for h in webhook.hooks] == ["/first"]
    late = rows(service)[("reminder", "second")]
    assert late.status is OutboxStatus.DROPPED
    assert late.attempts == 0
    assert late.last_error is not None
    assert "dropped, not sent late" in late.last_error
    assert (result.deliveries.sent, result.deliveries.dropped) == (1, 1)
    exposed = metrics.render().decode()
    assert 'ua_scheduler_sends_total{kind="reminder",outcome="dropped"} 1.0' in exposed


def test_a_reminder_within_the_deadline_margin_is_dropped(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service(deadline_margin=timedelta(seconds=30))
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["20s"])
    clock.set(datetime(2026, 5, 10, tzinfo=UTC) - timedelta(seconds=20))

    run_pass(service.work(), clock.now())

    assert webhook.hooks == []
    assert rows(service)[("reminder", "hook")].status is OutboxStatus.DROPPED
