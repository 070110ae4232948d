"""What the reader refuses (errors naming file, line, field) and what it only doubts (warnings)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from actions.document import DocumentError, parse_document, read_document

DATA = Path(__file__).parents[2] / "data" / "ua"
SAMPLE = (DATA / "ua-61.20.txt").read_text(encoding="utf-8")


def test_a_document_without_a_deadline_is_an_error_naming_file_line_and_field() -> None:
    text = SAMPLE.replace("PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 3 June 2020", "")
    with pytest.raises(DocumentError) as caught:
        parse_document(text, source="ua-61.20.txt")
    assert caught.value.field == "deadline"
    assert str(caught.value) == f"ua-61.20.txt:{caught.value.line}: deadline: no deadline found"
    assert caught.value.line == len(text.split("\n"))


def test_a_deadline_label_without_a_date_is_an_error_at_that_line() -> None:
    text = SAMPLE.replace("UNTIL: 3 June 2020", "UNTIL: early June")
    with pytest.raises(DocumentError, match=r"^ua-61\.20\.txt:77: deadline: no date in "):
        parse_document(text, source="ua-61.20.txt")


def test_two_different_ua_numbers_are_an_error_naming_both_and_their_lines() -> None:
    text = SAMPLE.replace("Salutation: Dear Ambassador", "Salutation: Dear Ambassador (UA 62.20)")
    with pytest.raises(DocumentError) as caught:
        parse_document(text, source="ua-61.20.txt")
    assert str(caught.value) == (
        "ua-61.20.txt:40: ua: two different UA numbers: 61.20 and 62.20 at lines 12 and 40"
    )


def test_a_document_without_a_ua_number_is_an_error() -> None:
    with pytest.raises(DocumentError, match=r"^x\.md:\d+: ua: no UA number found$"):
        parse_document(SAMPLE.replace("Urgent Action 61.20", "this action"), source="x.md")


def test_read_document_names_the_file_in_its_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.txt"
    path.write_text("URGENT ACTION\n\nUA 1/20\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"^broken\.txt:4: deadline: no deadline found$"):
        read_document(path)
    with pytest.raises(DocumentError, match=r"^notes\.docx: file: unsupported file type"):
        read_document(tmp_path / "notes.docx")
    with pytest.raises(DocumentError, match=r"^missing\.txt: file: cannot read"):
        read_document(tmp_path / "missing.txt")


def test_a_broken_pdf_is_an_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "ua.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not a PDF body\n")
    with pytest.raises(DocumentError, match=r"^ua\.pdf: file: not a readable PDF"):
        read_document(path)


def test_fields_it_is_unsure_of_become_warnings_not_errors() -> None:
    text = (
        "URGENT ACTION\n"
        "\n"
        "FEAR FOR SAFETY\n"
        "Ana Ruiz Peña and Juan Pérez were threatened.\n"
        "\n"
        "Please send appeals before 2 May 2019.\n"
        "UA 5/19\n"
    )
    document = parse_document(text, source="thin.txt")
    assert document.deadline == dt.date(2019, 5, 2)
    assert [s.name for s in document.subjects] == ["Ana Ruiz Peña", "Juan Pérez"]
    by_field = {w.field: w for w in document.warnings}
    assert by_field["subjects"].line == 4
    assert by_field["subjects"].message == "names taken from the summary"
    assert by_field["targets"].message == "no targets"
    assert by_field["country"].message == "no country found"


def test_a_deadline_only_in_running_text_is_read_with_a_warning() -> None:
    text = "URGENT ACTION\nJAILED\nUA 5/19\nWe ask you to send appeals before 2 May 2019 if you can.\n"
    document = parse_document(text)
    assert document.deadline == dt.date(2019, 5, 2)
    assert any(w.field == "deadline" and w.line == 4 for w in document.warnings)


def test_a_salutation_taken_from_the_letter_is_a_warning_on_its_line() -> None:
    document = parse_document(SAMPLE, source="ua-61.20.txt")
    assert [(w.line, w.field) for w in document.warnings] == [(42, "salutation")]


def test_a_pdf_without_a_text_layer_is_an_error_saying_so(tmp_path: Path) -> None:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(DocumentError, match=r"^scan\.pdf: file: the PDF has no text layer"):
        read_document(path)
