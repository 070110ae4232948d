"""One pass over what is due: close, decide reminders, dispatch the outbox. Small steps, one clock.

Every decision to send (a reminder slot that came due, an action closed with its final tally) is
written in one transaction with its outbox rows, one per channel; the dispatcher then sends them.
A crash between the two loses nothing: the rows wait in the outbox.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete, func, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from actions.models import (
    Action,
    ActionStatus,
    Delivery,
    OutboxStatus,
    ReminderSlot,
    SlotStatus,
    ever_taken,
    never_taken,
)
from actions.store import record
from config.settings import Settings
from jobs import close, digest, outbox, prepared, remind
from jobs.channels import ChannelRef, reminded_one_by_one, select_channels
from jobs.dispatch import Dispatcher, DispatchResult
from jobs.render import render

log = structlog.get_logger("ua_scheduler.jobs")
DECIDE_BATCH = 50
"""Reminder decisions written per transaction: few commits, and rows for the dispatcher soon."""
DISPATCH_POLL_S = 0.05
DEFAULT_LEASE = timedelta(seconds=60)


@dataclass
class Work:
    """What a pass needs: the store, the settings, where to find the channels, who sends."""

    engine: Engine
    settings: Settings
    channels: Callable[[Session], Sequence[ChannelRef]]
    dispatcher: Dispatcher
    """The process's one dispatcher, kept from pass to pass."""


@dataclass
class PassResult:
    closed: list[str] = field(default_factory=list)
    reminded: list[str] = field(default_factory=list)
    digests: list[str] = field(default_factory=list)
    """Channels (by name) whose digest was queued in this pass."""
    skipped: int = 0
    deliveries: DispatchResult = field(default_factory=DispatchResult)

    @property
    def tallies_delivered(self) -> list[str]:
        """UA numbers whose final tally reached a channel in this pass."""
        found = {k.split("/")[0].removeprefix("ua-") for k in self.deliveries.keys if "/final-tally/" in k}
        return sorted(found)

    def did_something(self) -> bool:
        return bool(self.closed or self.reminded or self.digests or self.skipped or self.deliveries.total())

    def add(self, other: PassResult) -> None:
        self.closed += other.closed
        self.reminded += other.reminded
        self.digests += other.digests
        self.skipped += other.skipped
        for name in ("sent", "retried", "failed", "dropped"):
            setattr(self.deliveries, name, getattr(self.deliveries, name) + getattr(other.deliveries, name))
        self.deliveries.keys += other.deliveries.keys


def run_pass(work: Work, now: datetime, *, plan: bool = True) -> PassResult:
    """Do everything due at ``now``; safe to run again at once (every step claims before it acts).

    With ``plan=False`` only the outbox is dispatched: an instance that is not the leader does that.
    """
    result = PassResult()
    if not plan:
        result.deliveries = work.dispatcher.run(now)
        return result
    due = pick_reminders(work, now, result)
    # Sending starts next: reminders prepared for this instant go out while the reminders still to
    # decide and the closes are written, and the first ones out wait for none of them. Reminders
    # come before closes: a reminder races its deadline, a close (which renders the final tally's
    # PDF) is already past its own.
    decided = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dispatch") as pool:
        sending = pool.submit(_dispatch_until, work, now, decided)
        try:
            decide_reminders(work, now, result, due)
            close_due(work, now, result)
            decide_digests(work, now, result)
        finally:
            decided.set()
        result.deliveries = sending.result()
    return result


def _dispatch_until(work: Work, now: datetime, decided: threading.Event) -> DispatchResult:
    """Dispatch what is due, again and again, until the decisions are done and nothing is left."""
    total = DispatchResult()
    while True:
        finished = decided.is_set()
        batch = work.dispatcher.run(now)
        for name in ("sent", "retried", "failed", "dropped"):
            setattr(total, name, getattr(total, name) + getattr(batch, name))
        total.keys += batch.keys
        if finished:
            return total
        if not batch.total():
            decided.wait(DISPATCH_POLL_S)


