"""The tally: what supporters reported, on time and late, counted by SQL aggregates."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from typing import Any

from sqlalchemy import Subquery, func, select, union_all
from sqlmodel import Session, col

from actions.models import Action, ActionStatus, Report
from config.settings import ACTION_KINDS

UNKNOWN_COUNTRY = "unknown"
METHOD = (
    "Each report counts the actions one supporter (or one organised group) says they took, by kind. "
    "Reports from one supporter (known by a salted hash of their email address) are merged: for "
    "each kind the largest number they reported counts once, so a repeated report adds nothing. "
    "Reports received before the deadline make the total; reports received after it are counted "
    "apart as late and are not in the total. Every report is kept with the time it was received."
)


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
    method: str = METHOD
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    @property
    def late(self) -> int:
        return sum(self.late_by_kind.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "ua": self.ua,
            "title": self.title,
            "status": self.status,
            "provisional": self.provisional,
            "deadline": self.deadline.isoformat().replace("+00:00", "Z"),
            "timezone": self.timezone,
            "counted_at": self.counted_at.isoformat().replace("+00:00", "Z"),
            "total": self.total,
            "by_kind": self.by_kind,
            "by_country": self.by_country,
            "late": self.late,
            "late_by_kind": self.late_by_kind,
            "reports": self.reports,
            "late_reports": self.late_reports,
            "method": self.method,
        }


def merged_reports(action_id: int) -> Subquery:
    """One row per supporter (the most of each kind they reported) plus every anonymous report.

    A supporter who reports again restates what they did; their reports are merged, not added, so a
    resubmitted form never counts twice.
    """
    kinds = [col(getattr(Report, kind)) for kind in ACTION_KINDS]
    columns: list[Any] = [
        col(Report.late).label("late"),
        func.max(Report.country).label("country"),
        *(func.max(k).label(name) for k, name in zip(kinds, ACTION_KINDS, strict=True)),
    ]
    supporters = (
        select(*columns)
        .where(col(Report.action_id) == action_id)
        .where(col(Report.supporter_hash).is_not(None))
        .group_by(col(Report.supporter_hash), col(Report.late))
    )
    anonymous = (
        select(col(Report.late).label("late"), col(Report.country).label("country"), *kinds)
        .where(col(Report.action_id) == action_id)
        .where(col(Report.supporter_hash).is_(None))
    )
    return union_all(supporters, anonymous).subquery("merged")


def count(session: Session, action: Action, *, now: datetime) -> Tally:
    """Count ``action``'s reports; a tally of an action still open is provisional."""
    assert action.id is not None
    merged = merged_reports(action.id)
    sums = [func.coalesce(func.sum(merged.c[kind]), 0) for kind in ACTION_KINDS]
    rows = session.execute(select(merged.c.late, func.count(), *sums).group_by(merged.c.late)).all()
    on_time = dict.fromkeys(ACTION_KINDS, 0)
    late = dict.fromkeys(ACTION_KINDS, 0)
    reports = {False: 0, True: 0}
    for row in rows:
        is_late, n = row[0], row[1]
        target = late if is_late else on_time
        reports[bool(is_late)] = int(n)
        for offset, kind in enumerate(ACTION_KINDS, start=2):
            target[kind] = int(row[offset])
    row_total = reduce(operator.add, (merged.c[kind] for kind in ACTION_KINDS))
    countries = session.execute(
        select(merged.c.country, func.sum(row_total))
        .where(merged.c.late.is_(False))
        .group_by(merged.c.country)
    ).all()
    by_country = {str(c or UNKNOWN_COUNTRY): int(n) for c, n in countries}
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
    )
