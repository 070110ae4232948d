"""Smaller pieces of the reader: normalisation, identity forms, deadline phrasings, contacts."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.document.dates import find_date
from actions.document.identity import read_identity
from actions.document.normalise import Line, normalise_lines
from actions.document.targets import split_contacts


def test_markdown_and_typography_are_normalised_without_moving_lines() -> None:
    lines = normalise_lines(
        "# Title\u00a0here\n**AMNESTY\nINTERNATIONAL**\nTwitter: [@a\\_b](#) \u2013 \u201cq\u2019s\u201d"
    )
    assert [line.text for line in lines] == [
        "Title here",
        "AMNESTY",
        "INTERNATIONAL",
        'Twitter: @a_b - "q\'s"',
    ]
    assert [line.number for line in lines] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("text", "key", "number", "update", "ordinal"),
    [
        ("Urgent Action 61.20", "61.20", "61.20", False, None),
        ("UA 219/06", "219.06", "219/06", False, None),
        ("THIRD UA 60/16", "60.16", "60/16", True, 3),
        ("UA: 123/19", "123.19", "123/19", False, None),
        ("Further information on UA 44/19", "44.19", "44/19", True, None),
        ("2nd UA 7/2021", "7.21", "7/2021", True, 2),
        ("UA 31/22 update", "31.22", "31/22", True, None),
    ],
)
def test_ua_number_forms_share_one_case_key(
    text: str, key: str, number: str, update: bool, ordinal: int | None
) -> None:
    identity = read_identity([Line(1, text)], "t.txt")
    assert (identity.ua, identity.ua_number, identity.is_update, identity.update_ordinal) == (
        key,
        number,
        update,
        ordinal,
    )


@pytest.mark.parametrize(
    "text",
    ["3 June 2020", "June 3, 2020", "3rd JUNE 2020", "2020-06-03", "03/06/2020", "3 Jun. 2020"],
)
def test_dates_in_their_written_forms(text: str) -> None:
    assert find_date(f"until: {text}.") == dt.date(2020, 6, 3)


def test_several_contacts_on_one_line() -> None:
    assert split_contacts("Phone: 202 449 9822 | Fax: 202 449 8275") == [
        ("phone", "202 449 9822"),
        ("fax", "202 449 8275"),
    ]
    assert split_contacts("Tel: +1 555 0100 Fax: +1 555 0101") == [
        ("phone", "+1 555 0100"),
        ("fax", "+1 555 0101"),
    ]
    assert split_contacts("Box 12, 1000 Town") == []
