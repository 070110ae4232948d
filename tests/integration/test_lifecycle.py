"""The whole life of an action, with a manual clock and real deliveries through apprise."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlmodel import Session, select

from actions import store
from actions.clock import ManualClock
from actions.models import ActionStatus, Delivery, FinalTally, OutboxStatus, SlotStatus
from jobs.due import next_due, run_pass
from scheduler.service import Service
from tests.conftest import START
from tests.factories import add_action, add_channel, add_report
from tests.support.sinks import SmtpSink, WebhookSink

DEADLINE = START.replace(day=9, hour=0)  # 2026-05-08 end of day in UTC


def test_reminders_at_each_offset_then_close_and_tally(
    make_service: Callable[..., Service],
    clock: ManualClock,
    webhook: WebhookSink,
    smtp: SmtpSink,
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_channel(service, "mail", smtp.url(), "coordinators")
    add_action(service, deadline="2026-05-08")
    work = service.work()

    assert run_pass(work, clock.now()).reminded == []  # 7 days before is 2026-05-02 00:00
    for offset in (timedelta(days=7), timedelta(days=3), timedelta(days=1), timedelta(hours=3)):
        clock.set(DEADLINE - offset)
        add_report(service, "61.20", letter=1, email=2, country="NL")
        assert run_pass(work, clock.now()).reminded == ["61.20"]
        assert run_pass(work, clock.now()).reminded == []  # each slot goes once

    titles = webhook.titles()
    assert len(titles) == 4
    assert titles[0].startswith("UA 61.20: 7 days left")
    assert titles[-1].startswith("UA 61.20: 3 hours left")
    first, last = webhook.hooks[0].body["message"], webhook.hooks[-1].body["message"]
    assert "Postal address: 2360 Massachusetts Avenue NW" in first  # a letter still arrives a week ahead
    assert "Post:" not in last
    assert "Email: embassy@example.org" in last
    assert "http://127.0.0.1:8080/ua/61.20/report" in last
    assert "So far 12 actions reported in 4 reports" in last

    clock.set(DEADLINE)
    result = run_pass(work, clock.now())
    assert result.closed == ["61.20"]
    assert result.tallies_delivered == ["61.20"]
    add_report(service, "61.20", call=5, country="DE")  # late

    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["Subject"] == "UA 61.20 final tally: 12 actions"
    assert "Total actions: 12" in mail.get_body(("plain", "html")).get_content()  # type: ignore[union-attr]
    assert len(webhook.hooks) == 4  # the tally went to coordinators only

    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        assert action.status is ActionStatus.CLOSED
        assert {s.status for s in store.slots_of(session, action)} == {SlotStatus.SENT}
        final = session.get(FinalTally, 1)
        assert final is not None
        assert final.data["total"] == 12
        assert final.data["late"] == 0
    assert next_due(service.engine, clock.now()) is None
    clock.advance(timedelta(days=1))
    assert not run_pass(work, clock.now()).did_something()


def test_downtime_sends_only_the_latest_missed_reminder(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-08")
    clock.set(DEADLINE - timedelta(hours=20))  # 7d, 3d and 1d were missed while down

    result = run_pass(service.work(), clock.now())

    assert result.reminded == ["61.20"]
    assert result.skipped == 2
    assert webhook.titles() == ["UA 61.20: 20 hours left to act: Health of prisoner of conscience at risk"]
    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        statuses = {s.offset_s: s.status for s in store.slots_of(session, action)}
    assert statuses == {
        7 * 86400: SlotStatus.SKIPPED,
        3 * 86400: SlotStatus.SKIPPED,
        86400: SlotStatus.SENT,
        3 * 3600: SlotStatus.PENDING,
    }


def test_missed_close_happens_at_once_and_no_reminder_after_the_deadline(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink, smtp: SmtpSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_channel(service, "mail", smtp.url(), "coordinators")
    add_action(service, deadline="2026-05-08")
    clock.set(DEADLINE + timedelta(hours=5))

    result = run_pass(service.work(), clock.now())

    assert result.closed == ["61.20"]
    assert result.reminded == []
    assert webhook.hooks == []
    assert smtp.subjects() == ["UA 61.20 final tally: 0 actions"]


def test_extending_re_arms_only_reminders_not_yet_sent(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-08")
    clock.set(DEADLINE - timedelta(days=3))
    run_pass(service.work(), clock.now())  # sends 3d (7d skipped as missed)

    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        new = store.resolve_deadline("2026-05-15", "UTC")
        store.extend_deadline(session, action, new, now=clock.now(), offsets=service.settings.reminders)
        session.commit()
        slots = {s.offset_s: s for s in store.slots_of(session, action)}

    assert slots[3 * 86400].status is SlotStatus.SENT
    assert slots[3 * 86400].due_at == DEADLINE - timedelta(days=3)  # sent: stays as it was
    assert slots[7 * 86400].status is SlotStatus.PENDING  # skipped, now ahead again: re-armed
    assert slots[86400].due_at == new.at - timedelta(days=1)

    clock.set(new.at - timedelta(days=7))
    assert run_pass(service.work(), clock.now()).reminded == ["61.20"]
    clock.set(new.at - timedelta(days=3))
    assert run_pass(service.work(), clock.now()).reminded == []  # 3d was sent already
    assert len(webhook.hooks) == 2


def test_a_failing_channel_does_not_stop_the_others_and_is_retried(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "down", "json://127.0.0.1:9/unreachable", "reminders")
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-08", reminders=["1d"])
    clock.set(DEADLINE - timedelta(days=1))

    result = run_pass(service.work(), clock.now())

    assert result.reminded == ["61.20"]
    assert (result.deliveries.sent, result.deliveries.retried) == (1, 1)
    assert len(webhook.hooks) == 1
    with Session(service.engine) as session:
        rows = {d.channel: d for d in session.exec(select(Delivery)).all()}
    assert rows["hook"].status is OutboxStatus.SENT
    assert rows["down"].status is OutboxStatus.PENDING
    assert rows["down"].attempts == 1
    assert clock.now() + timedelta(seconds=5) <= rows["down"].next_attempt_at
    assert rows["down"].next_attempt_at <= clock.now() + timedelta(seconds=10)


def test_when_every_channel_fails_the_reminder_is_tried_again_with_the_same_key(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "hook", webhook.url(), "reminders")
    add_action(service, deadline="2026-05-08", reminders=["1d"])
    clock.set(DEADLINE - timedelta(days=1))
    webhook.fail_next = 1

    run_pass(service.work(), clock.now())
    assert webhook.hooks == []
    upcoming = next_due(service.engine, clock.now())
    assert upcoming is not None
    assert clock.now() < upcoming <= clock.now() + timedelta(seconds=10)

    clock.set(upcoming)
    assert run_pass(service.work(), clock.now()).deliveries.sent == 1
    (hook,) = webhook.hooks
    assert hook.headers["Idempotency-Key"] == "ua-61.20/reminder-86400s/hook"


def test_a_reminder_that_can_no_longer_arrive_in_time_is_dropped_but_the_tally_is_not(
    make_service: Callable[..., Service], clock: ManualClock, smtp: SmtpSink
) -> None:
    service = make_service()
    add_channel(service, "down", "json://127.0.0.1:9/unreachable", "reminders", "coordinators")
    add_channel(service, "mail", smtp.url(), "coordinators")
    add_action(service, deadline="2026-05-08", reminders=["5s"])
    clock.set(DEADLINE - timedelta(seconds=5))
    run_pass(service.work(), clock.now())  # the retry would come after the deadline
    clock.set(DEADLINE)
    run_pass(service.work(), clock.now())

    with Session(service.engine) as session:
        rows = {(d.kind, d.channel): d.status for d in session.exec(select(Delivery)).all()}
    assert rows[("reminder", "down")] is OutboxStatus.DROPPED
    assert rows[("tally", "mail")] is OutboxStatus.SENT
    assert rows[("tally", "down")] is OutboxStatus.PENDING  # a tally is retried, never dropped
    assert smtp.subjects() == ["UA 61.20 final tally: 0 actions"]


def test_reminders_go_to_channels_with_the_actions_tags(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "europe", webhook.url("europe"), "europe")
    add_channel(service, "asia", webhook.url("asia"), "asia")
    add_action(service, deadline="2026-05-08", reminders=["1d"], tags=["asia"])
    clock.set(DEADLINE - timedelta(days=1))

    run_pass(service.work(), clock.now())

    assert [h.path for h in webhook.hooks] == ["/asia"]
