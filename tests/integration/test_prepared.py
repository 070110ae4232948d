"""Reminders decided ahead: rendered and written before their due time, released at it, and kept in
line with every change made in between."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from actions import store
from actions.clock import ManualClock
from actions.models import Action, Channel, Delivery, Event, OutboxStatus, ReminderSlot, SlotStatus
from actions.specs import ReportCounts
from jobs.due import next_due, run_pass
from scheduler.app import actions as actions_app
from scheduler.app import reports as reports_app
from scheduler.service import Service
from tests.factories import add_action, add_channel
from tests.support.sinks import WebhookSink

DEADLINE = datetime(2026, 5, 10, tzinfo=UTC)
DUE = DEADLINE - timedelta(hours=3)
AHEAD = timedelta(minutes=1)


@contextmanager
def change(service: Service) -> Iterator[tuple[Session, Action]]:
    """One transaction on the action, as a CLI command or an HTTP request makes it."""
    with Session(service.engine) as session:
        yield session, store.get_action(session, "61.20")
        session.commit()


def reminder_rows(service: Service) -> list[Delivery]:
    with Session(service.engine) as session:
        return list(
            session.exec(
                select(Delivery).where(col(Delivery.kind) == "reminder").order_by(col(Delivery.id))
            ).all()
        )


def prepare(service: Service, clock: ManualClock) -> None:
    clock.set(DUE - AHEAD)
    assert run_pass(service.work(), clock.now()).reminded == ["61.20"]


def test_a_reminder_is_decided_ahead_and_released_at_its_due_instant(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["3h"])
    assert next_due(service.engine, DUE - timedelta(hours=1), ahead=AHEAD) == DUE - AHEAD

    prepare(service, clock)

    (row,) = reminder_rows(service)
    assert (row.status, row.not_before, row.next_attempt_at) == (OutboxStatus.PENDING, DUE, DUE)
    assert webhook.hooks == []
    assert next_due(service.engine, clock.now(), ahead=AHEAD) == DUE  # the rows wake the pass
    clock.set(DUE - timedelta(milliseconds=1))
    assert run_pass(service.work(), clock.now()).deliveries.sent == 0  # not a moment early

    clock.set(DUE)
    result = run_pass(service.work(), clock.now())

    assert result.deliveries.sent == 1
    assert result.reminded == []  # decided before: nothing is decided or rendered now
    assert webhook.titles()[0].startswith("UA 61.20: 3 hours left")  # as of the due time


def test_a_report_in_the_window_updates_the_running_total_in_the_prepared_text(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["3h"])
    prepare(service, clock)
    assert "So far 0 actions reported" in reminder_rows(service)[0].body

    clock.advance(timedelta(seconds=20))
    # The report door's own path: one transaction for the report, its counters and the rewrite.
    reports_app.record(
        service.door,
        "61.20",
        ReportCounts(letter=2, email=3),
        clock=clock,
        source="api",
        country="NL",
        then=service.refresh_prepared_with_report,
    )
    assert "So far 5 actions reported" in reminder_rows(service)[0].body
    clock.set(DUE)
    run_pass(service.work(), clock.now())

    (hook,) = webhook.hooks
    assert "So far 5 actions reported in 1 report." in hook.body["message"]


def test_a_channel_added_in_the_window_gets_the_prepared_reminder_too(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url("old"), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["3h"])
    prepare(service, clock)

    with Session(service.engine) as session:
        session.add(
            Channel(name="late-hook", url=webhook.url("new"), tags=["reminders"], created_at=clock.now())
        )
        session.flush()
        assert service.refresh_prepared(session) == 1
        session.commit()
    clock.set(DUE)
    run_pass(service.work(), clock.now())

    assert sorted(h.path for h in webhook.hooks) == ["/new", "/old"]
    assert {h.headers["Idempotency-Key"] for h in webhook.hooks} == {
        "ua-61.20/reminder-10800s/hook",
        "ua-61.20/reminder-10800s/late-hook",
    }


def test_an_extension_in_the_window_withdraws_the_prepared_rows_and_re_arms_the_slot(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["3h"])
    prepare(service, clock)

    with change(service) as (session, action):
        store.extend_later(
            session,
            action,
            "2026-05-12",
            now=clock.now(),
            default_offsets=service.settings.reminders,
            source="test",
        )
    assert reminder_rows(service) == []
    clock.set(DUE)
    assert run_pass(service.work(), clock.now()).deliveries.sent == 0  # the old time: nothing
    new_due = datetime(2026, 5, 13, tzinfo=UTC) - timedelta(hours=3)
    clock.set(new_due - AHEAD)
    run_pass(service.work(), clock.now())
    clock.set(new_due)
    run_pass(service.work(), clock.now())

    (hook,) = webhook.hooks
    assert hook.body["title"].startswith("UA 61.20: 3 hours left")
    assert "Deadline: Tuesday 12 May 2026, end of day" in hook.body["message"]


def test_a_cancel_in_the_window_withdraws_the_prepared_reminder(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["3h"])
    prepare(service, clock)

    with change(service) as (session, action):
        store.cancel_action(session, action, now=clock.now(), reason="released")
    clock.set(DUE)
    run_pass(service.work(), clock.now())

    assert webhook.hooks == []
    assert reminder_rows(service) == []
    with Session(service.engine) as session:
        slot = session.exec(select(ReminderSlot).where(ReminderSlot.offset_s == 10800)).one()
        cancelled = session.exec(select(Event).where(Event.kind == "cancelled")).one()
    assert slot.status is SlotStatus.EXPIRED
    assert cancelled.detail["reminders_withdrawn"] == 1


def test_a_staff_close_in_the_window_sends_the_tally_not_the_reminder(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url("reminders"), "reminders")
    add_channel(service, "coord", webhook.url("coord"), "coordinators")
    add_action(service, deadline="2026-05-09", reminders=["3h"])
    prepare(service, clock)

    with Session(service.engine) as session:
        actions_app.close(session, "61.20", clock=clock, settings=service.settings, channels=service.channels)
    clock.set(DUE)
    run_pass(service.work(), clock.now())

    assert [h.path for h in webhook.hooks] == ["/coord"]


def test_after_downtime_a_later_reminder_replaces_a_prepared_one_that_never_went_out(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    """The catch-up policy holds for prepared reminders: one reminder after downtime, the latest."""
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["1d", "3h"])
    clock.set(DEADLINE - timedelta(days=1) - AHEAD)
    run_pass(service.work(), clock.now())  # the 1-day reminder is prepared; then the service is down
    clock.set(DUE + timedelta(minutes=5))

    result = run_pass(service.work(), clock.now())

    assert result.deliveries.sent == 1
    (hook,) = webhook.hooks
    assert hook.headers["Idempotency-Key"] == "ua-61.20/reminder-10800s/hook"


def test_a_reminder_cut_short_by_a_crash_is_finished_after_downtime_not_withdrawn(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    """A row claimed by a process killed mid-send may have arrived: a later reminder due after the
    downtime does not withdraw that reminder's rows, and every channel gets it (no partial one)."""
    service = make_service()
    add_channel(service, "a", webhook.url("a"), "reminders")
    add_channel(service, "b", webhook.url("b"), "reminders")
    add_action(service, deadline="2026-05-09", reminders=["1d", "3h"])
    first_due = DEADLINE - timedelta(days=1)
    clock.set(first_due - AHEAD)
    run_pass(service.work(), clock.now())  # the 1-day reminder is prepared
    with Session(service.engine) as session:
        # Its time came; a dispatcher claimed one row and was killed before it settled, and the
        # next start released the claim (what `outbox.release_all` leaves behind).
        row = session.exec(select(Delivery).where(col(Delivery.key).endswith("/a"))).one()
        row.claimed_by = "host:1:killed"
        session.add(row)
        session.commit()
    clock.set(DUE + timedelta(minutes=5))

    run_pass(service.work(), clock.now())

    with Session(service.engine) as session:
        rows = {r.key: r.status for r in session.exec(select(Delivery)).all()}
        slots = {s.offset_s: s.status for s in session.exec(select(ReminderSlot)).all()}
    assert rows == {
        "ua-61.20/reminder-86400s/a": OutboxStatus.SENT,
        "ua-61.20/reminder-86400s/b": OutboxStatus.SENT,
        "ua-61.20/reminder-10800s/a": OutboxStatus.SENT,
        "ua-61.20/reminder-10800s/b": OutboxStatus.SENT,
    }
    assert slots == {86400: SlotStatus.SENT, 10800: SlotStatus.SENT}
    assert sorted(webhook.idempotency_keys()) == sorted(rows)
