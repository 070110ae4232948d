"""Plain dicts of actions, reminders and the timetable: the JSON the CLI prints (and the API serves)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from actions.models import Action, ActionStatus, ReminderSlot, SlotStatus
from actions.store import history_of, slots_of, targets_of
from config.durations import format_duration
from config.settings import Settings


def iso(instant: datetime | None) -> str | None:
    return instant.isoformat().replace("+00:00", "Z") if instant is not None else None


def action_summary(action: Action) -> dict[str, Any]:
    return {
        "ua": action.ua,
        "title": action.title,
        "status": action.status.value,
        "deadline": iso(action.deadline),
        "timezone": action.timezone,
        "tags": action.tags,
    }


def action_detail(session: Session, action: Action) -> dict[str, Any]:
    return {
        **action_summary(action),
        "update_ordinal": action.update_ordinal,
        "index_number": action.index_number,
        "subject": action.subject,
        "subjects": [{"name": s.get("name"), "pronouns": s.get("pronouns")} for s in action.subjects],
        "country": action.country,
        "deadline_date": action.deadline_date.isoformat() if action.deadline_date else None,
        "deadline_text": action.deadline_text,
        "preferred_languages": action.preferred_languages,
        "sample_letter": action.sample_letter,
        "additional_information": action.additional_information,
        "late_reports_welcome": action.late_reports_welcome,
        "created_at": iso(action.created_at),
        "closed_at": iso(action.closed_at),
        "targets": [
            {
                "name": t.name,
                "title": t.title,
                "rank": t.rank,
                "salutation": t.salutation,
                "postal_address": t.postal_address,
                "postal_note": t.postal_note,
                "emails": t.emails,
                "phones": t.phones,
                "faxes": t.faxes,
                "social": t.social,
            }
            for t in targets_of(session, action)
        ],
        "reminders": [
            {
                "offset": format_duration(timedelta(seconds=s.offset_s)),
                "due": iso(s.due_at),
                "status": s.status.value,
                "sent": s.status is SlotStatus.SENT,
                "sent_at": iso(s.sent_at),
            }
            for s in slots_of(session, action)
        ],
        "history": [{"at": iso(e.at), "event": e.kind, **e.detail} for e in history_of(session, action)],
    }


def timetable(session: Session, settings: Settings) -> list[dict[str, Any]]:
    """What will be sent when, to which tags: pending reminders and the closes of open actions."""
    rows = session.exec(
        select(ReminderSlot, Action)
        .join(Action, col(Action.id) == ReminderSlot.action_id)
        .where(ReminderSlot.status == SlotStatus.PENDING)
        .where(Action.status == ActionStatus.OPEN)
    ).all()
    entries: list[dict[str, Any]] = [
        {
            "at": iso(slot.due_at),
            "ua": action.ua,
            "what": f"reminder {format_duration(timedelta(seconds=slot.offset_s))} before deadline",
            "tags": sorted({settings.reminder_tag, *action.tags}),
        }
        for slot, action in rows
    ]
    opened: Sequence[Action] = session.exec(select(Action).where(Action.status == ActionStatus.OPEN)).all()
    entries += [
        {
            "at": iso(action.deadline),
            "ua": action.ua,
            "what": "close and final tally",
            "tags": [settings.report_tag],
        }
        for action in opened
    ]
    return sorted(entries, key=lambda e: (e["at"], e["ua"], e["what"]))
