"""Recording what supporters did: one report (CLI, JSON door, web form) or sections' CSV totals.

Every door stores through ``actions.reporting``: one write path, counters in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from actions import counters, csv_reports, reporting, store
from actions.clock import Clock
from actions.models import Action
from actions.reporting import ReportDoor
from actions.specs import ReportCounts
from actions.supporters import supporter_hash
from config.errors import Conflict, Invalid


def record(
    door: ReportDoor,
    ua: str,
    counts: ReportCounts,
    *,
    clock: Clock,
    source: str,
    country: str | None = None,
    supporter_email: str | None = None,
    secret: bytes | None = None,
    target: str | None = None,
    idempotency_key: str | None = None,
    review_above: int | None = None,
    then: Callable[[Connection, int], object] | None = None,
) -> reporting.Stored:
    """Store one report in a transaction of its own; after the deadline it is stored as late (or
    refused if none are welcome).

    ``supporter_email`` is kept only as a hash salted with ``secret``. A retried request (same
    ``idempotency_key``) returns the report stored the first time and adds nothing. With
    ``review_above`` (the public door), a report claiming more than that of any kind is held for
    review: kept, shown apart, counted only once staff approve it.
    ``then`` runs in the report's transaction (reminders prepared ahead follow the running total).
    """
    digest = supporter_hash(supporter_email, secret) if supporter_email and secret is not None else None
    draft = reporting.Draft(
        counts,
        country=country,
        source=source,
        supporter_hash=digest,
        idempotency_key=idempotency_key,
        target=target,
        held=review_above is not None and counts.largest() > review_above,
    )
    return door.record(ua, draft, now=clock.now(), codes=store.COUNTRY_CODES, then=then)


@dataclass(frozen=True)
class CsvImported:
    ua: str
    reports_stored: int
    actions_stored: int
    total: int
    late_total: int
    late: bool


def import_csv(
    session: Session,
    ua: str,
    text: str,
    *,
    clock: Clock,
    idempotency_key: str | None = None,
    then: Callable[[Session, Action], object] | None = None,
) -> CsvImported:
    """Store sections' totals, one row per country, all or none; ``Invalid`` with every bad row.
    ``then`` runs in the import's transaction when something was stored."""
    action = store.get_action(session, ua)
    parsed = csv_reports.parse(text)
    if not parsed.ok:
        rows: list[dict[str, object]] = [
            {"line": p.line, "field": p.field, "message": str(p)} for p in parsed.problems
        ]
        lines = len({p.line for p in parsed.problems})
        raise Invalid("body", f"{lines} line(s) cannot be used; nothing was stored", rows=rows)
    now = clock.now()
    stored = actions = 0
    late = False
    try:
        for row in parsed.rows:
            key = f"csv:{idempotency_key}:{row.country}" if idempotency_key else None
            report = store.add_report(
                session, action, row.counts, country=row.country, now=now, source="csv", idempotency_key=key
            )
            if report.new:
                stored += 1
                actions += row.counts.total()
                late = report.late
        if stored and then is not None:
            then(session, action)
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("another request with this Idempotency-Key is being stored: retry") from None
    assert action.id is not None
    totals = counters.running(session, action.id)
    return CsvImported(action.ua, stored, actions, totals.total, totals.late, late)
