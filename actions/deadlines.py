"""Deadline maths: a date means the end of that day in the action's zone, computed through UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from actions.errors import InvalidInputError

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Deadline:
    """A deadline as stored: the UTC instant, the zone it was stated in, and the date if one was given."""

    at: datetime
    timezone: str
    local_date: date | None = None


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInputError(
            "timezone", f"{name!r} is not a time zone name such as 'Europe/Amsterdam'"
        ) from None


def end_of_day(day: date, zone_name: str) -> datetime:
    """The first instant of the next local day, in UTC.

    The next day's local midnight may not exist (a DST jump at 00:00, as in America/Santiago) or
    may occur twice. ``fold=0`` maps a skipped midnight to the moment of the jump and a doubled one
    to its first occurrence; the walk back covers a jump that skips over midnight from before it.
    """
    tz = zone(zone_name)
    next_day = day + timedelta(days=1)
    instant = datetime.combine(next_day, time(0), tzinfo=tz).astimezone(UTC)
    while (instant - _STEP).astimezone(tz).date() >= next_day:
        instant -= _STEP
    return instant


def parse_deadline(text: str, zone_name: str) -> Deadline:
    """``2020-06-03`` (end of that day in ``zone_name``) or an ISO 8601 instant with an offset or Z."""
    zone(zone_name)
    raw = text.strip()
    if _DATE_ONLY.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInputError("deadline", f"{raw!r} is not a real date") from None
        return Deadline(at=end_of_day(day, zone_name), timezone=zone_name, local_date=day)
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            "deadline",
            f"{raw!r} is neither a date (2020-06-03) nor an instant (2026-11-28T10:00:00Z)",
        ) from None
    if instant.tzinfo is None:
        raise InvalidInputError("deadline", f"{raw!r} has no UTC offset: add Z or +02:00, or give a date")
    return Deadline(at=instant.astimezone(UTC), timezone=zone_name)


def time_left_in_words(delta: timedelta) -> str:
    """``3 days and 4 hours``, ``5 hours``, ``12 minutes``, ``40 seconds``: the two largest units.

    Rounded to the smallest unit shown, so a reminder that fires a moment after its slot
    (6 days 23:59:59.9 before the deadline) still says ``7 days``.
    """
    exact = delta.total_seconds()
    if exact >= 86_400:
        seconds = round(exact / 3_600) * 3_600
    elif exact >= 3_600:
        seconds = round(exact / 60) * 60
    else:
        seconds = round(exact)
    if seconds <= 0:
        return "no time"
    units = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))
    parts: list[str] = []
    for name, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(f"{count} {name}{'s' if count != 1 else ''}")
        if len(parts) == 2 or (parts and not count):
            break
    return " and ".join(parts)


def local_text(instant: datetime, zone_name: str) -> str:
    """``Wednesday 3 June 2020, end of day (Asia/Bishkek)`` or ``…, 14:30 (zone)`` for people."""
    tz = zone(zone_name)
    day = (instant - _STEP).astimezone(tz).date()
    if end_of_day(day, zone_name) == instant:
        return f"{day:%A} {day.day} {day:%B %Y}, end of day ({zone_name})"
    local = instant.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({zone_name})"
