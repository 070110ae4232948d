"""Personal reminders by email: asked for, confirmed by a link (double opt-in), stopped in one click."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlmodel import Session, col, select

from actions.errors import InvalidInputError, NotFoundError
from actions.models import Action, ActionStatus, Subscription
from actions.supporters import normalise_email

TOKEN_BYTES = 24


def subscribe(session: Session, action: Action, email: str, *, now: datetime) -> tuple[Subscription, bool]:
    """The subscription for ``email`` (new, or the one asked for before) and whether it is new."""
    assert action.id is not None
    if action.status is not ActionStatus.OPEN:
        raise InvalidInputError("ua", f"UA {action.ua} is {action.status.value}: no more reminders")
    address = normalise_email(email, field="email")
    existing = session.exec(
        select(Subscription).where(Subscription.action_id == action.id).where(Subscription.email == address)
    ).first()
    if existing is not None:
        return existing, False
    subscription = Subscription(
        action_id=action.id, email=address, token=secrets.token_urlsafe(TOKEN_BYTES), created_at=now
    )
    session.add(subscription)
    return subscription, True


def by_token(session: Session, token: str) -> Subscription:
    found = session.exec(select(Subscription).where(Subscription.token == token)).first()
    if found is None:
        raise NotFoundError("this link is no longer valid: the reminder was stopped or the action ended")
    return found


def confirm(session: Session, token: str, *, now: datetime) -> Subscription:
    subscription = by_token(session, token)
    if subscription.confirmed_at is None:
        subscription.confirmed_at = now
        session.add(subscription)
    return subscription


def unsubscribe(session: Session, token: str) -> Subscription:
    """Forget the address at once."""
    subscription = by_token(session, token)
    session.delete(subscription)
    return subscription


def confirmed_for(session: Session, action: Action) -> Sequence[Subscription]:
    return session.exec(
        select(Subscription)
        .where(Subscription.action_id == action.id)
        .where(col(Subscription.confirmed_at).is_not(None))
        .order_by(col(Subscription.id))
    ).all()
