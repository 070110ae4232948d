"""One pass over what is due: close, deliver final tallies, send reminders. Small steps, own clock."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from actions.models import (
    Action,
    ActionStatus,
    DeliveryStatus,
    Event,
    FinalTally,
    ReminderSlot,
    SlotStatus,
)
from actions.subscriptions import confirmed_for
from actions.tally import count
from config.settings import Settings
from jobs import close, remind
from jobs.channels import ChannelRef, email_to, select_channels
from jobs.notify import Message, Outcome, send, send_one
from jobs.render import render

log = structlog.get_logger("ua_scheduler.jobs")

RETRY_AFTER = timedelta(seconds=60)
"""When every channel failed, the message is tried again this long after, while still useful."""


@dataclass
class Work:
    """What a pass needs: the store, the settings and where to find the channels."""

    engine: Engine
    settings: Settings
    channels: Callable[[Session], Sequence[ChannelRef]]
    on_sent: Callable[[str, Sequence[Outcome]], None] = lambda _kind, _outcomes: None
    """Told of every send (``reminder``, ``tally``, ``personal``): the daemon's metrics listen here."""


@dataclass
class PassResult:
    closed: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    skipped: int = 0
    tallies_delivered: list[str] = field(default_factory=list)

    def did_something(self) -> bool:
        return bool(self.closed or self.reminded or self.skipped or self.tallies_delivered)


def run_pass(work: Work, now: datetime) -> PassResult:
    """Do everything due at ``now``; safe to run again at once (each send is claimed first)."""
    result = PassResult()
    close_due(work, now, result)
    deliver_tallies(work, now, result)
    send_reminders(work, now, result)
    return result


def close_due(work: Work, now: datetime, result: PassResult) -> None:
    with Session(work.engine) as session:
        action_ids = close.due_for_close(session, now)
    for action_id in action_ids:
        with Session(work.engine) as session:
            if close.close_and_count(session, action_id, now, reason="deadline passed"):
                action = session.get(Action, action_id)
                assert action is not None
                ua = action.ua
                session.commit()
                result.closed.append(ua)
                log.info("action.closed", action=ua, reason="deadline passed")


def deliver_tallies(work: Work, now: datetime, result: PassResult) -> None:
    with Session(work.engine) as session:
        records = session.exec(
            select(FinalTally.id)
            .where(FinalTally.delivery == DeliveryStatus.PENDING)
            .where(col(FinalTally.attempt_at) <= now)
        ).all()
    for record_id in records:
        assert record_id is not None
        with Session(work.engine) as session:
            if not close.claim_delivery(session, record_id, now):
                continue
            session.commit()
            record = session.get(FinalTally, record_id)
            assert record is not None
            channels = select_channels(work.channels(session), [work.settings.report_tag])
            ua = str(record.data["ua"])
            message = Message(
                title=render("tally.title.j2", tally=record.data).strip(),
                body=record.markdown,
                key=f"ua-{ua}-final-tally",
            )
            outcomes = send(channels, message)
            work.on_sent("tally", outcomes)
            delivered = _settle(outcomes)
            record.delivery = DeliveryStatus.SENT if delivered else DeliveryStatus.PENDING
            record.delivered_at = now if delivered else None
            record.attempt_at = now if delivered else now + RETRY_AFTER
            session.add(record)
            session.add(
                Event(
                    action_id=record.action_id,
                    at=now,
                    kind="tally_delivered" if delivered else "tally_failed",
                    detail=_detail(outcomes),
                )
            )
            session.commit()
        if delivered:
            result.tallies_delivered.append(ua)
            log.info("tally.delivered", action=ua, channels=len(channels))
        else:
            log.warning("tally.retry_later", action=ua, retry_in_s=RETRY_AFTER.total_seconds())


def send_reminders(work: Work, now: datetime, result: PassResult) -> None:
    with Session(work.engine) as session:
        due, skipped = remind.pick_due(session, now)
        if skipped:
            session.exec(
                update(ReminderSlot)
                .where(col(ReminderSlot.id).in_(skipped))
                .where(col(ReminderSlot.status) == SlotStatus.PENDING)
                .values(status=SlotStatus.SKIPPED)
            )
            session.commit()
            result.skipped += len(skipped)
            log.info("reminder.skipped_missed", slots=len(skipped))
    for item in due:
        ua = _send_reminder(work, item, now)
        if ua is not None:
            result.reminded.append(ua)


