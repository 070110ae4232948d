"""The timetable (``plan``): what goes out when, to which channels, as each channel will get it.

A reminder goes to the one-by-one channels at its due time, or earlier to a channel whose quiet
hours it falls in; digest channels get their round-up at their digest time instead. Every time is
given in UTC and in a zone people read it in: the channel's for a moved reminder or a digest, else
the action's.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from actions.deadlines import zone
from actions.errors import InvalidInputError
from actions.models import Action, ActionStatus, ReminderSlot, SlotStatus
from actions.views import iso
from config.durations import format_duration
from config.settings import Settings
from jobs import digest, remind
from jobs.channels import ChannelRef, reminded_one_by_one, select_channels


def local(instant: datetime, zone_name: str) -> str:
    """``2026-05-08 21:59 (Europe/Berlin)``; never raises: an instant the zone cannot show (only
    data written behind the service's back can hold one) is shown in UTC."""
    try:
        return f"{instant.astimezone(zone(zone_name)):%Y-%m-%d %H:%M} ({zone_name})"
    except (OverflowError, ValueError, InvalidInputError):
        return f"{instant:%Y-%m-%d %H:%M} (UTC)"


def _row(
    at: datetime, zone_name: str, ua: str | None, what: str, tags: Sequence[str], *, to: Sequence[str]
) -> dict[str, Any]:
    return {
        "at": iso(at),
        "local": local(at, zone_name),
        "ua": ua,
        "what": what,
        "tags": sorted(tags),
        "channels": list(to),
    }


def timetable(
    session: Session, settings: Settings, channels: Sequence[ChannelRef], now: datetime
) -> list[dict[str, Any]]:
    """Pending reminders (one row per send time), the closes of open actions, and next digests."""
    rows = session.exec(
        select(ReminderSlot, Action)
        .join(Action, col(Action.id) == ReminderSlot.action_id)
        .where(ReminderSlot.status == SlotStatus.PENDING)
        .where(Action.status == ActionStatus.OPEN)
    ).all()
    one_by_one = reminded_one_by_one(channels)
    entries: list[dict[str, Any]] = []
    for slot, action in rows:
        tags = sorted({settings.reminder_tag, *action.tags})
        what = f"reminder {format_duration(timedelta(seconds=slot.offset_s))} before deadline"
        by_time: dict[datetime, list[ChannelRef]] = {}
        for channel in select_channels(one_by_one, tags):
            by_time.setdefault(remind.send_time(slot.due_at, channel, settings.timezone), []).append(channel)
        if slot.due_at not in by_time:
            by_time[slot.due_at] = []  # shown even with no channel, as the slot's own time
        for at, going in sorted(by_time.items()):
            if at == slot.due_at:
                entries.append(_row(at, action.timezone, action.ua, what, tags, to=[c.name for c in going]))
                continue
            zone_name = going[0].options.timezone or settings.timezone
            row = _row(
                at,
                zone_name,
                action.ua,
                f"{what} (moved before quiet hours)",
                tags,
                to=[c.name for c in going],
            )
            row["moved_from"] = iso(slot.due_at)
            entries.append(row)
    opened: Sequence[Action] = session.exec(select(Action).where(Action.status == ActionStatus.OPEN)).all()
    reports = [c.name for c in select_channels(channels, [settings.report_tag])]
    entries += [
        _row(a.deadline, a.timezone, a.ua, "close and final tally", [settings.report_tag], to=reports)
        for a in opened
    ]
    for channel in channels:
        upcoming = digest.next_digest(channel, now, settings.timezone)
        if upcoming is not None:
            zone_name = channel.options.timezone or settings.timezone
            entries.append(_row(upcoming, zone_name, None, "digest", sorted(channel.tags), to=[channel.name]))
    return sorted(entries, key=lambda e: (e["at"], e["ua"] or "", e["what"]))
