"""The public front page's lists: open actions soonest first, then the recently closed ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from actions import counters
from actions.models import Action, ActionStatus, FinalTally

RECENTLY_CLOSED = timedelta(days=30)
RECENT_LIMIT = 20
FEED_LIMIT = 50


@dataclass(frozen=True)
class Listed:
    """One action as the front page shows it; ``total`` is final once the action is closed."""

    action: Action
    total: int
    final: bool


def open_actions(session: Session, now: datetime) -> list[Listed]:
    """Open actions still before their deadline, soonest deadline first, each with its running total."""
    rows: Sequence[Action] = session.exec(
        select(Action)
        .where(Action.status == ActionStatus.OPEN)
        .where(col(Action.deadline) > now)
        .order_by(col(Action.deadline), col(Action.ua))
    ).all()
    totals = counters.running_many(session, [a.id for a in rows if a.id is not None])
    return [Listed(a, totals[a.id].total if a.id is not None else 0, final=False) for a in rows]


def recently_closed(session: Session, now: datetime) -> list[Listed]:
    """Actions closed in the last 30 days, latest first, each with the total of its archived final tally."""
    rows: Sequence[Action] = session.exec(
        select(Action)
        .where(Action.status == ActionStatus.CLOSED)
        .where(col(Action.closed_at) >= now - RECENTLY_CLOSED)
        .order_by(col(Action.closed_at).desc(), col(Action.ua))
        .limit(RECENT_LIMIT)
    ).all()
    return [Listed(a, _final_total(session, a), final=True) for a in rows]


def _final_total(session: Session, action: Action) -> int:
    record = session.exec(
        select(FinalTally).where(FinalTally.action_id == action.id).order_by(col(FinalTally.id).desc())
    ).first()
    if record is not None and isinstance(record.data.get("total"), int):
        return int(record.data["total"])
    assert action.id is not None
    return counters.running(session, action.id).total


def newest(session: Session, limit: int = FEED_LIMIT) -> list[Action]:
    """The actions the feed lists: the newest first, whatever their state."""
    rows: Sequence[Action] = session.exec(
        select(Action)
        .where(Action.status != ActionStatus.CANCELLED)
        .order_by(col(Action.created_at).desc(), col(Action.ua))
        .limit(limit)
    ).all()
    return list(rows)
