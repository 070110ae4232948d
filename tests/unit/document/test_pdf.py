"""The real PDF path: documents printed to PDF with fpdf2, read back through pypdf.

Text extracted from a PDF has no blank lines between paragraphs and wraps lines at the page
margin; the reader must find the same targets, deadline, languages and UA number as in the text.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from actions.document import read_document
from actions.document.model import ParsedDocument

pytest.importorskip("pypdf")
fpdf = pytest.importorskip("fpdf")

DATA = Path(__file__).parents[2] / "data" / "ua"


def _print_to_pdf(source: Path, folder: Path) -> Path:
    """The document's text in Helvetica 10 on A4, as fpdf2 wraps it (Latin-1 only)."""
    text = source.read_text(encoding="utf-8").replace("\u2019", "'")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    pdf.multi_cell(0, 5, text.encode("latin-1", "replace").decode("latin-1"))
    path = folder / (source.stem + ".pdf")
    pdf.output(str(path))
    return path


def _contacts(document: ParsedDocument) -> list[tuple[object, ...]]:
    return [
        (t.name, t.title, t.salutation, list(t.emails), list(t.phones), list(t.faxes), dict(t.social))
        for t in document.targets
    ]


def test_ua_61_20_printed_to_pdf_has_both_targets(tmp_path: Path) -> None:
    document = read_document(_print_to_pdf(DATA / "ua-61.20.txt", tmp_path))

    assert document.source == "ua-61.20.pdf"
    assert document.ua == "61.20"
    assert document.deadline == dt.date(2020, 6, 3)
    assert document.preferred_languages == ("Kyrgyz", "Russian")
    assert _contacts(document) == [
        (
            "Sooronbay Jeenbekov",
            "President of Kyrgyzstan",
            "Dear President",
            ["pisma@mail.gov.kg", "oip@adm.gov.kg"],
            [],
            [],
            {"facebook": "@PresidentKyrgyzRepublic", "twitter": "@kyrgyzpresident"},
        ),
        (
            "Bolot Isakovich Otunbaev",
            "Ambassador, Embassy of the Kyrgyz Republic",
            "Dear Ambassador",
            ["kgembassy.usa@mfa.gov.kg"],
            ["202 449 9822"],
            ["202 449 8275"],
            {"facebook": "@kgembassyusa", "instagram": "@KGEMBASSY"},
        ),
    ]
    assert document.targets[0].postal_note == (
        "Due to postal restrictions caused by COVID-19, please only send physical mail to the Embassy"
    )
    assert all(w.message != "no targets" for w in document.warnings)


def test_invented_pdf_text_printed_to_pdf_reads_as_its_text(tmp_path: Path) -> None:
    source = DATA / "ua-88.24-pdftext.txt"
    document = read_document(_print_to_pdf(source, tmp_path))

    assert document.ua == "88.24"
    assert document.deadline == dt.date(2024, 6, 27)
    assert document.preferred_languages == ("Spanish", "English")
    shared = "Dear Minister and Governor"
    assert _contacts(document) == [
        (
            "Julio Ejemplo Quispe",
            "Minister of the Interior",
            shared,
            ["despacho@mininter.example.org"],
            ["+51 1 555 0142"],
            ["+51 1 555 0143"],
            {"twitter": "@MininterEjemplo"},
        ),
        (
            "Rosa Muestra Huamán",
            "Governor of the Cusco Region",
            shared,
            ["gobernadora@regioncusco.example.org", "mesadepartes@regioncusco.example.org"],
            ["+51 84 555 0177"],
            [],
            {"facebook": "@GobiernoCuscoEjemplo"},
        ),
    ]
    assert [t.postal_address for t in document.targets] == [
        "Ministerio del Interior\nPlaza Ejemplo 150\nSan Isidro, Lima 15036\nPeru",
        "Gobierno Regional del Cusco\nAvenida Ejemplo 555, Wanchaq\nCusco 08002\nPeru",
    ]
    # The PDF is read like the text it was printed from, field by field.
    as_text = read_document(source)
    assert document.to_expected_dict() == as_text.to_expected_dict()
