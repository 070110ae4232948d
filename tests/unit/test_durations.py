"""Durations as staff write them: ``7d``, ``3h``, ``90m``, ``5s``, ``1w``, ``1d12h``."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from config.durations import format_duration, parse_duration


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7d", timedelta(days=7)),
        ("3h", timedelta(hours=3)),
        ("90m", timedelta(minutes=90)),
        ("5s", timedelta(seconds=5)),
        ("1w", timedelta(weeks=1)),
        ("1d12h", timedelta(days=1, hours=12)),
        ("2w3d4h5m6s", timedelta(weeks=2, days=3, hours=4, minutes=5, seconds=6)),
    ],
)
def test_parse_reads_each_unit(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("text", [" 7d ", "7D", "\t7d\n", "7 d", " 7 D "])
def test_parse_ignores_surrounding_whitespace_and_case(text: str) -> None:
    assert parse_duration(text) == timedelta(days=7)


def test_parse_accepts_spaces_between_parts() -> None:
    assert parse_duration("1d 12h") == timedelta(days=1, hours=12)
    assert parse_duration("1D12H") == timedelta(days=1, hours=12)


@pytest.mark.parametrize("text", ["", "   ", "7x", "7", "d", "1.5d", "-1d", "7d garbage", "+3h"])
def test_parse_refuses_text_that_is_not_a_duration_and_names_it(text: str) -> None:
    with pytest.raises(ValueError, match="is not a duration") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["0s", "0d", "0w0d0h0m0s"])
def test_parse_refuses_a_zero_duration_and_names_it(text: str) -> None:
    with pytest.raises(ValueError, match="not a positive duration") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)


def test_parse_refuses_an_absurdly_large_duration_with_a_value_error() -> None:
    # A typo such as 9999999999d must be reported like any other bad text, not crash with
    # OverflowError (which pydantic validators and the settings loader do not turn into errors).
    with pytest.raises(ValueError, match="9999999999d"):
        parse_duration("9999999999d")


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=1, hours=12), "1d12h"),
        (timedelta(weeks=1), "7d"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(seconds=5), "5s"),
        (timedelta(days=2, seconds=1), "2d1s"),
        (timedelta(0), "0s"),
        (timedelta(seconds=-30), "0s"),
    ],
)
def test_format_gives_the_compact_form(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


@given(st.integers(min_value=1, max_value=10_000 * 86_400))
def test_format_then_parse_round_trips_any_positive_whole_seconds(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_duration(delta)) == delta


@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=500), st.sampled_from("wdhms")),
        min_size=1,
        max_size=5,
    ).filter(lambda parts: any(n for n, _ in parts))
)
def test_parse_then_format_is_canonical(parts: list[tuple[int, str]]) -> None:
    size = {"w": 604_800, "d": 86_400, "h": 3_600, "m": 60, "s": 1}
    text = "".join(f"{n}{unit}" for n, unit in parts)
    parsed = parse_duration(text)
    assert parsed == timedelta(seconds=sum(n * size[unit] for n, unit in parts))
    assert parse_duration(format_duration(parsed)) == parsed
