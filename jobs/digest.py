"""Digests: one round-up per channel and period instead of each reminder.

At each digest time (``daily@09:00``, ``weekly@mon 09:00`` in the channel's zone) the channel gets
one message listing every open action whose deadline falls before the next digest plus one period.
The message is an outbox row whose key names the channel and the period, written once: a crash
before it is written leaves it to the next pass, a crash after it leaves it to the dispatcher, and
the period is never sent twice. What a period lists depends on the period alone (the actions open
at its digest time), so a digest decided late after downtime says what it would have said on time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from actions.models import Action, ActionStatus, Delivery
from actions.store import targets_of
from jobs import outbox
from jobs.channels import ChannelRef
from jobs.i18n import counted, shipped, time_left, title_in, when
from jobs.notify import Message
from jobs.render import render

log = structlog.get_logger("ua_scheduler.digest")


@dataclass(frozen=True)
class Period:
    """One digest of one channel: its time, the next one, and the key of its outbox row."""

    channel: ChannelRef
    at: datetime
    next_at: datetime
    until: datetime  # deadlines before this are listed: the next digest plus one period
    key: str
    zone_name: str


def period_of(channel: ChannelRef, now: datetime, default_zone: str) -> Period | None:
    """The channel's latest digest at or before ``now``; None if it is not a digest channel or its
    latest digest time came before the channel was added."""
    spec = channel.options.digest
    if spec is None:
        return None
    tz = channel.options.zone(default_zone)
    at = spec.latest(now, tz)
    if channel.created_at is not None and at < channel.created_at:
        return None
    return Period(
        channel=channel,
        at=at,
        next_at=spec.after(at, tz),
        until=spec.after(at, tz, periods=2),
        key=f"digest/{channel.name}/{spec.period_label(at, tz)}",
        zone_name=channel.options.timezone or default_zone,
    )


def next_digest(channel: ChannelRef, now: datetime, default_zone: str) -> datetime | None:
    """The channel's first digest time after ``now``."""
    spec = channel.options.digest
    if spec is None:
        return None
    tz = channel.options.zone(default_zone)
    return spec.after(spec.latest(now, tz), tz)


def listed(session: Session, period: Period, reminder_tag: str) -> list[Action]:
    """Open actions the channel hears of, open at the digest time, due before ``period.until``."""
    rows: Sequence[Action] = session.exec(
        select(Action)
        .where(Action.status == ActionStatus.OPEN)
        .where(col(Action.created_at) <= period.at)
        .where(col(Action.deadline) > period.at)
        .where(col(Action.deadline) < period.until)
        .order_by(col(Action.deadline), col(Action.ua))
    ).all()
    return [a for a in rows if period.channel.matches([reminder_tag, *a.tags])]


def compose(
    session: Session, period: Period, actions: Sequence[Action], *, now: datetime, public_url: str
) -> Message:
    language = shipped(period.channel.options.language, channel=period.channel.name)
    items = [
        {
            "ua": action.ua,
            "title": title_in(action.title, action.title_i18n, language),
            "time_left": time_left(action.deadline - max(now, period.at), language),
            "deadline_local": when(action.deadline, action.timezone, language),
            "targets": [{"name": t.name, "title": t.title} for t in targets_of(session, action)],
            "report_url": f"{public_url}/ua/{action.ua}/report",
        }
        for action in actions
    ]
    context = {
        "items": items,
        "count": counted(len(items), "action", language),
        "until": when(period.until, period.zone_name, language),
    }
    return Message(
        title=render(f"digest.{language}.title.j2", **context).strip(),
        body=render(f"digest.{language}.body.md.j2", **context),
        key=period.key,
    )


def queue(session: Session, period: Period, *, now: datetime, reminder_tag: str, public_url: str) -> int:
    """Queue the period's digest (in its own transaction); the number of actions it lists, 0 if
    nothing was due or it was queued before."""
    if session.exec(select(Delivery.id).where(Delivery.key == period.key)).first() is not None:
        return 0
    actions = listed(session, period, reminder_tag)
    if not actions:
        return 0
    message = compose(session, period, actions, now=now, public_url=public_url)
    outbox.enqueue(
        session,
        key=period.key,
        kind="digest",
        channel=period.channel.name,
        title=message.title,
        body=message.body,
        now=now,
        not_after=period.next_at,  # a digest that cannot go before the next one is dropped
    )
    try:
        session.commit()
    except IntegrityError:  # another instance queued it first
        session.rollback()
        return 0
    return len(actions)
