"""Reminders: which slots are due, what a reminder says, and sending each once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from actions.counters import Running
from actions.deadlines import local_text, time_left_in_words
from actions.models import Action, ActionStatus, ReminderSlot, SlotStatus, Target
from actions.store import targets_of
from config.settings import ACTION_KINDS
from jobs.notify import Message
from jobs.render import render

SOCIAL_NAMES = {"twitter": "X/Twitter", "x": "X/Twitter"}


@dataclass(frozen=True)
class DueSlot:
    slot_id: int
    action_id: int
    missed: bool = False
    """Due already (after downtime, or decided late): it goes out at once."""


def pick_due(
    session: Session, now: datetime, *, ahead: timedelta = timedelta(0)
) -> tuple[list[DueSlot], list[int]]:
    """Slots to decide now (those due by ``now + ahead``), and slots to skip.

    After downtime several slots of one action may be due at once: only the latest one still before
    the deadline is sent; the earlier ones are skipped. Of slots not yet due, one per action is
    prepared at a time (the next), and none while an action has one prepared and not yet due, so
    downtime never finds two of them waiting. Slots of actions past their deadline are left to the
    close.
    """
    rows = session.exec(
        select(ReminderSlot.id, ReminderSlot.action_id, ReminderSlot.due_at)
        .join(Action, col(Action.id) == ReminderSlot.action_id)
        .where(ReminderSlot.status == SlotStatus.PENDING)
        .where(col(ReminderSlot.due_at) <= now + ahead)
        .where(Action.status == ActionStatus.OPEN)
        .where(col(Action.deadline) > now)
        .order_by(col(ReminderSlot.action_id), col(ReminderSlot.due_at))
    ).all()
    waiting: set[int] = set()
    if ahead and rows:
        waiting = set(
            session.exec(
                select(ReminderSlot.action_id)
                .where(ReminderSlot.status == SlotStatus.SENT)
                .where(col(ReminderSlot.due_at) > now)
            ).all()
        )
    missed: dict[int, int] = {}
    upcoming: dict[int, int] = {}
    skipped: list[int] = []
    for slot_id, action_id, due_at in rows:
        assert slot_id is not None
        if due_at <= now:
            if action_id in missed:
                skipped.append(missed[action_id])
            missed[action_id] = slot_id
        elif action_id not in upcoming and action_id not in waiting:
            upcoming[action_id] = slot_id
    # A missed slot goes now; the next one is prepared after it.
    chosen = [DueSlot(s, a) for a, s in upcoming.items() if a not in missed]
    chosen += [DueSlot(s, a, missed=True) for a, s in missed.items()]
    return chosen, skipped


def claim(session: Session, slot_id: int, now: datetime) -> bool:
    """Mark the slot as being sent; true only for the one caller that changed it."""
    result = session.exec(
        update(ReminderSlot)
        .where(col(ReminderSlot.id) == slot_id)
        .where(col(ReminderSlot.status) == SlotStatus.PENDING)
        .values(status=SlotStatus.SENDING, claimed_at=now)
    )
    return result.rowcount == 1


def kinds_in_time(time_left: timedelta, lead_times: Mapping[str, timedelta]) -> list[str]:
    """The ways of acting that still arrive before the deadline (a posted letter needs a week)."""
    return [k for k in ACTION_KINDS if lead_times.get(k, timedelta(0)) <= time_left]


def contacts(target: Target, kinds: Sequence[str]) -> list[str]:
    lines = []
    if "email" in kinds and target.emails:
        lines.append("Email: " + ", ".join(target.emails))
    if "fax" in kinds and target.faxes:
        lines.append("Fax: " + ", ".join(target.faxes))
    if "call" in kinds and target.phones:
        lines.append("Phone: " + ", ".join(target.phones))
    if "post" in kinds:
        for network, handle in sorted(target.social.items()):
            lines.append(f"{SOCIAL_NAMES.get(network, network.capitalize())}: {handle}")
    if "letter" in kinds and target.postal_address:
        lines.append("Post: " + target.postal_address)
    return lines


def compose(
    session: Session,
    action: Action,
    tally: Running,
    *,
    now: datetime,
    public_url: str,
    lead_times: Mapping[str, timedelta],
    slot_offset_s: int,
) -> Message:
    left = action.deadline - now
    kinds = kinds_in_time(left, lead_times)
    targets = [
        {
            "name": t.name,
            "title": t.title,
            "salutation": t.salutation,
            "contacts": contacts(t, kinds),
        }
        for t in targets_of(session, action)
    ]
    context = {
        "action": action,
        "time_left": time_left_in_words(left),
        "deadline_local": local_text(action.deadline, action.timezone),
        "kinds_in_time": kinds,
        "targets": targets,
        "report_url": f"{public_url}/ua/{action.ua}/report",
        "tally": tally,
    }
    return Message(
        title=render("reminder.title.j2", **context).strip(),
        body=render("reminder.body.md.j2", **context),
        key=f"ua-{action.ua}-reminder-{slot_offset_s}s",
    )
