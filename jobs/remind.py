"""Reminders: which slots are due, what a reminder says, and sending each once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from actions.counters import Running
from actions.models import Action, ActionStatus, ReminderSlot, SlotStatus, Target
from actions.store import targets_of
from config.settings import ACTION_KINDS
from jobs.channels import ChannelRef
from jobs.i18n import CONTACT_LABELS, DEFAULT, counted, kind_names, time_left, title_in, when
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


def send_time(due_at: datetime, channel: ChannelRef, default_zone: str) -> datetime:
    """When ``channel`` gets a reminder due at ``due_at``: then, or just before its quiet hours."""
    quiet = channel.options.quiet_hours
    return due_at if quiet is None else quiet.moved(due_at, channel.options.zone(default_zone))


def quiet_lookahead(channels: Sequence[ChannelRef]) -> timedelta:
    """How far ahead of its due time a reminder may have to go out: the longest quiet window."""
    return max(
        (c.options.quiet_hours.length for c in channels if c.options.quiet_hours is not None),
        default=timedelta(0),
    )


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


def contacts(target: Target, kinds: Sequence[str], language: str = DEFAULT) -> list[str]:
    """The target's contacts for the ways of acting still in time, labelled in ``language``."""
    labels = CONTACT_LABELS[language]
    lines = []
    if "email" in kinds and target.emails:
        lines.append(f"{labels['email']}: " + ", ".join(target.emails))
    if "fax" in kinds and target.faxes:
        lines.append(f"{labels['fax']}: " + ", ".join(target.faxes))
    if "call" in kinds and target.phones:
        lines.append(f"{labels['call']}: " + ", ".join(target.phones))
    if "post" in kinds:
        for network, handle in sorted(target.social.items()):
            lines.append(f"{SOCIAL_NAMES.get(network, network.capitalize())}: {handle}")
    if "letter" in kinds and target.postal_address:
        lines.append(f"{labels['letter']}: " + target.postal_address)
    return lines


def target_lines(
    session: Session, action: Action, kinds: Sequence[str], language: str
) -> list[dict[str, Any]]:
    return [
        {
            "name": t.name,
            "title": t.title,
            "salutation": _salutation_shown(t, language),
            "contacts": contacts(t, kinds, language),
        }
        for t in targets_of(session, action)
    ]


def _salutation_shown(target: Target, language: str) -> str | None:
    """The salutation a reminder suggests: the one given for the language (English: ``salutation``)."""
    given = (target.salutations or {}).get(language)
    return given or (target.salutation if language == DEFAULT else None)


def compose(
    session: Session,
    action: Action,
    tally: Running,
    *,
    now: datetime,
    public_url: str,
    lead_times: Mapping[str, timedelta],
    slot_offset_s: int,
    language: str = DEFAULT,
) -> Message:
    """The reminder in ``language`` (a shipped one) as of ``now``: the time left, the ways still in
    time, whom to write to and how, the report link and the running total."""
    left = action.deadline - now
    kinds = kinds_in_time(left, lead_times)
    context = {
        "action": action,
        "title": title_in(action.title, action.title_i18n, language),
        "time_left": time_left(left, language),
        "deadline_local": when(action.deadline, action.timezone, language),
        "kinds_in_time": kind_names(kinds, language),
        "languages": action.preferred_languages,
        "targets": target_lines(session, action, kinds, language),
        "report_url": f"{public_url}/ua/{action.ua}/report",
        "total": counted(tally.total, "action", language),
        "reports": counted(tally.reports, "report", language) if tally.reports else None,
    }
    return Message(
        title=render(f"reminder.{language}.title.j2", **context).strip(),
        body=render(f"reminder.{language}.body.md.j2", **context),
        key=f"ua-{action.ua}-reminder-{slot_offset_s}s",
    )