def close_due(work: Work, now: datetime, result: PassResult) -> None:
    with Session(work.engine) as session:
        action_ids = close.due_for_close(session, now)
        channels = work.channels(session) if action_ids else []
    for action_id in action_ids:
        with Session(work.engine) as session:
            if not close.close_and_count(session, action_id, now, reason="deadline passed"):
                continue
            action = session.get(Action, action_id)
            assert action is not None
            queued = enqueue_final_tally(
                session, action, now, report_tag=work.settings.report_tag, channels=channels
            )
            ua = action.ua
            session.commit()
        result.closed.append(ua)
        log.info("action.closed", action=ua, reason="deadline passed", tally_to=queued)


def enqueue_final_tally(
    session: Session,
    action: Action,
    now: datetime,
    *,
    report_tag: str,
    channels: Sequence[ChannelRef],
) -> list[str]:
    """Queue the stored final tally to the channels with ``report_tag``, in the caller's transaction."""
    record = close.latest_final_tally(session, action)
    channels = select_channels(channels, [report_tag])
    title = render("tally.title.j2", tally=record.data).strip()
    for channel in channels:
        row = outbox.enqueue(
            session,
            key=f"ua-{action.ua}/final-tally/{record.id}/{channel.name}",
            kind="tally",
            channel=channel.name,
            title=title,
            body=record.markdown,
            now=now,
            action_id=action.id,
        )
        row.final_tally_id = record.id
    if not channels:
        log.warning("tally.no_channels", action=action.ua, tag=report_tag)
    return [c.name for c in channels]


def pick_reminders(work: Work, now: datetime, result: PassResult) -> list[remind.DueSlot]:
    """The slots to decide at ``now`` (due by ``now + prepare_ahead``); missed ones skipped, and a
    prepared reminder that never went out superseded by the later one now due (after downtime)."""
    with Session(work.engine) as session:
        # A reminder is prepared early enough to go out before the longest quiet window.
        quiet = remind.quiet_lookahead(reminded_one_by_one(work.channels(session)))
        due, skipped = remind.pick_due(session, now, ahead=max(work.settings.prepare_ahead, quiet))
        if skipped:
            session.exec(
                update(ReminderSlot)
                .where(col(ReminderSlot.id).in_(skipped))
                .where(col(ReminderSlot.status) == SlotStatus.PENDING)
                .values(status=SlotStatus.SKIPPED)
            )
            result.skipped += len(skipped)
            log.info("reminder.skipped_missed", slots=len(skipped))
        superseded = _supersede(session, [item.action_id for item in due if item.missed])
        result.skipped += superseded
        session.commit()
    return due


def _supersede(session: Session, action_ids: Sequence[int]) -> int:
    """Withdraw reminders prepared but never sent for actions that have a later one due now: after
    downtime one reminder goes out, the latest, whether the earlier ones were decided or not.

    A reminder that had begun to go out (a row claimed, perhaps by a process killed mid-send) is
    left to finish, so no reminder reaches only some of its channels."""
    if not action_ids:
        return 0
    rows = (
        col(Delivery.action_id).in_(action_ids),
        col(Delivery.kind).in_(("reminder", "personal")),
        col(Delivery.slot_id).is_not(None),
    )
    prepared = set(session.exec(select(Delivery.slot_id).where(*rows, *never_taken())).all())
    begun = set(session.exec(select(Delivery.slot_id).where(*rows, ever_taken())).all())
    slot_ids = prepared - begun
    if not slot_ids:
        return 0
    session.exec(delete(Delivery).where(col(Delivery.slot_id).in_(slot_ids)))
    session.exec(
        update(ReminderSlot).where(col(ReminderSlot.id).in_(slot_ids)).values(status=SlotStatus.SKIPPED)
    )
    log.info("reminder.superseded", slots=len(slot_ids))
    return len(slot_ids)


def decide_reminders(work: Work, now: datetime, result: PassResult, due: Sequence[remind.DueSlot]) -> None:
    """Decide the picked slots: those already due go out at once, the others are prepared, to go
    out at their due instant."""
    with Session(work.engine) as session:
        known = work.channels(session) if due else []  # read once a pass, not once a reminder
    for start in range(0, len(due), DECIDE_BATCH):
        with Session(work.engine) as session:
            decided = [
                _decide_reminder(work, session, item, now, known)
                for item in due[start : start + DECIDE_BATCH]
            ]
            session.commit()
        for item in decided:
            if item is None:
                continue
            ua, offset_s, channels, subscribers, at = item
            result.reminded.append(ua)
            bound = log.bind(action=ua, offset_s=offset_s)
            if not channels and not subscribers:
                bound.warning("reminder.no_channels")
            elif at > now:
                bound.info("reminder.prepared", channels=channels, subscribers=subscribers, at=at.isoformat())
            else:
                bound.info("reminder.queued", channels=channels, subscribers=subscribers)


