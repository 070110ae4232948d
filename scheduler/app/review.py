"""Reports held for review: reports from the public door (JSON or form) claiming more of a kind than
the ``report_review_above`` setting. Staff list them, approve them (they count from then on) or reject
them (kept, never counted). The running totals follow in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from actions import counters
from actions.errors import InvalidInputError, LifecycleError, NotFoundError
from actions.models import Action, ActionStatus, Report, Review
from actions.store import record
from actions.views import iso
from config.settings import ACTION_KINDS

WHY_MAX_LEN = 500


def held(session: Session) -> list[dict[str, Any]]:
    """Every report waiting for review, oldest first, as staff see it."""
    return [describe(report, ua) for report, ua in listed(session)]


def listed(session: Session) -> Sequence[tuple[Report, str]]:
    """Every report waiting for review, oldest first, with its action's number."""
    rows = session.exec(
        select(Report, Action.ua)
        .join(Action, col(Action.id) == Report.action_id)
        .where(col(Report.held).is_(True))
        .where(col(Report.review).is_(None))
        .order_by(col(Report.received_at), col(Report.id))
    ).all()
    return [(report, str(ua)) for report, ua in rows]


def describe(report: Report, ua: str) -> dict[str, Any]:
    """A held report as staff see it (no supporter hash: it identifies nobody to them anyway)."""
    counts = {kind: int(getattr(report, kind)) for kind in ACTION_KINDS}
    return {
        "id": report.id,
        "ua": ua,
        "received_at": iso(report.received_at),
        "source": report.source,
        "country": report.country,
        "late": report.late,
        "counts": counts,
        "total": sum(counts.values()),
        "review": report.review.value if report.review else None,
        "reviewed_at": iso(report.reviewed_at),
        "why": report.review_note,
    }


def _held(session: Session, report_id: int) -> tuple[Report, Action]:
    report = session.get(Report, report_id)
    if report is None:
        raise NotFoundError(f"no report {report_id}: see `ua-scheduler reports held`")
    action = session.get(Action, report.action_id)
    assert action is not None
    if not report.held or report.review is not None:
        state = report.review.value if report.review else "counted"
        raise LifecycleError(f"report {report_id} (UA {action.ua}) is not held for review: it was {state}")
    return report, action


def approve(session: Session, report_id: int, *, now: datetime, by: str) -> dict[str, Any]:
    """Count a held report from now on (committed). After the close it goes to the addendum, as
    late: the final tally's numbers never change."""
    report, action = _held(session, report_id)
    assert action.id is not None
    with counters.keeping_counts(session, action.id, [report]):
        report.held = False
        report.review = Review.APPROVED
        report.reviewed_at = now
        if action.status is ActionStatus.CLOSED:
            report.late = True
        session.add(report)
    record(session, action, now, "report_approved", report=report_id, by=by, late=report.late)
    session.commit()
    return describe(report, action.ua)


def reject(session: Session, report_id: int, *, now: datetime, why: str, by: str) -> dict[str, Any]:
    """Never count a held report; it is kept, with the reason (committed)."""
    reason = " ".join(why.split())
    if not reason:
        raise InvalidInputError("why", "say why the report is rejected (for example --why 'implausible')")
    if len(reason) > WHY_MAX_LEN:
        raise InvalidInputError("why", f"at most {WHY_MAX_LEN} characters")
    report, action = _held(session, report_id)
    assert action.id is not None
    with counters.keeping_counts(session, action.id, [report]):
        report.review = Review.REJECTED
        report.reviewed_at = now
        report.review_note = reason
        session.add(report)
    record(session, action, now, "report_rejected", report=report_id, by=by, why=reason)
    session.commit()
    return describe(report, action.ua)
