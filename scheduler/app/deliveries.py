"""The delivery log (the outbox): what went out, what failed and why; putting one back in line."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from actions import views
from actions.clock import Clock
from actions.models import Action, Delivery, OutboxStatus
from jobs import outbox
from jobs.secrets import Redactor

KIND_NAMES = {
    "reminder": "reminder",
    "tally": "final tally",
    "personal": "personal reminder",
    "ops": "ops alert",
}


def listed(
    session: Session, *, status: str | None = None, limit: int = 200, redactor: Redactor
) -> list[dict[str, Any]]:
    """Deliveries, newest first; errors pass through ``redactor`` so no secret is shown."""
    rows = outbox.listed(session, OutboxStatus(status) if status else None, limit)
    return [
        {
            "id": row.id,
            "key": row.key,
            "kind": row.kind,
            "channel": row.channel,
            "status": row.status.value,
            "attempts": row.attempts,
            "created_at": views.iso(row.created_at),
            "next_attempt_at": views.iso(row.next_attempt_at),
            "sent_at": views.iso(row.sent_at),
            "owner": row.claimed_by,
            "last_error": redactor.redact(row.last_error) if row.last_error else None,
        }
        for row in rows
    ]


def retry(session: Session, delivery_id: int, *, clock: Clock) -> str:
    """Put a failed or dropped delivery back in line; return its key."""
    row = outbox.retry(session, delivery_id, now=clock.now())
    key = row.key
    session.commit()
    return key


def recent(session: Session, *, limit: int) -> list[dict[str, Any]]:
    """Newest deliveries that left the queue or failed once, naming channels only (never their URLs)."""
    rows = session.exec(
        select(Delivery, Action.ua)
        .join(Action, col(Action.id) == Delivery.action_id, isouter=True)
        .where((col(Delivery.status) != OutboxStatus.PENDING) | col(Delivery.last_error).is_not(None))
        .order_by(col(Delivery.id).desc())
        .limit(limit)
    ).all()
    return [
        {
            "at": views.iso(delivery.sent_at or delivery.claimed_at or delivery.created_at),
            "ua": ua or "—",
            "what": KIND_NAMES.get(delivery.kind, delivery.kind),
            "channel": delivery.channel,
            "status": delivery.status.value,
            "attempts": delivery.attempts,
            "error": delivery.last_error or "",
        }
        for delivery, ua in rows
    ]