def _send_reminder(work: Work, item: remind.DueSlot, now: datetime) -> str | None:
    with Session(work.engine) as session:
        if not remind.claim(session, item.slot_id, now):
            return None
        session.commit()
        slot = session.get(ReminderSlot, item.slot_id)
        action = session.get(Action, item.action_id)
        assert slot is not None
        assert action is not None
        tags = [work.settings.reminder_tag, *action.tags]
        channels = select_channels(work.channels(session), tags)
        message = remind.compose(
            session,
            action,
            count(session, action, now=now),
            now=now,
            public_url=work.settings.public_url,
            lead_times=work.settings.lead_times,
            slot_offset_s=slot.offset_s,
        )
        outcomes = send(channels, message)
        work.on_sent("reminder", outcomes)
        delivered = _settle(outcomes)
        retry = not delivered and now + RETRY_AFTER < action.deadline
        if not retry:
            _send_personal(work, session, action, message)
        slot.status = SlotStatus.PENDING if retry else SlotStatus.SENT
        if retry:
            slot.due_at = now + RETRY_AFTER
        slot.sent_at = None if retry else now
        slot.channels_ok = sum(o.ok for o in outcomes)
        slot.channels_failed = sum(not o.ok for o in outcomes)
        session.add(slot)
        session.add(Event(action_id=item.action_id, at=now, kind="reminded", detail=_detail(outcomes)))
        ua, offset_s = action.ua, slot.offset_s
        sent_ok, failed = slot.channels_ok, slot.channels_failed
        session.commit()
    bound = log.bind(action=ua, offset_s=offset_s)
    if not channels:
        bound.warning("reminder.no_channels", tags=tags)
    elif retry:
        bound.warning("reminder.retry_later", failed=failed)
    else:
        bound.info("reminder.sent", channels_ok=sent_ok, failed=failed)
    return ua


def _send_personal(work: Work, session: Session, action: Action, message: Message) -> None:
    """Reminders to supporters who asked for them, each with its one-click unsubscribe link."""
    mail_url = work.settings.mail_url
    if mail_url is None:
        return
    for subscription in confirmed_for(session, action):
        stop = f"{work.settings.public_url}/unsubscribe/{subscription.token}"
        personal = Message(
            title=message.title,
            body=f"{message.body}\n\nNo more reminders for this action: {stop}\n",
            key=f"{message.key}-s{subscription.id}",
        )
        channel = email_to(
            mail_url.get_secret_value(), subscription.email, name=f"subscriber-{subscription.id}"
        )
        work.on_sent("personal", [send_one(channel, personal)])


def _settle(outcomes: Sequence[Outcome]) -> bool:
    """Delivered when any channel took it, or when there was no channel to try."""
    return not outcomes or any(o.ok for o in outcomes)


def _detail(outcomes: Sequence[Outcome]) -> dict[str, object]:
    return {
        "sent": [o.channel for o in outcomes if o.ok],
        "failed": [o.channel for o in outcomes if not o.ok],
    }


def next_due(engine: Engine, now: datetime) -> datetime | None:
    """The earliest instant at which a pass has something to do."""
    with Session(engine) as session:
        slot = session.exec(
            select(func.min(ReminderSlot.due_at))
            .join(Action, col(Action.id) == ReminderSlot.action_id)
            .where(ReminderSlot.status == SlotStatus.PENDING)
            .where(Action.status == ActionStatus.OPEN)
        ).one()
        deadline = session.exec(
            select(func.min(Action.deadline)).where(Action.status == ActionStatus.OPEN)
        ).one()
        tally = session.exec(
            select(func.min(FinalTally.attempt_at)).where(FinalTally.delivery == DeliveryStatus.PENDING)
        ).one()
    candidates = [c for c in (slot, deadline, tally) if c is not None]
    return min(candidates) if candidates else None


def recover_in_flight(engine: Engine) -> int:
    """At start, sends cut short by a crash go back to pending (at least once beats never)."""
    with Session(engine) as session:
        slots = session.exec(
            update(ReminderSlot)
            .where(col(ReminderSlot.status) == SlotStatus.SENDING)
            .values(status=SlotStatus.PENDING, claimed_at=None)
        ).rowcount
        tallies = session.exec(
            update(FinalTally)
            .where(col(FinalTally.delivery) == DeliveryStatus.SENDING)
            .values(delivery=DeliveryStatus.PENDING, claimed_at=None)
        ).rowcount
        session.commit()
    if slots or tallies:
        log.warning("delivery.recovered_in_flight", reminders=slots, tallies=tallies)
    return int(slots + tallies)
