"""Smaller pieces of the reader: normalisation, identity forms, deadline phrasings, contacts."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.document.dates import find_date
from actions.document.deadline import read_deadline, stop_notice
from actions.document.identity import read_identity
from actions.document.languages import languages_in, languages_in_text
from actions.document.normalise import Line, normalise_lines
from actions.document.targets import read_targets, split_contacts


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


@pytest.mark.parametrize(
    ("text", "key", "update", "ordinal"),
    [
        ("UA-103/2017  AI-Index: MDE 15/7421/2017", "103.17", False, None),
        ("AU 36/25 Index : AFR 16/0123/2025", "36.25", False, None),
        ("AcU 09/25 Índice: AMR 23/0456/2025", "9.25", False, None),
        ("FI 112/19-2", "112.19", True, 3),
        ("Second UA: 012/19 Index: AFR 44/4410/2019 Nigeria Date: 9 March 2019", "12.19", True, 2),
        ("This is the second update of UA 301/15.", "301.15", True, 3),
        ('email us with "UA 51.22" in the subject line', "51.22", False, None),
        ("Subject: [ua-net] Student faces flogging (Iran: UA 33/16)", "33.16", False, None),
        ("The full UA: uaa07711.pdf", "77.11", False, None),
    ],
)
def test_section_and_wrapper_forms_of_the_number(
    text: str, key: str, update: bool, ordinal: int | None
) -> None:
    identity = read_identity([Line(1, text)], "t.txt")
    assert (identity.ua, identity.is_update, identity.update_ordinal) == (key, update, ordinal)


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("Appelle bis 12. Januar 2018", dt.date(2018, 1, 12)),
        ("Écrivez avant le 3 février 2025", dt.date(2025, 2, 3)),
        ("antes del 3 de febrero de 2025", dt.date(2025, 2, 3)),
        ("3 March, 2016", dt.date(2016, 3, 3)),
        ("BEFORE 12 JULY 2011 TO:", dt.date(2011, 7, 12)),
    ],
)
def test_dates_in_the_languages_sections_publish_in(text: str, date: dt.date) -> None:
    assert find_date(text) == date


def _deadline(text: str) -> tuple[dt.date | None, str | None]:
    lines = [Line(n, t) for n, t in enumerate(text.split("\n"), start=1)]
    date, phrase, _ = read_deadline([], lines, "t.txt", required=False)
    return date, phrase


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("His trial is set for 2 May 2007.\nPLEASE SEND APPEALS IMMEDIATELY. Check with the International "
         "Secretariat,\nor your section office, if sending appeals after 20 June 2007.",
         dt.date(2007, 6, 20)),
        ("Posted on 6/2/11. Hearing on 1 June 2011.\n3. Report your action by April 15, 2023 using this form",
         dt.date(2023, 4, 15)),
        ("Schreiben Sie bitte bis zum 12. Januar 2018 an die Behörden.", dt.date(2018, 1, 12)),
        ("ENVÍEN LLAMAMIENTOS LO ANTES POSIBLE, antes del 3 de febrero de 2025", dt.date(2025, 2, 3)),
        ("The execution is scheduled for 20 May 2023. The trial took place on 2 April 2023.", None),
    ],
)  # fmt: skip
def test_only_a_date_right_after_a_deadline_phrase_is_the_deadline(text: str, date: dt.date | None) -> None:
    assert _deadline(text)[0] == date


def test_an_extension_banner_supersedes_the_deadline_further_down() -> None:
    lines = [
        Line(
            1, "3.2.2020: Deadline extended! The deadline for this action has been extended to 31 March 2020."
        ),
        Line(2, "Hearing on 14 January 2020."),
        Line(3, "UNTIL: 10 February 2020"),
    ]
    date, phrase, warnings = read_deadline([(lines[2], "10 February 2020")], lines, "t.txt")
    assert date == dt.date(2020, 3, 31)
    assert "extended" in (phrase or "")
    assert any("another deadline 2020-02-10 ignored" in w.message for w in warnings)


@pytest.mark.parametrize(
    ("value", "languages"),
    [
        ("Kyrgyz or Russian.", ["Kyrgyz", "Russian"]),
        ("français, arabe", ["French", "Arabic"]),
        ("Arabisch, Englisch oder Französisch", ["Arabic", "English", "French"]),
        ("español", ["Spanish"]),
        ("English or your own language", ["English"]),
    ],
)
def test_languages_are_recorded_in_english_without_your_own(value: str, languages: list[str]) -> None:
    assert languages_in(value, keep_unknown=True) == languages


def test_languages_named_in_an_instruction() -> None:
    found = languages_in_text(
        "Please write immediately in Spanish, Portuguese or your own language: - calling"
    )
    assert found is not None
    assert found[0] == ["Spanish", "Portuguese"]
    german = languages_in_text("Schreiben Sie in gutem Russisch, Englisch oder auf Deutsch.")
    assert german is not None
    assert german[0] == ["Russian", "English", "German"]


@pytest.mark.parametrize(
    "text",
    [
        "No further action is requested by the UA Network. Many thanks to all who sent appeals.",
        "No further action is requested. Thank you to everyone who wrote appeals.",
        "No further appeals are needed.",
        "Please stop sending appeals: he has been released.",
    ],
)
def test_stop_notices_are_recognised(text: str) -> None:
    assert stop_notice([Line(1, text)]) is not None


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("H.E. Nasir Ejemplo El-Rufai", "Nasir Ejemplo El-Rufai"),
        ("His Excellency Field Marshal Omar Ejemplo al-Bashir", "Omar Ejemplo al-Bashir"),
        ("The Honourable Johel Ejemplo Zelaya", "Johel Ejemplo Zelaya"),
        ("Lic. Carlos Ejemplo Torreblanca", "Carlos Ejemplo Torreblanca"),
        ("Ayatollah Sadegh Ejemplo Larijani", "Sadegh Ejemplo Larijani"),
        ("Interim President Adly Ejemplo Mansour", "Adly Ejemplo Mansour"),
        ("Herrn Igor Ejemplow", "Igor Ejemplow"),
    ],
)
def test_honorifics_and_ranks_are_not_part_of_names(line: str, name: str) -> None:
    targets, _, _ = read_targets([Line(1, "Minister"), Line(2, line), Line(3, "Email: a@example.org")])
    assert [t.name for t in targets] == [name]


def test_a_number_mentioned_in_passing_does_not_hide_the_documents_own() -> None:
    lines = [
        Line(1, "UA: 44/19 Index: MDE 13/5501/2019 Iran Date: 13 March 2019"),
        Line(2, "Her husband was the subject of UA 12/18."),
        Line(3, "UA: 44/19 Index: MDE 13/5501/2019 Issue Date: 13 March 2019"),
    ]
    identity = read_identity(lines, "t.txt")
    assert identity.ua == "44.19"
    assert identity.note is not None
    assert "12.18" in identity.note