def _decide_reminder(
    work: Work, session: Session, item: remind.DueSlot, now: datetime, known: Sequence[ChannelRef]
) -> tuple[str, int, int, int, datetime] | None:
    """Claim the slot and queue its message to every channel and subscriber, in the caller's
    transaction, to go out at the slot's due time (at once if that has passed); return (UA, offset,
    channels, subscribers, when), or None if it was claimed elsewhere."""
    if not remind.claim(session, item.slot_id, now):
        return None
    slot = session.get(ReminderSlot, item.slot_id)
    action = session.get(Action, item.action_id)
    assert slot is not None
    assert action is not None
    at = max(now, slot.due_at)
    rows, channels, subscribers = prepared.rows_for(
        session, work.settings, action, slot, at=at, known=known, now=now
    )
    prepared.enqueue(session, action, slot, rows, now=now)
    slot.status = SlotStatus.SENT
    slot.sent_at = at
    slot.channels_ok = channels
    session.add(slot)
    names = [r.channel for r in rows if r.kind == "reminder"]
    record(session, action, at, "reminded", channels=names, subscribers=subscribers)
    return action.ua, slot.offset_s, channels, subscribers, at


def decide_digests(work: Work, now: datetime, result: PassResult) -> None:
    """Queue each digest channel's round-up for its latest period, once."""
    with Session(work.engine) as session:
        periods = [digest.period_of(c, now, work.settings.timezone) for c in work.channels(session)]
    for period in periods:
        if period is None:
            continue
        with Session(work.engine) as session:
            listed = digest.queue(
                session,
                period,
                now=now,
                reminder_tag=work.settings.reminder_tag,
                public_url=work.settings.public_url,
            )
        if listed:
            result.digests.append(period.channel.name)
            log.info("digest.queued", channel=period.channel.name, period=period.key, actions=listed)


def next_due(
    engine: Engine,
    now: datetime,
    *,
    lease: timedelta = DEFAULT_LEASE,
    ahead: timedelta = timedelta(0),
    work: Work | None = None,
) -> datetime | None:
    """The earliest instant at which a pass has something to do.

    A reminder is decided ``ahead`` of its due time, and its rows wake the pass again at that time.
    A claim whose process died is taken again when its ``lease`` runs out: that is due too. Given
    the ``work`` (its channels), reminders are decided early enough for the longest quiet window,
    and each digest channel's next digest time counts too.
    """
    extra: list[datetime] = []
    if work is not None:
        with Session(work.engine) as session:
            known = work.channels(session)
        ahead = max(ahead, remind.quiet_lookahead(reminded_one_by_one(known)))
        extra = [t for c in known if (t := digest.next_digest(c, now, work.settings.timezone)) is not None]
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
        delivery = session.exec(
            select(func.min(Delivery.next_attempt_at)).where(Delivery.status == OutboxStatus.PENDING)
        ).one()
        claimed = session.exec(
            select(func.min(Delivery.claimed_at)).where(Delivery.status == OutboxStatus.SENDING)
        ).one()
    stale = claimed + lease if claimed is not None else None
    decide = slot - ahead if slot is not None else None
    candidates = [c for c in (decide, deadline, delivery, stale, *extra) if c is not None]
    return min(candidates) if candidates else None


def recover_in_flight(engine: Engine) -> int:
    """At the start of the only instance (SQLite), claims cut short by a crash are released.

    The rows go out again with the same key: at least once beats never. With several instances
    (PostgreSQL) a claim is released when its lease runs out instead.
    """
    with Session(engine) as session:
        released = outbox.release_all(session)
    if released:
        log.warning("delivery.recovered_in_flight", deliveries=released)
    return released
