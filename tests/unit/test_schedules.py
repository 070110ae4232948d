"""Digest times and quiet hours in a channel's zone, across midnight and DST."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from actions.errors import InvalidInputError
from actions.schedules import DigestSpec, QuietHours
from jobs.channels import channel_options

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def test_a_reminder_inside_quiet_hours_moves_to_the_minute_before_they_start() -> None:
    quiet = QuietHours.parse("22:00-08:00")
    assert quiet.moved(berlin(2026, 5, 8, 23, 0), BERLIN) == berlin(2026, 5, 8, 21, 59)
    assert quiet.moved(berlin(2026, 5, 9, 7, 30), BERLIN) == berlin(2026, 5, 8, 21, 59)  # after midnight
    assert quiet.moved(berlin(2026, 5, 8, 22, 0), BERLIN) == berlin(2026, 5, 8, 21, 59)
    assert quiet.moved(berlin(2026, 5, 9, 8, 0), BERLIN) == berlin(2026, 5, 9, 8, 0)  # the window ended
    assert quiet.moved(berlin(2026, 5, 8, 21, 59), BERLIN) == berlin(2026, 5, 8, 21, 59)


def test_quiet_hours_within_one_day() -> None:
    quiet = QuietHours.parse("12:00-14:00")
    assert quiet.moved(berlin(2026, 5, 8, 13, 0), BERLIN) == berlin(2026, 5, 8, 11, 59)
    assert quiet.moved(berlin(2026, 5, 8, 15, 0), BERLIN) == berlin(2026, 5, 8, 15, 0)
    assert str(quiet) == "12:00-14:00"


def test_a_daily_digest_keeps_its_wall_clock_time_across_a_dst_change() -> None:
    daily = DigestSpec.parse("daily@09:00")
    latest = daily.latest(berlin(2026, 3, 29, 8, 0), BERLIN)  # the clocks went forward that night
    assert latest == berlin(2026, 3, 28, 9, 0)
    assert daily.after(latest, BERLIN) == berlin(2026, 3, 29, 9, 0)
    assert daily.after(latest, BERLIN) - latest == (berlin(2026, 3, 29, 9, 0) - berlin(2026, 3, 28, 9, 0))
    assert daily.period_label(latest, BERLIN) == "2026-03-28"


def test_a_weekly_digest_falls_on_its_day() -> None:
    weekly = DigestSpec.parse("weekly@mon 09:00")
    assert weekly.latest(berlin(2026, 5, 13, 12, 0), BERLIN) == berlin(2026, 5, 11, 9, 0)  # a Wednesday
    assert weekly.latest(berlin(2026, 5, 11, 8, 59), BERLIN) == berlin(2026, 5, 4, 9, 0)
    assert weekly.after(berlin(2026, 5, 11, 9, 0), BERLIN, periods=2) == berlin(2026, 5, 25, 9, 0)
    assert str(weekly) == "weekly@mon 09:00"


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"digest": "hourly@09:00"}, "digest"),
        ({"digest": "daily@9am"}, "digest"),
        ({"digest": "weekly@someday 09:00"}, "digest"),
        ({"quiet_hours": "22:00"}, "quiet_hours"),
        ({"quiet_hours": "22:00-22:00"}, "quiet_hours"),
        ({"quiet_hours": "25:00-08:00"}, "quiet_hours"),
        ({"language": "klingon"}, "language"),
        ({"timezone": "Mars/Olympus"}, "timezone"),
    ],
)
def test_a_bad_channel_option_names_its_field(options: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        channel_options(**options)
    assert caught.value.field == field
    assert "\n" not in str(caught.value)
    assert str(caught.value).startswith(f"{field}: ")


def test_good_channel_options_are_kept_in_their_usual_form() -> None:
    options = channel_options(
        digest="Weekly@Mon 09:00", quiet_hours="22:00-08:00", language="de", timezone="Europe/Berlin"
    )
    assert options.describe() == {
        "digest": "weekly@mon 09:00",
        "quiet_hours": "22:00-08:00",
        "language": "de",
        "timezone": "Europe/Berlin",
    }
