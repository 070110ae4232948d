"""Fan-out: connections kept open per channel, apprise still building every message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from actions.clock import ManualClock
from actions.models import Delivery, Subscription
from jobs.due import run_pass
from scheduler.service import Service
from tests.factories import add_action, add_channel
from tests.support.sinks import SmtpSink, WebhookSink, free_port

DEADLINE = datetime(2026, 5, 10, tzinfo=UTC)


def subscribe(service: Service, action_id: int, count: int) -> None:
    with Session(service.engine) as session:
        for n in range(count):
            session.add(
                Subscription(
                    action_id=action_id,
                    email=f"supporter{n}@example.org",
                    token=f"token-{n}",
                    created_at=service.clock.now(),
                    confirmed_at=service.clock.now(),
                )
            )
        session.commit()


def reminder_due_to_supporters(
    make_service: Callable[..., Service], clock: ManualClock, count: int, **settings: object
) -> Service:
    """A service whose one action has its 3-hour reminder due now, to ``count`` confirmed supporters."""
    service = make_service(**settings)
    action = add_action(service, deadline="2026-05-09")
    assert action.id is not None
    subscribe(service, action.id, count)
    clock.set(DEADLINE - timedelta(hours=3))
    return service


def test_webhook_messages_to_one_receiver_share_a_kept_alive_connection(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service(delivery_concurrency=1)
    for n in range(6):
        add_channel(service, f"hook-{n}", webhook.url(f"h{n}"), "reminders")
    add_action(service, deadline="2026-05-09")
    clock.set(DEADLINE - timedelta(hours=3))

    run_pass(service.work(), clock.now())

    assert sorted(h.path for h in webhook.hooks) == [f"/h{n}" for n in range(6)]
    assert len({h.peer for h in webhook.hooks}) == 1  # one connection for all six
    # apprise still built each message: its JSON form, its headers, the key of each row.
    assert {h.body["title"] for h in webhook.hooks} == {webhook.hooks[0].body["title"]}
    assert sorted(h.headers["Idempotency-Key"] for h in webhook.hooks) == sorted(
        f"ua-61.20/reminder-10800s/hook-{n}" for n in range(6)
    )
    assert all(h.headers["User-Agent"] == "Apprise" for h in webhook.hooks)


def test_personal_reminders_of_one_dispatch_go_through_one_smtp_connection(
    make_service: Callable[..., Service], clock: ManualClock, smtp: SmtpSink
) -> None:
    mail_url = smtp.url("nobody@example.org")
    service = reminder_due_to_supporters(make_service, clock, 5, delivery_concurrency=1, mail_url=mail_url)

    result = run_pass(service.work(), clock.now())

    assert result.deliveries.sent == 5
    assert sorted(str(m["To"]) for m in smtp.messages) == [f"supporter{n}@example.org" for n in range(5)]
    assert smtp.connections == 1
    assert {str(m["Idempotency-Key"]) for m in smtp.messages} == {
        f"ua-61.20/reminder-10800s/subscriber-{n + 1}" for n in range(5)
    }


def test_no_more_smtp_connections_at_once_than_mail_connections(
    make_service: Callable[..., Service], clock: ManualClock, smtp: SmtpSink
) -> None:
    """Eight workers share two connections to the one server: a send waits for one to come back."""
    mail_url = smtp.url("nobody@example.org")
    service = reminder_due_to_supporters(
        make_service, clock, 40, delivery_concurrency=8, mail_connections=2, mail_url=mail_url
    )

    result = run_pass(service.work(), clock.now())

    assert result.deliveries.sent == 40
    assert len(smtp.messages) == 40
    assert 1 <= smtp.most_open <= 2
    assert smtp.connections <= 2


def test_an_smtp_server_that_cannot_be_reached_does_not_hold_a_connection_slot(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    """A connection that failed to open gives its place back: with one place, every send is tried."""
    down = (
        f"mailto://127.0.0.1:{free_port()}?from=ua-scheduler@example.org&to=nobody@example.org&mode=insecure"
    )
    service = reminder_due_to_supporters(
        make_service, clock, 6, delivery_concurrency=4, mail_connections=1, mail_url=down
    )

    result = run_pass(service.work(), clock.now())

    assert result.deliveries.retried == 6
    assert result.deliveries.sent == 0
    with Session(service.engine) as session:
        reasons = {d.last_error for d in session.exec(select(Delivery)).all()}
    assert reasons == {"connection refused"}  # each tried the server; none waited for a place


def test_a_later_dispatch_opens_a_new_smtp_connection(
    make_service: Callable[..., Service], clock: ManualClock, smtp: SmtpSink
) -> None:
    """Connections live for one dispatch: none is left open between reminders hours apart."""
    service = make_service(delivery_concurrency=1, mail_url=smtp.url("nobody@example.org"))
    action = add_action(service, deadline="2026-05-09")
    assert action.id is not None
    subscribe(service, action.id, 2)
    clock.set(DEADLINE - timedelta(days=1))
    run_pass(service.work(), clock.now())
    clock.set(DEADLINE - timedelta(hours=3))
    run_pass(service.work(), clock.now())

    assert len(smtp.messages) == 4
    assert smtp.connections == 2
