"""Closing actions at their deadline and archiving each final tally (``jobs.due`` queues it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from actions.models import Action, ActionStatus, FinalTally
from actions.store import close_action
from actions.tally import count
from jobs.report import render_pdf, render_tally


def due_for_close(session: Session, now: datetime) -> list[int]:
    ids = session.exec(
        select(Action.id)
        .where(Action.status == ActionStatus.OPEN)
        .where(col(Action.deadline) <= now)
        .order_by(col(Action.deadline))
    ).all()
    return [i for i in ids if i is not None]


def close_and_count(session: Session, action_id: int, now: datetime, *, reason: str) -> bool:
    """Close the action and store its final tally in one transaction; false if it was not open."""
    result = session.exec(
        update(Action)
        .where(col(Action.id) == action_id)
        .where(col(Action.status) == ActionStatus.OPEN)
        .values(status=ActionStatus.OPEN)  # take the row lock; the state machine sets the status
    )
    if result.rowcount != 1:
        return False
    action = session.get(Action, action_id)
    assert action is not None
    close_action(session, action, now=now, reason=reason)
    store_final_tally(session, action, now)
    return True


def store_final_tally(session: Session, action: Action, now: datetime) -> FinalTally:
    """Archive the final report in every form, with the hash of its numbers."""
    session.flush()
    tally = count(session, action, now=now)
    assert action.id is not None
    record = FinalTally(
        action_id=action.id,
        created_at=now,
        data=tally.to_json(),
        markdown=render_tally(tally, "md"),
        html=render_tally(tally, "html"),
        csv=render_tally(tally, "csv"),
        pdf=render_pdf(tally),
        content_hash=tally.content_hash(),
    )
    session.add(record)
    return record


def latest_final_tally(session: Session, action: Action) -> FinalTally:
    """The final tally stored at the action's latest close."""
    record = session.exec(
        select(FinalTally).where(FinalTally.action_id == action.id).order_by(col(FinalTally.id).desc())
    ).first()
    if record is None:
        raise LookupError(f"UA {action.ua} has no final tally")
    return record
