"""The outbox: every message is a row first; dispatchers claim rows, send, and settle them.

Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers never send one
row; SQLite serves a single instance. A claim that outlives its lease (the process died mid-send)
is taken again: that message may arrive twice, with the same key. A living dispatcher renews
its claims (:func:`renew`), so only a dead one's run out.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, bindparam, or_, update
from sqlmodel import Session, col, select

from actions.errors import LifecycleError, NotFoundError
from actions.models import Delivery, OutboxStatus

DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, up to ``max_attempts`` tries in all."""

    max_attempts: int = 8
    base: timedelta = timedelta(seconds=10)
    cap: timedelta = timedelta(hours=1)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        ceiling = min(self.cap.total_seconds(), self.base.total_seconds() * 2 ** max(0, attempts - 1))
        # Full jitter spreads the retries of many rows that failed together.
        return timedelta(seconds=(rng or random).uniform(ceiling / 2, ceiling))


def enqueue(
    session: Session,
    *,
    key: str,
    kind: str,
    channel: str,
    title: str,
    body: str,
    now: datetime,
    action_id: int | None = None,
    not_after: datetime | None = None,
    not_before: datetime | None = None,
    slot_id: int | None = None,
) -> Delivery:
    row = Delivery(
        key=key,
        kind=kind,
        channel=channel,
        title=title,
        body=body,
        action_id=action_id,
        created_at=now,
        next_attempt_at=max(now, not_before) if not_before is not None else now,
        not_after=not_after,
        not_before=not_before,
        slot_id=slot_id,
    )
    session.add(row)
    return row


def claim(
    session: Session,
    *,
    now: datetime,
    owner: str,
    limit: int,
    lease: timedelta,
    held: Collection[int] = (),
) -> list[Delivery]:
    """Take up to ``limit`` rows due now (or whose claim outlived ``lease``) for ``owner``.

    ``held``: the rows ``owner`` has in hand; never taken again by it, whatever their claim's age.
    """
    stale = now - lease
    due = select(Delivery.id).where(
        or_(
            (col(Delivery.status) == OutboxStatus.PENDING) & (col(Delivery.next_attempt_at) <= now),
            (col(Delivery.status) == OutboxStatus.SENDING) & (col(Delivery.claimed_at) <= stale),
        )
    )
    if held:
        due = due.where(col(Delivery.id).not_in(held))
    due = (
        due.order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    ids = [i for i in session.exec(due).all() if i is not None]
    if not ids:
        session.commit()
        return []
    session.exec(
        update(Delivery)
        .where(col(Delivery.id).in_(ids))
        .values(status=OutboxStatus.SENDING, claimed_at=now, claimed_by=owner)
    )
    session.commit()
    rows = session.exec(select(Delivery).where(col(Delivery.id).in_(ids))).all()
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id or 0))


def renew(session: Session, ids: Collection[int], *, owner: str, now: datetime) -> int:
    """Stamp ``owner``'s claims on ``ids`` anew: rows still in its hands never look stale to another
    dispatcher, however long they wait for a worker or a slow channel."""
    if not ids:
        return 0
    result = session.exec(
        update(Delivery)
        .where(
            col(Delivery.id).in_(ids),
            col(Delivery.status) == OutboxStatus.SENDING,
            col(Delivery.claimed_by) == owner,
        )
        .values(claimed_at=now)
    )
    session.commit()
    return int(result.rowcount)


@dataclass(frozen=True)
class Settled:
    """An attempt's outcome, to be written by :func:`write_settled` with the others that ended with it."""

    row: Delivery
    values: dict[str, object]

    @property
    def status(self) -> OutboxStatus:
        found = self.values.get("status", self.row.status)
        assert isinstance(found, OutboxStatus)
        return found


def settle(
    row: Delivery,
    *,
    ok: bool,
    error: str | None,
    now: datetime,
    policy: RetryPolicy,
) -> Settled:
    """The attempt's outcome: sent, or pending again after a backoff, or failed, or dropped.

    ``claimed_by`` stays: the delivery log names the instance that made the last attempt.
    """
    values: dict[str, object] = {"attempts": row.attempts + 1, "claimed_at": None}
    if ok:
        values |= {"status": OutboxStatus.SENT, "sent_at": now, "last_error": None}
    else:
        retry_at = now + policy.delay(row.attempts + 1)
        values["last_error"] = error
        if row.not_after is not None and retry_at >= row.not_after:
            values["status"] = OutboxStatus.DROPPED  # a retry could no longer arrive before the deadline
        elif row.attempts + 1 >= policy.max_attempts:
            values["status"] = OutboxStatus.FAILED
        else:
            values |= {"status": OutboxStatus.PENDING, "next_attempt_at": retry_at}
    return Settled(row, values)


def drop(row: Delivery, *, reason: str) -> Settled:
    """Not sent at all (too late, or its channel is gone): never tried again."""
    return Settled(row, {"status": OutboxStatus.DROPPED, "last_error": reason, "claimed_at": None})


def write_settled(session: Session, outcomes: Sequence[Settled]) -> None:
    """Write the outcomes in the caller's transaction, one ``executemany`` per shape of change, and
    update each claimed copy to match."""
    shapes: dict[tuple[str, ...], list[dict[str, object]]] = {}
    for settled in outcomes:
        shape = tuple(sorted(settled.values))
        shapes.setdefault(shape, []).append({"row_id": settled.row.id, **settled.values})
    for params in shapes.values():
        session.execute(update(DELIVERY).where(DELIVERY.c.id == bindparam("row_id")), params)
    for settled in outcomes:
        for name, value in settled.values.items():
            setattr(settled.row, name, value)


def release_all(session: Session) -> int:
    """At the start of the only instance (SQLite): every claim belongs to a process now gone."""
    result = session.exec(
        update(Delivery)
        .where(col(Delivery.status) == OutboxStatus.SENDING)
        .values(status=OutboxStatus.PENDING, claimed_at=None)
    )
    session.commit()
    return int(result.rowcount)


def retry(session: Session, delivery_id: int, *, now: datetime) -> Delivery:
    """Put a failed or dropped row back in line at once (``deliveries retry ID``)."""
    row = session.get(Delivery, delivery_id)
    if row is None:
        raise NotFoundError(f"no delivery {delivery_id}: see `ua-scheduler deliveries`")
    if row.status not in (OutboxStatus.FAILED, OutboxStatus.DROPPED):
        raise LifecycleError(
            f"delivery {delivery_id} is {row.status.value}: only failed or dropped ones are retried"
        )
    row.status = OutboxStatus.PENDING
    row.next_attempt_at = now
    row.not_after = None
    row.attempts = 0
    session.add(row)
    return row


def listed(session: Session, status: OutboxStatus | None = None, limit: int = 200) -> Sequence[Delivery]:
    query = select(Delivery).order_by(col(Delivery.id).desc()).limit(limit)
    if status is not None:
        query = query.where(Delivery.status == status)
    return session.exec(query).all()
