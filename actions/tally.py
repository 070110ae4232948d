"""The tally: what supporters reported, on time and late, counted by SQL aggregates."""

from __future__ import annotations

import hashlib
import json
import operator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import reduce
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from actions.counters import merged
from actions.models import (
    Action,
    ActionStatus,
    Delivery,
    Event,
    OutboxStatus,
    ReminderSlot,
    Report,
    SlotStatus,
    Target,
)
from config.settings import ACTION_KINDS

UNKNOWN = "unknown"
UNKNOWN_COUNTRY = UNKNOWN
METHOD = (
    "Each report counts the actions one supporter (or one organised group) says they took, by kind. "
    "Reports from one supporter (known only by a salted hash of their email address) are merged: for "
    "each kind and target the largest number they reported counts once, so a repeated report adds "
    "nothing. Reports without an address count as they come; the report door limits how often one "
    "address may report. Reports received before the deadline make the total; reports received after "
    "it are counted apart as late and are not in the total. Every report is kept with the time it was "
    "received, so the count can be made again from the records."
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


@dataclass(frozen=True)
class Tally:
    ua: str
    title: str
    status: str
    deadline: datetime
    timezone: str
    counted_at: datetime
    provisional: bool
    by_kind: dict[str, int]
    late_by_kind: dict[str, int]
    by_country: dict[str, int]
    reports: int
    late_reports: int
    subject: str | None = None
    deadline_date: date | None = None
    created_at: datetime | None = None
    closed_at: datetime | None = None
    targets: list[dict[str, str | None]] = field(default_factory=list)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    by_target: dict[str, int] = field(default_factory=dict)
    supporters: int = 0
    anonymous_reports: int = 0
    reminders_by_channel: dict[str, int] = field(default_factory=dict)
    reminders_sent: list[datetime] = field(default_factory=list)
    per_day: list[dict[str, Any]] = field(default_factory=list)
    preferred_languages: list[str] = field(default_factory=list)
    method: str = METHOD

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def late(self) -> int:
        return sum(self.late_by_kind.values())

    def numbers(self) -> dict[str, Any]:
        """What was counted, without when: the same records always give the same numbers."""
        return {
            "ua": self.ua,
            "total": self.total,
            "by_kind": self.by_kind,
            "by_country": self.by_country,
            "by_target": self.by_target,
            "late": self.late,
            "late_by_kind": self.late_by_kind,
            "reports": self.reports,
            "late_reports": self.late_reports,
            "supporters": self.supporters,
            "anonymous_reports": self.anonymous_reports,
        }

    def content_hash(self) -> str:
        canonical = json.dumps(self.numbers(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            **self.numbers(),
            "title": self.title,
            "subject": self.subject,
            "status": self.status,
            "provisional": self.provisional,
            "deadline": _iso(self.deadline),
            "deadline_date": self.deadline_date.isoformat() if self.deadline_date else None,
            "timezone": self.timezone,
            "created_at": _iso(self.created_at),
            "closed_at": _iso(self.closed_at),
            "counted_at": _iso(self.counted_at),
            "targets": self.targets,
            "extensions": self.extensions,
            "reminders_by_channel": self.reminders_by_channel,
            "reminders_sent": [_iso(t) for t in self.reminders_sent],
            "per_day": self.per_day,
            "preferred_languages": self.preferred_languages,
            "content_hash": self.content_hash(),
            "method": self.method,
        }


def count(session: Session, action: Action, *, now: datetime) -> Tally:
    """Count ``action``'s reports; a tally of an action still open is provisional.

    The merged reports are read once, grouped by lateness, country and target; the totals by kind,
    country and target are folded from those groups.
    """
    assert action.id is not None
    rows = merged(action.id, col(Report.held).is_(False))
    sums = [func.coalesce(func.sum(rows.c[kind]), 0) for kind in ACTION_KINDS]
    groups = session.execute(
        core_select(rows.c.late, rows.c.country, rows.c.target_id, func.count(), *sums).group_by(
            rows.c.late, rows.c.country, rows.c.target_id
        )
    ).all()
    on_time = dict.fromkeys(ACTION_KINDS, 0)
    late = dict.fromkeys(ACTION_KINDS, 0)
    reports = {False: 0, True: 0}
    by_country: dict[str, int] = {}
    per_target: dict[int, int] = {}
    for row in groups:
        is_late, country, target_id, n = bool(row[0]), row[1], row[2], int(row[3])
        counts = [int(v) for v in row[4:]]
        reports[is_late] += n
        bucket = late if is_late else on_time
        for kind, value in zip(ACTION_KINDS, counts, strict=True):
            bucket[kind] += value
        if not is_late:
            key = str(country or UNKNOWN)
            by_country[key] = by_country.get(key, 0) + sum(counts)
            if target_id is not None:
                per_target[target_id] = per_target.get(target_id, 0) + sum(counts)
    targets = session.exec(
        select(Target).where(Target.action_id == action.id).order_by(col(Target.position))
    ).all()
    names = {t.id: t.name for t in targets}
    return Tally(
        ua=action.ua,
        title=action.title,
        status=action.status.value,
        deadline=action.deadline,
        timezone=action.timezone,
        counted_at=now,
        provisional=action.status is ActionStatus.OPEN,
        by_kind=on_time,
        late_by_kind=late,
        by_country=dict(sorted(by_country.items())),
        reports=reports[False],
        late_reports=reports[True],
        subject=action.subject,
        deadline_date=action.deadline_date,
        created_at=action.created_at,
        closed_at=action.closed_at,
        targets=[{"name": t.name, "title": t.title, "salutation": t.salutation} for t in targets],
        extensions=_extensions(session, action),
        by_target={names.get(t, UNKNOWN): n for t, n in per_target.items()},
        supporters=_supporters(session, action),
        anonymous_reports=_anonymous(session, action),
        reminders_by_channel=_reminders_by_channel(session, action),
        reminders_sent=_reminders_sent(session, action),
        per_day=_per_day(session, action),
        preferred_languages=list(action.preferred_languages),
    )


def _supporters(session: Session, action: Action) -> int:
    return int(
        session.execute(
            core_select(func.count(func.distinct(Report.supporter_hash)))
            .where(col(Report.action_id) == action.id)
            .where(col(Report.late).is_(False))
        ).scalar_one()
    )


def _anonymous(session: Session, action: Action) -> int:
    return int(
        session.execute(
            core_select(func.count())
            .select_from(Report)
            .where(col(Report.action_id) == action.id)
            .where(col(Report.late).is_(False))
            .where(col(Report.supporter_hash).is_(None))
        ).scalar_one()
    )


def _extensions(session: Session, action: Action) -> list[dict[str, Any]]:
    events = session.exec(
        select(Event)
        .where(Event.action_id == action.id)
        .where(col(Event.kind) == "extended")
        .order_by(col(Event.at))
    ).all()
    return [
        {
            "at": _iso(e.at),
            "old": e.detail.get("old"),
            "new": e.detail.get("new"),
            "source": e.detail.get("source"),
        }
        for e in events
    ]


def _reminders_by_channel(session: Session, action: Action) -> dict[str, int]:
    rows = session.execute(
        core_select(col(Delivery.channel), func.count())
        .where(col(Delivery.action_id) == action.id)
        .where(col(Delivery.kind) == "reminder")
        .where(col(Delivery.status) == OutboxStatus.SENT)
        .group_by(col(Delivery.channel))
    ).all()
    return {str(channel): int(n) for channel, n in sorted(rows)}


def _reminders_sent(session: Session, action: Action) -> list[datetime]:
    slots = session.exec(
        select(ReminderSlot)
        .where(ReminderSlot.action_id == action.id)
        .where(ReminderSlot.status == SlotStatus.SENT)
        .order_by(col(ReminderSlot.sent_at))
    ).all()
    return [s.sent_at for s in slots if s.sent_at is not None]


def _per_day(session: Session, action: Action) -> list[dict[str, Any]]:
    """Reports and actions received per day (UTC days), late ones included and marked by date."""
    day = func.date(Report.received_at)
    row_total = reduce(operator.add, (col(getattr(Report, kind)) for kind in ACTION_KINDS))
    rows = session.execute(
        core_select(day, func.count(), func.sum(row_total))
        .where(col(Report.action_id) == action.id)
        .group_by(day)
        .order_by(day)
    ).all()
    return [{"date": str(d), "reports": int(n), "actions": int(total or 0)} for d, n, total in rows]
