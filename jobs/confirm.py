"""The confirmation of a reminder request (double opt-in): an outbox row like every other message.

It is written in the transaction that records the request, and the dispatcher sends it to the
supporter's address through ``mail_url``; a web request never waits for a mail server.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from actions.models import Action, Delivery, OutboxStatus, Subscription
from jobs import outbox
from jobs.dispatch import SUBSCRIBER_PREFIX
from jobs.render import markdown_text

KIND = "confirm"


def ask_to_confirm(
    session: Session, action: Action, subscription: Subscription, *, public_url: str, now: datetime
) -> bool:
    """Queue the link, or queue it again if the last one never arrived; False if one is on its way.

    Needs the subscription's id (flushed); the caller commits.
    """
    assert subscription.id is not None
    key = f"ua-{action.ua}/confirm/subscription-{subscription.id}"
    row = session.exec(select(Delivery).where(Delivery.key == key)).first()
    if row is None:
        link = f"{public_url}/remind/confirm/{subscription.token}"
        outbox.enqueue(
            session,
            key=key,
            kind=KIND,
            channel=f"{SUBSCRIBER_PREFIX}{subscription.id}",
            title=f"Confirm your reminders for UA {action.ua}",
            body=(
                f"You (or someone using your address) asked for email reminders about Urgent Action "
                f"{action.ua}: {markdown_text(action.title)}.\n\nTo get them, confirm here: {link}\n\n"
                "If you did not ask, ignore this email: nothing will be sent."
            ),
            now=now,
            action_id=action.id,
            not_after=action.deadline,
        )
        return True
    if row.status not in (OutboxStatus.FAILED, OutboxStatus.DROPPED):
        return False
    row.status = OutboxStatus.PENDING
    row.attempts = 0
    row.next_attempt_at = now
    row.not_after = action.deadline
    session.add(row)
    return True
