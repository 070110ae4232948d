"""Plain dicts of actions, reminders and the timetable: the JSON the CLI prints (and the API serves)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from actions.models import Action, SlotStatus
from actions.store import history_of, slots_of, targets_of
from config.durations import format_duration


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
        "title_i18n": action.title_i18n or {},
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
                "salutations": t.salutations or {},
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


def describe(detail: dict[str, Any]) -> list[str]:
    """Every field of an action (as ``action_detail`` gives it), one line each, for people."""
    deadline = datetime.fromisoformat(detail["deadline"].replace("Z", "+00:00"))
    local = deadline.astimezone(ZoneInfo(detail["timezone"]))
    midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
    when = f"end of {local - timedelta(seconds=1):%Y-%m-%d}" if midnight else f"{local:%Y-%m-%d %H:%M}"
    late = (
        "welcome (the document asks to check with the office before appealing late)"
        if detail["late_reports_welcome"]
        else "refused (the document does not invite appeals after the deadline)"
    )
    subjects = [f"{s['name']} ({s['pronouns']})" if s["pronouns"] else s["name"] for s in detail["subjects"]]
    lines = [
        f"ua: {detail['ua']}",
        f"update ordinal: {detail['update_ordinal'] or '-'}",
        f"index number: {detail['index_number'] or '-'}",
        f"title: {detail['title']}",
        f"deadline: {when}, {detail['timezone']} ({detail['deadline']})",
        f"deadline as written: {detail['deadline_text'] or '-'}",
        f"country: {detail['country'] or '-'}",
        f"subjects: {', '.join(subjects) or '-'}",
        f"preferred languages: {', '.join(detail['preferred_languages']) or '-'}",
        f"late reports: {late}",
        f"targets: {len(detail['targets'])}",
    ]
    for number, target in enumerate(detail["targets"], start=1):
        who = ", ".join(filter(None, (target["rank"], target["name"], target["title"])))
        lines.append(f"  {number}. {who}")
        lines.append(f"     salutation: {target['salutation'] or '-'}")
        lines.extend(
            f"     {key}: {', '.join(target[key])}" for key in ("emails", "phones", "faxes") if target[key]
        )
        lines.extend(f"     {network}: {handle}" for network, handle in target["social"].items())
        lines.extend(
            f"     {key.replace('_', ' ')}: {' / '.join(target[key].splitlines())}"
            for key in ("postal_address", "postal_note")
            if target[key]
        )
    reminders = ", ".join(f"{r['offset']} ({r['due']})" for r in detail["reminders"])
    lines.append(f"reminders: {reminders or '-'}")
    return lines
