"""Deadline maths: a date means the end of that day in the action's zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from actions.deadlines import (
    Deadline,
    end_of_day,
    local_text,
    parse_deadline,
    time_left_in_words,
)
from actions.errors import InvalidInputError

ZONES = sorted(available_timezones() - {"localtime", "Factory"})
MINUTE = timedelta(minutes=1)


def utc(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- end_of_day ---------------------------------------------------------------------------------


def test_end_of_day_on_a_normal_day_is_local_midnight_in_utc() -> None:
    assert end_of_day(date(2020, 6, 3), "Asia/Bishkek") == utc(2020, 6, 3, 18, 0)


def test_end_of_day_is_an_aware_utc_instant() -> None:
    result = end_of_day(date(2020, 6, 3), "Asia/Bishkek")
    assert result.utcoffset() == timedelta(0)


def test_end_of_day_in_utc_is_the_next_midnight() -> None:
    assert end_of_day(date(2026, 5, 9), "UTC") == utc(2026, 5, 10, 0, 0)


def test_end_of_day_on_the_spring_forward_day_uses_summer_time() -> None:
    # 2026-03-29: Amsterdam moves from +01:00 to +02:00 at 02:00; the next midnight is at +02:00.
    assert end_of_day(date(2026, 3, 29), "Europe/Amsterdam") == utc(2026, 3, 29, 22, 0)


def test_end_of_day_before_the_spring_forward_day_uses_winter_time() -> None:
    assert end_of_day(date(2026, 3, 28), "Europe/Amsterdam") == utc(2026, 3, 28, 23, 0)


def test_end_of_day_on_the_fall_back_day_uses_winter_time() -> None:
    # 2026-10-25 lasts 25 hours in Amsterdam; the next midnight is at +01:00.
    assert end_of_day(date(2026, 10, 25), "Europe/Amsterdam") == utc(2026, 10, 25, 23, 0)


def test_end_of_day_before_the_fall_back_day_uses_summer_time() -> None:
    assert end_of_day(date(2026, 10, 24), "Europe/Amsterdam") == utc(2026, 10, 24, 22, 0)


def test_end_of_day_when_the_next_midnight_does_not_exist_is_the_moment_of_the_jump() -> None:
    # America/Santiago jumped from 2022-09-11 00:00 (-04:00) straight to 01:00 (-03:00).
    assert end_of_day(date(2022, 9, 10), "America/Santiago") == utc(2022, 9, 11, 4, 0)


def test_end_of_day_before_a_skipped_day_is_when_the_day_after_begins() -> None:
    # Samoa skipped 2011-12-30 entirely: 29 December 23:59:59 (-10:00) was followed by
    # 31 December 00:00 (+14:00).
    assert end_of_day(date(2011, 12, 29), "Pacific/Apia") == utc(2011, 12, 30, 10, 0)


def test_end_of_day_refuses_an_unknown_zone_naming_the_timezone_field() -> None:
    with pytest.raises(InvalidInputError, match="Mars/Olympus") as caught:
        end_of_day(date(2026, 5, 1), "Mars/Olympus")
    assert caught.value.field == "timezone"


@settings(max_examples=300, deadline=None)
@given(
    day=st.dates(min_value=date(1970, 1, 1), max_value=date(2037, 12, 31)),
    zone_name=st.sampled_from(ZONES),
)
def test_end_of_day_is_the_first_instant_of_a_later_local_day(day: date, zone_name: str) -> None:
    tz = ZoneInfo(zone_name)
    result = end_of_day(day, zone_name)
    assert result.tzinfo is not None
    assert result.astimezone(tz).date() > day
    assert (result - MINUTE).astimezone(tz).date() <= day


# --- parse_deadline -----------------------------------------------------------------------------


def test_parse_deadline_reads_a_date_as_the_end_of_that_day_in_the_zone() -> None:
    deadline = parse_deadline("2020-06-03", "Asia/Bishkek")
    assert deadline == Deadline(
        at=utc(2020, 6, 3, 18, 0), timezone="Asia/Bishkek", local_date=date(2020, 6, 3)
    )


def test_parse_deadline_ignores_surrounding_whitespace() -> None:
    assert parse_deadline("  2020-06-03\n", "UTC").local_date == date(2020, 6, 3)


def test_parse_deadline_reads_an_instant_in_utc_with_z() -> None:
    deadline = parse_deadline("2026-11-28T10:00:00Z", "Europe/Amsterdam")
    assert deadline.at == utc(2026, 11, 28, 10, 0)
    assert deadline.at.utcoffset() == timedelta(0)
    assert deadline.timezone == "Europe/Amsterdam"
    assert deadline.local_date is None


def test_parse_deadline_converts_an_instant_with_an_offset_to_utc() -> None:
    deadline = parse_deadline("2026-11-28T10:00:00+02:00", "UTC")
    assert deadline.at == utc(2026, 11, 28, 8, 0)
    assert deadline.at.tzinfo == UTC


def test_parse_deadline_refuses_an_instant_without_offset() -> None:
    with pytest.raises(InvalidInputError, match="no UTC offset") as caught:
        parse_deadline("2026-11-28T10:00:00", "UTC")
    assert caught.value.field == "deadline"
    assert "2026-11-28T10:00:00" in str(caught.value)


@pytest.mark.parametrize("text", ["next friday", "", "28/11/2026", "2026-13-45T10:00Z"])
def test_parse_deadline_refuses_garbage_naming_the_deadline_field(text: str) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_deadline(text, "UTC")
    assert caught.value.field == "deadline"
    assert str(caught.value).startswith("deadline: ")


def test_parse_deadline_refuses_a_date_that_does_not_exist() -> None:
    with pytest.raises(InvalidInputError, match="not a real date") as caught:
        parse_deadline("2026-02-30", "UTC")
    assert caught.value.field == "deadline"


def test_parse_deadline_refuses_an_unknown_zone_naming_the_timezone_field() -> None:
    with pytest.raises(InvalidInputError, match="Nowhere/Land") as caught:
        parse_deadline("2026-11-28T10:00:00Z", "Nowhere/Land")
    assert caught.value.field == "timezone"


# --- time_left_in_words -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(days=7), "7 days"),
        (timedelta(hours=3), "3 hours"),
        (timedelta(days=1, hours=4), "1 day and 4 hours"),
        (timedelta(days=3, hours=4, minutes=20), "3 days and 4 hours"),
        (timedelta(days=3, hours=4, minutes=40), "3 days and 5 hours"),
        (timedelta(days=7) - timedelta(milliseconds=100), "7 days"),
        (timedelta(hours=3) - timedelta(seconds=1), "3 hours"),
        (timedelta(hours=1, minutes=1), "1 hour and 1 minute"),
        (timedelta(minutes=12), "12 minutes"),
        (timedelta(seconds=40), "40 seconds"),
        (timedelta(seconds=1), "1 second"),
        (timedelta(0), "no time"),
        (timedelta(seconds=-5), "no time"),
        (timedelta(milliseconds=500), "no time"),
    ],
)
def test_time_left_in_words(delta: timedelta, words: str) -> None:
    assert time_left_in_words(delta) == words


# --- local_text ---------------------------------------------------------------------------------


def test_local_text_shows_end_of_day_for_an_end_of_day_deadline() -> None:
    text = local_text(end_of_day(date(2020, 6, 3), "Asia/Bishkek"), "Asia/Bishkek")
    assert text == "Wednesday 3 June 2020, end of day (Asia/Bishkek)"


def test_local_text_shows_the_local_clock_time_otherwise() -> None:
    text = local_text(utc(2020, 6, 3, 10, 30), "Asia/Bishkek")
    assert text == "Wednesday 3 June 2020, 16:30 (Asia/Bishkek)"


@pytest.mark.parametrize(
    ("day", "zone_name", "expected"),
    [
        (date(2026, 3, 29), "Europe/Amsterdam", "Sunday 29 March 2026, end of day"),
        (date(2026, 10, 25), "Europe/Amsterdam", "Sunday 25 October 2026, end of day"),
        (date(2022, 9, 10), "America/Santiago", "Saturday 10 September 2022, end of day"),
        (date(2011, 12, 29), "Pacific/Apia", "Thursday 29 December 2011, end of day"),
    ],
)
def test_local_text_names_the_deadline_date_for_end_of_day_around_clock_changes(
    day: date, zone_name: str, expected: str
) -> None:
    text = local_text(end_of_day(day, zone_name), zone_name)
    assert text == f"{expected} ({zone_name})"
