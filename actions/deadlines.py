"""Deadline maths: a date means the end of that day in the action's zone, computed through UTC."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from actions.errors import InvalidInputError
from config.settings import Settings

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
_STEP = timedelta(minutes=1)


@dataclass(frozen=True)
class Deadline:
    """A deadline as stored: the UTC instant, the zone it was stated in, and the date if one was given."""

    at: datetime
    timezone: str
    local_date: date | None = None


@dataclass(frozen=True)
class DateWindow:
    """The dates accepted anywhere (deadlines, extensions, imports, the API): a sane span around now.

    Outside it a date is a slip (``9999-12-31``) that would break every page, feed and report that
    shows it. The span comes from the settings ``dates_not_before`` and ``dates_years_ahead``.
    """

    earliest: date
    latest: date

    @classmethod
    def around(cls, now: datetime, *, earliest: date = date(1990, 1, 1), years_ahead: int = 10) -> DateWindow:
        today = now.astimezone(UTC).date()
        try:
            latest = today.replace(year=today.year + years_ahead)
        except ValueError:  # 29 February, years ahead in a common year
            latest = today.replace(year=today.year + years_ahead, day=28)
        return cls(earliest, latest)

    @classmethod
    def of(cls, settings: Settings, now: datetime) -> DateWindow:
        return cls.around(now, earliest=settings.dates_not_before, years_ahead=settings.dates_years_ahead)

    def check(self, field: str, value: date) -> None:
        """Refuse ``value`` (a date, or an instant by its own calendar date) outside the window."""
        day = value.date() if isinstance(value, datetime) else value
        if not self.earliest <= day <= self.latest:
            raise InvalidInputError(
                field,
                f"{value.isoformat()} is outside the dates accepted, "
                f"{self.earliest.isoformat()} to {self.latest.isoformat()}: check the year",
            )


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


def parse_deadline(text: str, zone_name: str, window: DateWindow | None = None) -> Deadline:
    """``2020-06-03`` (end of that day in ``zone_name``) or an ISO 8601 instant with an offset or Z.

    With a ``window``, a date outside it is refused before any arithmetic is done on it.
    """
    zone(zone_name)
    raw = text.strip()
    if _DATE_ONLY.fullmatch(raw):
        try:
            day = date.fromisoformat(raw)
        except ValueError:
            raise InvalidInputError("deadline", f"{raw!r} is not a real date") from None
        return deadline_on(day, zone_name, window)
    try:
        instant = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidInputError(
            "deadline",
            f"{raw!r} is neither a date (2020-06-03) nor an instant (2026-11-28T10:00:00Z)",
        ) from None
    if instant.tzinfo is None:
        raise InvalidInputError("deadline", f"{raw!r} has no UTC offset: add Z or +02:00, or give a date")
    if window is not None:
        window.check("deadline", instant)
    try:
        return Deadline(at=instant.astimezone(UTC), timezone=zone_name)
    except OverflowError:
        raise InvalidInputError("deadline", f"{raw!r} is out of range") from None


def deadline_on(day: date, zone_name: str, window: DateWindow | None = None) -> Deadline:
    """The deadline ``day`` means: the end of that day in ``zone_name``."""
    if window is not None:
        window.check("deadline", day)
    try:
        return Deadline(at=end_of_day(day, zone_name), timezone=zone_name, local_date=day)
    except OverflowError:
        raise InvalidInputError("deadline", f"{day.isoformat()} is out of range") from None


def time_left_parts(delta: timedelta) -> list[tuple[str, int]]:
    """The two largest units of ``delta``: ``[("day", 3), ("hour", 4)]``; empty when no time is left.

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
    parts: list[tuple[str, int]] = []
    if seconds <= 0:
        return parts
    units = (("day", 86_400), ("hour", 3_600), ("minute", 60), ("second", 1))
    for name, size in units:
        count, seconds = divmod(seconds, size)
        if count:
            parts.append((name, count))
        if len(parts) == 2 or (parts and not count):
            break
    return parts


def time_left_in_words(delta: timedelta) -> str:
    """``3 days and 4 hours``, ``5 hours``, ``12 minutes``, ``40 seconds``: the two largest units."""
    parts = time_left_parts(delta)
    if not parts:
        return "no time"
    return " and ".join(f"{count} {name}{'s' if count != 1 else ''}" for name, count in parts)


def local_text(instant: datetime, zone_name: str) -> str:
    """``Wednesday 3 June 2020, end of day (Asia/Bishkek)`` or ``…, 14:30 (zone)`` for people.

    It never raises: an instant the zone cannot show (year 1 west of UTC, year 9999 east of it, as
    only data written behind the service's back can hold) or an unknown zone is shown in UTC.
    """
    try:
        return _local_text(instant, zone_name)
    except (OverflowError, ValueError, InvalidInputError):
        return f"{instant.isoformat().replace('+00:00', 'Z')} (UTC)"


def local_day(instant: datetime, zone_name: str, *, ending: bool = False) -> date:
    """The calendar day of ``instant`` in the zone (with ``ending``, the day a deadline at that
    instant ends); never raises: an instant the zone cannot show gives its UTC day."""
    try:
        return ((instant - _STEP) if ending else instant).astimezone(zone(zone_name)).date()
    except (OverflowError, ValueError, InvalidInputError):
        return instant.date()


def _local_text(instant: datetime, zone_name: str) -> str:
    tz = zone(zone_name)
    day = (instant - _STEP).astimezone(tz).date()
    if end_of_day(day, zone_name) == instant:
        return f"{day:%A} {day.day} {day:%B %Y}, end of day ({zone_name})"
    local = instant.astimezone(tz)
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({zone_name})"
