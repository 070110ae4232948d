"""The tally: what supporters reported, on time and late, counted by SQL aggregates.

Once an action is closed its numbers are frozen in the archived final tally, and every reader serves
that one (``current_tally``). Reports stored after the close are late: kept, and shown apart in an
addendum that never changes the frozen numbers. Reports held for review are shown apart too and count
only once approved.
"""

from __future__ import annotations

import hashlib
import json
import operator
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import reduce
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from actions import counters
from actions.counters import merged
from actions.errors import InvalidInputError
from actions.models import (
    Action,
    ActionStatus,
    Delivery,
    Event,
    FinalTally,
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
    "address may report, and an anonymous report claiming more than a set number of any kind is held "
    "for staff review and counts only once approved. Reports received before the close (the deadline, "
    "or an earlier close by staff) make the total; reports received after it are kept and shown apart "
    "as late, and never change the total. Every report is kept with the time it was received, so the "
    "count can be made again from the records."
)


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


def _instant(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


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
    targets: list[dict[str, Any]] = field(default_factory=list)
    title_i18n: dict[str, str] = field(default_factory=dict)
    extensions: list[dict[str, Any]] = field(default_factory=list)
    by_target: dict[str, int] = field(default_factory=dict)
    supporters: int = 0
    anonymous_reports: int = 0
    reminders_by_channel: dict[str, int] = field(default_factory=dict)
    reminders_sent: list[datetime] = field(default_factory=list)
    per_day: list[dict[str, Any]] = field(default_factory=list)
    preferred_languages: list[str] = field(default_factory=list)
    method: str = METHOD
    late_by_country: dict[str, int] = field(default_factory=dict)
    held_by_kind: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTION_KINDS, 0))
    held_reports: int = 0
    revision: int | None = None
    """The archived final tally this is (1 for the first close), or None for a count made now."""
    superseded_at: datetime | None = None
    archived_hash: str | None = None
    """The hash stored at the close, served as is (archives older than this code hashed more)."""

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def late(self) -> int:
        return sum(self.late_by_kind.values())

    @property
    def held(self) -> int:
        return sum(self.held_by_kind.values())

    @property
    def addendum(self) -> str | None:
        """The line for reports received after the close, or None if there are none."""
        if not self.late_reports:
            return None
        after = "the deadline" if self.provisional else "the close"
        actions, reports = _plural(self.late, "action"), _plural(self.late_reports, "report")
        return f"received after {after}: {actions} in {reports}"

    @property
    def held_line(self) -> str | None:
        if not self.held_reports:
            return None
        return f"held for review: {_plural(self.held, 'action')} in {_plural(self.held_reports, 'report')}"

    def numbers(self) -> dict[str, Any]:
        """The frozen numbers, without when: the same records always give the same numbers."""
        return {
            "ua": self.ua,
            "total": self.total,
            "by_kind": self.by_kind,
            "by_country": self.by_country,
            "by_target": self.by_target,
            "reports": self.reports,
            "supporters": self.supporters,
            "anonymous_reports": self.anonymous_reports,
        }

    def content_hash(self) -> str:
        if self.archived_hash is not None:
            return self.archived_hash
        canonical = json.dumps(self.numbers(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {
            **self.numbers(),
            "late": self.late,
            "late_by_kind": self.late_by_kind,
            "late_reports": self.late_reports,
            "late_by_country": self.late_by_country,
            "held": self.held,
            "held_by_kind": self.held_by_kind,
            "held_reports": self.held_reports,
            "revision": self.revision,
            "superseded_at": _iso(self.superseded_at),
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
            "title_i18n": self.title_i18n,
            "targets": self.targets,
            "extensions": self.extensions,
            "reminders_by_channel": self.reminders_by_channel,
            "reminders_sent": [_iso(t) for t in self.reminders_sent],
            "per_day": self.per_day,
            "preferred_languages": self.preferred_languages,
            "content_hash": self.content_hash(),
            "method": self.method,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Tally:
        """A tally as archived by ``to_json`` (fields later versions added take their defaults)."""
        deadline = _instant(data.get("deadline"))
        counted_at = _instant(data.get("counted_at"))
        assert deadline is not None, "an archived tally has a deadline"
        assert counted_at is not None, "an archived tally has its time of count"
        deadline_date = data.get("deadline_date")
        return cls(
            ua=data["ua"],
            title=data.get("title") or "",
            status=data.get("status") or "closed",
            deadline=deadline,
            timezone=data.get("timezone") or "UTC",
            counted_at=counted_at,
            provisional=bool(data.get("provisional", False)),
            by_kind=dict(data.get("by_kind") or {}),
            late_by_kind=dict(data.get("late_by_kind") or dict.fromkeys(ACTION_KINDS, 0)),
            by_country=dict(data.get("by_country") or {}),
            reports=int(data.get("reports") or 0),
            late_reports=int(data.get("late_reports") or 0),
            subject=data.get("subject"),
            deadline_date=date.fromisoformat(deadline_date) if deadline_date else None,
            created_at=_instant(data.get("created_at")),
            closed_at=_instant(data.get("closed_at")),
            targets=list(data.get("targets") or []),
            extensions=list(data.get("extensions") or []),
            by_target=dict(data.get("by_target") or {}),
            supporters=int(data.get("supporters") or 0),
            anonymous_reports=int(data.get("anonymous_reports") or 0),
            reminders_by_channel=dict(data.get("reminders_by_channel") or {}),
            reminders_sent=[t for t in map(_instant, data.get("reminders_sent") or []) if t],
            per_day=list(data.get("per_day") or []),
            preferred_languages=list(data.get("preferred_languages") or []),
            method=data.get("method") or METHOD,
            late_by_country=dict(data.get("late_by_country") or {}),
            held_by_kind=dict(data.get("held_by_kind") or dict.fromkeys(ACTION_KINDS, 0)),
            held_reports=int(data.get("held_reports") or 0),
            title_i18n=dict(data.get("title_i18n") or {}),
        )


def counted() -> Any:
    """Reports that count: not held for review (rejected ones stay held, and are never counted)."""
    return col(Report.held).is_(False)


def count(session: Session, action: Action, *, now: datetime) -> Tally:
    """Count ``action``'s reports; a tally of an action still open is provisional.

    The merged reports are read once, grouped by lateness, country and target; the totals by kind,
    country and target are folded from those groups.
    """
    assert action.id is not None
    rows = merged(action.id, counted())
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
    late_by_country: dict[str, int] = {}
    per_target: dict[int, int] = {}
    for row in groups:
        is_late, country, target_id, n = bool(row[0]), row[1], row[2], int(row[3])
        counts = [int(v) for v in row[4:]]
        reports[is_late] += n
        bucket = late if is_late else on_time
        for kind, value in zip(ACTION_KINDS, counts, strict=True):
            bucket[kind] += value
        key = str(country or UNKNOWN)
        if is_late:
            late_by_country[key] = late_by_country.get(key, 0) + sum(counts)
        else:
            by_country[key] = by_country.get(key, 0) + sum(counts)
            if target_id is not None:
                per_target[target_id] = per_target.get(target_id, 0) + sum(counts)
    targets = session.exec(
        select(Target).where(Target.action_id == action.id).order_by(col(Target.position))
    ).all()
    names = {t.id: t.name for t in targets}
    held = counters.running(session, action.id).held_counts
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
        targets=[
            {
                "name": t.name,
                "title": t.title,
                "rank": t.rank,
                "salutation": t.salutation,
                "salutations": dict(t.salutations or {}),
            }
            for t in targets
        ],
        title_i18n=dict(action.title_i18n or {}),
        extensions=_extensions(session, action),
        by_target={names.get(t, UNKNOWN): n for t, n in per_target.items()},
        supporters=_supporters(session, action),
        anonymous_reports=_anonymous(session, action),
        reminders_by_channel=_reminders_by_channel(session, action),
        reminders_sent=_reminders_sent(session, action),
        per_day=_per_day(session, action),
        preferred_languages=list(action.preferred_languages),
        late_by_country=dict(sorted(late_by_country.items())),
        held_by_kind=dict(held.by_kind),
        held_reports=held.reports,
    )


def current_tally(session: Session, action: Action, *, now: datetime) -> Tally:
    """The tally every reader shows: once closed, the archived final one with its addendum."""
    if action.status is ActionStatus.CLOSED:
        archive = final_tallies(session, action)
        if archive and archive[-1].superseded_at is None:
            return with_addendum(session, action, _archived(archive[-1], len(archive)))
    return count(session, action, now=now)


def page_totals(session: Session, action: Action) -> counters.Running | Tally:
    """What a page shows (``total``, ``late``, ``held``): the running totals, and once the action is
    closed the archived final tally's, without counting every report."""
    assert action.id is not None
    if action.status is ActionStatus.CLOSED:
        archive = final_tallies(session, action)
        if archive and archive[-1].superseded_at is None:
            return with_addendum(session, action, _archived(archive[-1], len(archive)))
    return counters.running(session, action.id)


def with_addendum(session: Session, action: Action, frozen: Tally) -> Tally:
    """The archived ``frozen`` tally with what came since its close, from the running totals:
    reports received after the close (late) and reports held for review."""
    assert action.id is not None
    totals = counters.running(session, action.id)
    late = totals.late_counts
    rows = merged(action.id, counted(), col(Report.late).is_(True))
    total = sum((rows.c[kind] for kind in ACTION_KINDS[1:]), rows.c[ACTION_KINDS[0]])
    by_country = session.execute(
        core_select(rows.c.country, func.coalesce(func.sum(total), 0)).group_by(rows.c.country)
    ).all()
    late_by_country: dict[str, int] = {}
    for country, n in by_country:
        key = str(country or UNKNOWN)
        late_by_country[key] = late_by_country.get(key, 0) + int(n)
    return replace(
        frozen,
        status=action.status.value,
        late_by_kind=dict(late.by_kind),
        late_reports=late.reports,
        late_by_country=dict(sorted(late_by_country.items())),
        held_by_kind=dict(totals.held_counts.by_kind),
        held_reports=totals.held_counts.reports,
    )


def final_tallies(session: Session, action: Action) -> Sequence[FinalTally]:
    """Every final tally archived for the action, oldest first; revision N is the N-th."""
    return session.exec(
        select(FinalTally).where(FinalTally.action_id == action.id).order_by(col(FinalTally.id))
    ).all()


def archived_tally(session: Session, action: Action, revision: int) -> Tally:
    """Revision ``revision`` of the action's final tally, as archived (the current one with its addendum)."""
    archive = final_tallies(session, action)
    if not 1 <= revision <= len(archive):
        known = f"1 to {len(archive)}" if archive else "none yet"
        raise InvalidInputError(
            "revision", f"UA {action.ua} has no final tally {revision} (revisions: {known})"
        )
    record = archive[revision - 1]
    tally = _archived(record, revision)
    if record.superseded_at is None and action.status is ActionStatus.CLOSED:
        return with_addendum(session, action, tally)
    return tally


def history(session: Session, action: Action) -> list[dict[str, Any]]:
    """Every archived final tally: its revision, time, total, hash and whether it was superseded."""
    rows = []
    for revision, record in enumerate(final_tallies(session, action), start=1):
        frozen = Tally.from_json(record.data)
        rows.append(
            {
                "revision": revision,
                "counted_at": _iso(record.created_at),
                "total": frozen.total,
                "reports": frozen.reports,
                "content_hash": record.content_hash,
                "superseded": record.superseded_at is not None,
                "superseded_at": _iso(record.superseded_at),
            }
        )
    return rows


def _archived(record: FinalTally, revision: int) -> Tally:
    return replace(
        Tally.from_json(record.data),
        provisional=False,
        revision=revision,
        superseded_at=record.superseded_at,
        archived_hash=record.content_hash,
    )


def _supporters(session: Session, action: Action) -> int:
    return int(
        session.execute(
            core_select(func.count(func.distinct(Report.supporter_hash)))
            .where(col(Report.action_id) == action.id)
            .where(col(Report.late).is_(False))
            .where(counted())
        ).scalar_one()
    )


def _anonymous(session: Session, action: Action) -> int:
    return int(
        session.execute(
            core_select(func.count())
            .select_from(Report)
            .where(col(Report.action_id) == action.id)
            .where(col(Report.late).is_(False))
            .where(counted())
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
        .where(counted())
        .group_by(day)
        .order_by(day)
    ).all()
    return [{"date": str(d), "reports": int(n), "actions": int(total or 0)} for d, n, total in rows]
