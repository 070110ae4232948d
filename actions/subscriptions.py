"""Personal reminders by email: asked for, confirmed by a link (double opt-in), stopped in one click."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from actions.errors import InvalidInputError, NotFoundError
from actions.models import Action, ActionStatus, ConfirmationSent, Subscription
from actions.supporters import EMAIL_MAX_LEN, supporter_hash
from config.errors import Refused

TOKEN_BYTES = 24
CONFIRMATIONS_PER_DAY = 3
"""Confirmation emails one address may get for one action in 24 hours, whoever asks."""
DAY = timedelta(days=1)
NOT_ONE_ADDRESS = "not an email address: give one, such as name@example.org (no lists, no names)"


def one_address(text: str) -> str:
    """The one email address in ``text``, normalised; ``InvalidInputError`` (field ``email``) for
    anything else: lists, display names, quoted or control characters, a domain that cannot exist."""
    address = text.strip()
    if not address or len(address) > EMAIL_MAX_LEN or any(ord(c) < 32 or ord(c) == 127 for c in address):
        raise InvalidInputError("email", NOT_ONE_ADDRESS)
    try:
        checked = validate_email(address, check_deliverability=False, allow_display_name=False)
    except EmailNotValidError:
        raise InvalidInputError("email", NOT_ONE_ADDRESS) from None
    return checked.normalized.lower()


def subscribe(session: Session, action: Action, email: str, *, now: datetime) -> tuple[Subscription, bool]:
    """The subscription for ``email`` (new, or the one asked for before) and whether it is new."""
    assert action.id is not None
    if action.status is not ActionStatus.OPEN:
        raise InvalidInputError("ua", f"UA {action.ua} is {action.status.value}: no more reminders")
    address = one_address(email)
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


def count_confirmation(session: Session, action: Action, address: str, *, now: datetime, salt: bytes) -> None:
    """Count a confirmation email about to be queued to ``address``; ``Refused`` if it would be the
    fourth in 24 hours for this action, whoever asked. The address is kept only as a salted hash."""
    assert action.id is not None
    digest = supporter_hash(address, salt)
    session.exec(delete(ConfirmationSent).where(col(ConfirmationSent.sent_at) < now - DAY))
    sent = session.exec(
        select(func.count())
        .select_from(ConfirmationSent)
        .where(ConfirmationSent.address_hash == digest)
        .where(ConfirmationSent.action_id == action.id)
        .where(col(ConfirmationSent.sent_at) >= now - DAY)
    ).one()
    if int(sent) >= CONFIRMATIONS_PER_DAY:
        raise Refused(
            f"this address has had {CONFIRMATIONS_PER_DAY} confirmation emails for UA {action.ua} in the "
            "last 24 hours: no more are sent; try again tomorrow"
        )
    session.add(ConfirmationSent(action_id=action.id, address_hash=digest, sent_at=now))


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
