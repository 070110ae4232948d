"""Reminders decided ahead: rendered and written to the outbox before their due time, sent at it.

A slot is prepared ``prepare_ahead`` before it is due: its rows are written with ``not_before`` (and
first attempt) at the due instant, and the slot is marked sent at that instant. The dispatcher takes
them at the due instant, so nothing is decided or rendered then. Until that instant the rows can
still change, always in the transaction of the change itself:

- a report, a confirmed supporter or a new channel: :func:`refresh` renders the slot again and
  rewrites its rows (new rows for new channels and supporters, changed text, rows for channels gone
  removed);
- an extension, a close or a cancel: the rows are withdrawn (``actions.store``) and the slot
  re-armed or expired.

The rows of a prepared slot are the ones still ``pending`` with ``not_before`` after now and no
attempt made.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import Table, bindparam, delete
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection
from sqlmodel import Session, col, select

from actions import counters
from actions.models import (
    Action,
    ActionStatus,
    Delivery,
    ReminderSlot,
    SlotStatus,
    ever_taken,
    never_taken,
)
from actions.subscriptions import confirmed_for
from config.settings import Settings
from jobs import outbox, remind
from jobs.channels import ChannelRef, reminded_one_by_one, select_channels
from jobs.dispatch import SUBSCRIBER_PREFIX
from jobs.i18n import DEFAULT as DEFAULT_LANGUAGE
from jobs.i18n import shipped
from jobs.notify import Message

log = structlog.get_logger("ua_scheduler.prepared")
SLOT: Table = ReminderSlot.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Row:
    """One outbox row a reminder slot should have."""

    key: str
    kind: str
    channel: str
    title: str
    body: str
    at: datetime | None = None
    """When this row goes out, if not at the slot's due time (before the channel's quiet hours)."""


def rows_for(
    session: Session,
    settings: Settings,
    action: Action,
    slot: ReminderSlot,
    *,
    at: datetime,
    known: Sequence[ChannelRef],
    now: datetime | None = None,
) -> tuple[list[Row], int, int]:
    """The rows of ``slot``'s reminder as sent at ``at``: one per channel, one per supporter who
    asked; and how many of each."""
    channels = reminded_one_by_one(select_channels(known, [settings.reminder_tag, *action.tags]))
    running = counters.running(session, slot.action_id)
    composed: dict[tuple[str, datetime], Message] = {}

    def message_for(language: str, when: datetime) -> Message:
        if (language, when) not in composed:
            composed[language, when] = remind.compose(
                session,
                action,
                running,
                now=when,
                public_url=settings.public_url,
                lead_times=settings.lead_times,
                slot_offset_s=slot.offset_s,
                language=language,
            )
        return composed[language, when]

    base = f"ua-{action.ua}/reminder-{slot.offset_s}s"
    rows = []
    for c in channels:
        # Each channel in its language, and before its quiet hours where the due time falls in them.
        moved_to = remind.send_time(slot.due_at, c, settings.timezone)
        when = at if moved_to >= slot.due_at else max(now or at, moved_to)
        sent = message_for(shipped(c.options.language, channel=c.name), when)
        moved = when if when != at else None
        rows.append(Row(f"{base}/{c.name}", "reminder", c.name, sent.title, sent.body, moved))
    message = message_for(DEFAULT_LANGUAGE, at)
    subscribers = 0
    if settings.mail_url is not None:
        for subscription in confirmed_for(session, action):
            stop = f"{settings.public_url}/unsubscribe/{subscription.token}"
            rows.append(
                Row(
                    f"{base}/subscriber-{subscription.id}",
                    "personal",
                    f"{SUBSCRIBER_PREFIX}{subscription.id}",
                    message.title,
                    f"{message.body}\n\nNo more reminders for this action: {stop}\n",
                )
            )
            subscribers += 1
    return rows, len(channels), subscribers


def enqueue(
    session: Session, action: Action, slot: ReminderSlot, rows: Sequence[Row], *, now: datetime
) -> None:
    """Write the rows, to go out at the slot's due time (at once if that has passed)."""
    for row in rows:
        when = row.at or slot.due_at
        not_before = when if when > now else None
        outbox.enqueue(
            session,
            key=row.key,
            kind=row.kind,
            channel=row.channel,
            title=row.title,
            body=row.body,
            now=now,
            action_id=action.id,
            not_after=action.deadline,
            not_before=not_before,
            slot_id=slot.id,
        )


_PREPARED = (
    sa_select(SLOT.c.id)
    .where(
        SLOT.c.action_id == bindparam("action_id"),
        SLOT.c.status == SlotStatus.SENT,
        SLOT.c.due_at > bindparam("now", type_=SLOT.c.due_at.type),
    )
    .limit(1)
)


def has_prepared(connection: Connection, action_id: int, now: datetime) -> bool:
    """Whether the action has a reminder decided and not yet due: one indexed query, built once,
    asked by the report door in every report's transaction."""
    return connection.execute(_PREPARED, {"action_id": action_id, "now": now}).first() is not None


def prepared_slots(session: Session, action: Action, now: datetime) -> Sequence[ReminderSlot]:
    """The action's slots decided but not yet due."""
    return session.exec(
        select(ReminderSlot)
        .where(ReminderSlot.action_id == action.id)
        .where(ReminderSlot.status == SlotStatus.SENT)
        .where(col(ReminderSlot.due_at) > now)
    ).all()


def refresh(
    session: Session,
    settings: Settings,
    action: Action,
    now: datetime,
    channels: Callable[[Session], Sequence[ChannelRef]],
) -> int:
    """Render the action's prepared reminders again and bring their rows in line, in the caller's
    transaction: after a report (the running total in the text), a confirmed supporter or a new
    channel. Returns how many rows changed; costs one query when nothing is prepared."""
    if action.status is not ActionStatus.OPEN:
        return 0
    slots = prepared_slots(session, action, now)
    if not slots:
        return 0
    known = channels(session)
    changed = 0
    for slot in slots:
        wanted = {
            r.key: r
            for r in rows_for(session, settings, action, slot, at=slot.due_at, known=known, now=now)[0]
        }
        of_slot = col(Delivery.slot_id) == slot.id
        taken = set(session.exec(select(Delivery.key).where(of_slot, ever_taken())).all())  # left as is
        current = {r.key: r for r in session.exec(select(Delivery).where(of_slot, *never_taken())).all()}
        gone = [r.id for key, r in current.items() if key not in wanted]
        if gone:
            session.exec(delete(Delivery).where(col(Delivery.id).in_(gone)))
            changed += len(gone)
        for key, row in wanted.items():
            existing = current.get(key)
            if key in taken:
                continue
            if existing is None:
                enqueue(session, action, slot, [row], now=now)
                changed += 1
            elif (existing.title, existing.body) != (row.title, row.body):
                existing.title, existing.body = row.title, row.body
                session.add(existing)
                changed += 1
    if changed:
        log.info("reminder.refreshed", action=action.ua, deliveries=changed)
    return changed


def refresh_all(
    session: Session,
    settings: Settings,
    now: datetime,
    channels: Callable[[Session], Sequence[ChannelRef]],
) -> int:
    """:func:`refresh` for every action with a prepared reminder: after a channel is added."""
    action_ids = set(
        session.exec(
            select(ReminderSlot.action_id)
            .where(ReminderSlot.status == SlotStatus.SENT)
            .where(col(ReminderSlot.due_at) > now)
        ).all()
    )
    actions = [session.get(Action, action_id) for action_id in sorted(action_ids)]
    return sum(refresh(session, settings, a, now, channels) for a in actions if a is not None)
