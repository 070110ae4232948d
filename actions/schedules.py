"""A channel's rhythm: digest times and quiet hours, in the channel's zone, computed through UTC.

Wall-clock times are read in the channel's zone, so ``daily@09:00`` stays at nine in the morning
across a DST change; every instant given and returned is timezone-aware UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_HH_MM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_ONE_MINUTE = timedelta(minutes=1)


def wall_time(text: str) -> time:
    """``09:00`` → 09:00; ``ValueError`` for anything but 24-hour ``HH:MM``."""
    match = _HH_MM.match(text.strip())
    if match is None:
        raise ValueError(f"{text.strip()!r} is not a time of day such as 09:00 (24-hour HH:MM)")
    return time(int(match[1]), int(match[2]))


def _at(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant the wall clock in ``tz`` shows ``at`` on ``day`` (a time skipped by DST: just after)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


@dataclass(frozen=True)
class DigestSpec:
    """``daily@09:00`` or ``weekly@mon 09:00``: when a channel gets its round-up."""

    weekday: int | None  # None: every day; else 0 (Monday) … 6 (Sunday)
    at: time

    @classmethod
    def parse(cls, text: str) -> DigestSpec:
        every, sep, when = text.strip().partition("@")
        every = every.strip().lower()
        if not sep or every not in {"daily", "weekly"}:
            raise ValueError(f"{text!r} is not a digest time: use 'daily@09:00' or 'weekly@mon 09:00'")
        if every == "daily":
            return cls(None, wall_time(when))
        day, _, clock = when.strip().partition(" ")
        if day.strip().lower()[:3] not in WEEKDAYS:
            raise ValueError(
                f"{day.strip()!r} is not a day of the week: use mon, tue, wed, thu, fri, sat or sun"
            )
        return cls(WEEKDAYS.index(day.strip().lower()[:3]), wall_time(clock))

    def __str__(self) -> str:
        clock = f"{self.at:%H:%M}"
        return f"daily@{clock}" if self.weekday is None else f"weekly@{WEEKDAYS[self.weekday]} {clock}"

    @property
    def period_days(self) -> int:
        return 1 if self.weekday is None else 7

    def latest(self, now: datetime, tz: ZoneInfo) -> datetime:
        """The latest digest time at or before ``now``."""
        day = now.astimezone(tz).date()
        if self.weekday is not None:
            day -= timedelta(days=(day.weekday() - self.weekday) % 7)
        instant = _at(day, self.at, tz)
        if instant > now:
            day -= timedelta(days=self.period_days)
            instant = _at(day, self.at, tz)
        return instant

    def after(self, instant: datetime, tz: ZoneInfo, periods: int = 1) -> datetime:
        """The digest time ``periods`` periods after the digest time ``instant``, by the wall clock."""
        day = instant.astimezone(tz).date() + timedelta(days=self.period_days * periods)
        return _at(day, self.at, tz)

    def period_label(self, instant: datetime, tz: ZoneInfo) -> str:
        """The local date of the digest time ``instant``: names the period in the outbox key."""
        return instant.astimezone(tz).date().isoformat()


@dataclass(frozen=True)
class QuietHours:
    """``22:00-08:00``: no message in this window of the channel's wall clock (it may span midnight)."""

    start: time
    end: time

    @classmethod
    def parse(cls, text: str) -> QuietHours:
        first, sep, second = text.strip().partition("-")
        if not sep:
            raise ValueError(f"{text!r} is not a window of hours: use HH:MM-HH:MM such as 22:00-08:00")
        start, end = wall_time(first), wall_time(second)
        if start == end:
            raise ValueError(f"{text!r} is empty: its start and end are the same time")
        return cls(start, end)

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def length(self) -> timedelta:
        minutes = (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)
        return timedelta(minutes=minutes % (24 * 60))

    def window_start(self, instant: datetime, tz: ZoneInfo) -> datetime | None:
        """When the quiet window holding ``instant`` started, or None if ``instant`` is not quiet."""
        local = instant.astimezone(tz)
        for day in (local.date(), local.date() - timedelta(days=1)):
            start = _at(day, self.start, tz)
            end = _at(day + timedelta(days=1 if self.end <= self.start else 0), self.end, tz)
            if start <= instant < end:
                return start
        return None

    def moved(self, instant: datetime, tz: ZoneInfo) -> datetime:
        """``instant``, or the last minute before the quiet window holding it starts (never later)."""
        start = self.window_start(instant, tz)
        return instant if start is None else start - _ONE_MINUTE
