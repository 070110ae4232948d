"""Repairing the lines of text extracted from a PDF: glued sentences, wrapped lines."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from actions.document import parse_document
from actions.document.layout import join_wrapped, split_glued
from actions.document.normalise import Line

DATA = Path(__file__).parents[2] / "data" / "ua"


def _texts(lines: list[Line]) -> list[str]:
    return [line.text for line in lines]


def test_a_glued_paragraph_end_is_split_and_keeps_its_line_number() -> None:
    lines = split_glued([Line(7, "never been properly investigated.Azimjan Askarov will turn 69")])
    assert lines == [Line(7, "never been properly investigated."), Line(7, "Azimjan Askarov will turn 69")]


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("in your own language.PLEASE TAKE ACTION UNTIL: 3 June 2020", 2),
        ("treatment of COVID-19.Please only send mail", 2),
        ("near their villages.I urge you", 2),
        ("Email: kgembassy.usa@mfa.gov.kg", 1),
        ("see https://www.amnesty.org/en/documents/EUR58/022/2010/en/", 1),
        ("the U.S.A. and Mrs.Jones", 1),
        ("Urgent Action 61.20. It's important", 1),
    ],
)
def test_only_glued_sentence_ends_are_split(text: str, pieces: int) -> None:
    assert len(split_glued([Line(1, text)])) == pieces


def test_a_wrapped_line_starting_lowercase_joins_the_line_it_continues() -> None:
    lines = [
        Line(1, "Please do not send physical mail: the ministry has not accepted letters since the start of"),
        Line(2, "the year"),
        Line(3, "Kamran Tavassoli"),
        Line(4, "c/o Permanent Mission of Iran to the UN"),
        Line(5, "He was released."),
        Line(6, "later he was arrested again"),
        Line(7, "Email:"),
        Line(8, "info@example.org"),
    ]
    assert _texts(join_wrapped(lines)) == [
        "Please do not send physical mail: the ministry has not accepted letters since the start of the year",
        "Kamran Tavassoli",
        "c/o Permanent Mission of Iran to the UN",
        "He was released.",
        "later he was arrested again",
        "Email:",
        "info@example.org",
    ]


PDF_TEXT = """URGENT ACTION
JOURNALIST DETAINED
Journalist Ana Ejemplo was detained on 2 May.
TAKE ACTION:
1. Write a letter in your own words or using the sample below as a guide to one or both officials listed. You
can also email them.
2. Click here to let us know the actions you took on Urgent Action 5.24.
Minister of Justice
Mr Pedro Muestra
Ministry of Justice
1 Example Street, Lima, Peru
Attorney General
Ms Elena Ejemplar
Email: fiscal@example.org
Salutation: Dear Attorney General
Dear Minister,
I urge you to release Ana Ejemplo.
Yours sincerely,
PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 3 June 2024
NAME AND PRONOUN: Ana Ejemplo (she/her)
"""


def test_without_blank_lines_an_office_line_after_an_address_starts_the_next_target() -> None:
    document = parse_document(PDF_TEXT)
    assert [(t.name, t.title, t.postal_address, t.salutation) for t in document.targets] == [
        (
            "Pedro Muestra",
            "Minister of Justice",
            "Ministry of Justice\n1 Example Street, Lima, Peru",
            "Dear Minister",
        ),
        ("Elena Ejemplar", "Attorney General", None, "Dear Attorney General"),
    ]
    assert document.targets[1].emails == ("fiscal@example.org",)


def test_a_salutation_naming_several_offices_is_shared_without_blank_lines() -> None:
    text = PDF_TEXT.replace(
        "Salutation: Dear Attorney General", "Salutation: Dear Minister and Attorney General"
    )
    document = parse_document(text)
    assert [t.salutation for t in document.targets] == ["Dear Minister and Attorney General"] * 2


def test_a_deadline_wrapped_onto_the_next_line_is_read_with_it() -> None:
    text = PDF_TEXT.replace("UNTIL: 3 June 2024\n", "UNTIL: 3 June\n2024\n")
    document = parse_document(text)
    assert document.deadline == dt.date(2024, 6, 3)
    assert document.deadline_text == "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 3 June 2024"


def test_a_label_wrapped_over_two_lines_is_read_whole() -> None:
    text = (
        "URGENT ACTION\nJOURNALIST HELD\nJournalist Ana Ejemplo Ruiz is held.\n"
        "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USING THIS MODEL\nLETTER\n"
        "Minister of Interior\nMr Pedro Ejemplo Soto\nEmail: minister@interior.example.org\n"
        "Dear Minister,\nRelease Ana Ejemplo Ruiz.\nYours sincerely,\n"
        "UA: 5/24 Index: AMR 01/0001/2024 Peru Date: 2 May 2024\n"
        "PLEASE SEND APPEALS BEFORE\n5 JUNE 2024 TO:\n"
    )
    document = parse_document(text)
    assert [t.name for t in document.targets] == ["Pedro Ejemplo Soto"]
    assert document.deadline == dt.date(2024, 6, 5)
    assert document.deadline_text == "PLEASE SEND APPEALS BEFORE 5 JUNE 2024 TO:"


def _wrapped(text: str, width: int = 70) -> str:
    return "\n".join(
        piece
        for line in text.split("\n")
        for piece in (textwrap.wrap(line, width, break_on_hyphens=False) or [""])
    )


CORPUS = sorted(p for folder in (DATA, DATA / "heldout") for p in folder.glob("*.txt"))


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_wrapping_line_ends_and_trailing_spaces_change_nothing_that_matters(path: Path) -> None:
    """Text re-wrapped at 70 columns (labels, contact lines and numbers broken over two lines),
    with Windows line ends or trailing spaces, reads as the original does."""
    text = path.read_text(encoding="utf-8")
    original = parse_document(text, path.name)
    for variant in (
        _wrapped(text),
        text.replace("\n", "\r\n"),
        "\n".join(f"{x}   " for x in text.split("\n")),
    ):
        document = parse_document(variant, path.name)
        assert (document.ua, document.deadline, document.update_ordinal, document.stop_notice) == (
            original.ua,
            original.deadline,
            original.update_ordinal,
            original.stop_notice,
        )
        assert [t.name for t in document.targets] == [t.name for t in original.targets]
