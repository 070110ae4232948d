"""The reader against every document in tests/data/ua with its hand-written expectations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from actions.document import read_document
from actions.document.accuracy import compare, document_pairs, format_table, main, measure

DATA = Path(__file__).parents[2] / "data" / "ua"
HELD_OUT = DATA / "heldout"
PAIRS = document_pairs(DATA)


def test_the_corpus_has_the_two_real_samples_and_thirty_more_split_in_two_halves() -> None:
    names = {document.name for document, _ in PAIRS}
    held_out = {document.name for document, _ in document_pairs(HELD_OUT)}
    assert {"ua-61.20.txt", "ua-60.16-third.txt"} <= names
    assert len(names) + len(held_out) >= 32
    assert len(held_out) >= 15
    assert not names & held_out


def test_the_held_out_documents_are_read_without_refusal_and_at_least_95_percent_right() -> None:
    """The rules were written on the development half (``tests/data/ua``) only."""
    report = measure(HELD_OUT)
    assert report.errors == {}
    assert report.overall >= 0.95, format_table(report)


def test_a_deadline_and_a_number_printed_mean_no_refusal_in_any_document() -> None:
    for folder in (DATA, HELD_OUT):
        report = measure(folder)
        assert report.errors == {}, report.errors


@pytest.mark.parametrize(("document", "expected_file"), PAIRS, ids=[d.name for d, _ in PAIRS])
def test_each_document_matches_its_expectations_field_by_field(document: Path, expected_file: Path) -> None:
    expected = json.loads(expected_file.read_text(encoding="utf-8"))
    actual = read_document(document).to_expected_dict()
    wrong = {key: (expected[key], actual[key]) for key, ok in compare(expected, actual).items()}
    assert {key: pair for key, pair in wrong.items() if pair[0] != pair[1]} == {}


def test_every_field_is_read_right_on_every_document(capsys: pytest.CaptureFixture[str]) -> None:
    report = measure(DATA)
    print(format_table(report))
    assert report.errors == {}
    accuracy = {name: score.accuracy for name, score in report.fields.items()}
    assert accuracy == dict.fromkeys(report.fields, 1.0)
    # The fields every expected.json holds are scored on every document.
    for name in ("ua", "title", "country", "targets", "deadline", "late_reports_welcome"):
        assert report.fields[name].scored >= 8
    assert "targets" in capsys.readouterr().out


def test_the_accuracy_command_prints_the_table_and_succeeds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main([str(DATA)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["field", "matched/scored", "accuracy"]
    assert f"{len(PAIRS)} documents" in out


def test_a_wrong_expectation_lowers_the_score_and_is_listed(tmp_path: Path) -> None:
    (tmp_path / "ua.txt").write_text((DATA / "ua-61.20.txt").read_text(encoding="utf-8"))
    expected = json.loads((DATA / "ua-61.20.expected.json").read_text(encoding="utf-8"))
    expected["country"] = "Kazakhstan"
    (tmp_path / "ua.expected.json").write_text(json.dumps(expected), encoding="utf-8")
    report = measure(tmp_path)
    assert report.fields["country"].accuracy == 0.0
    assert report.fields["deadline"].accuracy == 1.0
    assert [(m.field, m.actual) for m in report.mismatches] == [("country", "Kyrgyzstan")]
    assert main([str(tmp_path)]) == 1
