"""Per-field accuracy of the reader against documents with hand-written expectations.

Every ``NAME.txt`` / ``NAME.md`` / ``NAME.pdf`` in a folder is read and compared with
``NAME.expected.json``. A field is scored for a document only when the expected file has it;
the score is the fraction of those documents where the parsed value equals it exactly.

Run ``python -m actions.document.accuracy tests/data/ua`` to print the table (several folders
are scored together: ``tests/data/ua tests/data/ua/heldout``).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from actions.document.errors import DocumentError
from actions.document.reader import read_document

DOCUMENT_SUFFIXES = (".txt", ".md", ".pdf")


@dataclass
class FieldScore:
    matched: int = 0
    scored: int = 0

    @property
    def accuracy(self) -> float:
        return self.matched / self.scored if self.scored else 1.0


@dataclass(frozen=True, slots=True)
class Mismatch:
    document: str
    field: str
    expected: Any
    actual: Any


@dataclass
class AccuracyReport:
    documents: list[str] = field(default_factory=list)
    fields: dict[str, FieldScore] = field(default_factory=dict)
    mismatches: list[Mismatch] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def overall(self) -> float:
        """Fields right over fields scored, all fields and documents together."""
        scored = sum(s.scored for s in self.fields.values())
        return sum(s.matched for s in self.fields.values()) / scored if scored else 1.0

    @property
    def perfect(self) -> bool:
        return not self.errors and all(s.matched == s.scored for s in self.fields.values())


def document_pairs(folder: Path) -> list[tuple[Path, Path]]:
    """(document, expected.json) pairs, sorted by name; documents without expectations skipped."""
    pairs = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in DOCUMENT_SUFFIXES:
            expected = path.with_name(path.stem + ".expected.json")
            if expected.exists():
                pairs.append((path, expected))
    return pairs


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> dict[str, bool]:
    """Field → equal, for the fields both dicts have (the parser's fields that were expected)."""
    return {key: expected[key] == value for key, value in actual.items() if key in expected}


def measure(*folders: str | Path) -> AccuracyReport:
    """Score the reader over the documents of one or more folders together."""
    report = AccuracyReport()
    pairs = [pair for folder in folders for pair in document_pairs(Path(folder))]
    for document, expected_file in pairs:
        report.documents.append(document.name)
        expected = json.loads(expected_file.read_text(encoding="utf-8"))
        try:
            actual = read_document(document).to_expected_dict()
        except DocumentError as exc:
            report.errors[document.name] = str(exc)
            continue
        for key, equal in compare(expected, actual).items():
            score = report.fields.setdefault(key, FieldScore())
            score.scored += 1
            score.matched += equal
            if not equal:
                report.mismatches.append(Mismatch(document.name, key, expected[key], actual[key]))
    return report


def format_table(report: AccuracyReport) -> str:
    width = max((len(name) for name in report.fields), default=5)
    rows = [f"{'field':<{width}}  matched/scored  accuracy"]
    for name, score in report.fields.items():
        rows.append(f"{name:<{width}}  {score.matched:>7}/{score.scored:<6}  {score.accuracy:>8.0%}")
    matched = sum(s.matched for s in report.fields.values())
    scored = sum(s.scored for s in report.fields.values())
    rows.append(f"{'all fields':<{width}}  {matched:>7}/{scored:<6}  {report.overall:>8.0%}")
    rows.append(f"{len(report.documents)} documents")
    rows.extend(f"error: {message}" for message in report.errors.values())
    rows.extend(
        f"mismatch: {m.document}: {m.field}: expected {m.expected!r}, got {m.actual!r}"
        for m in report.mismatches
    )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args:
        print("usage: python -m actions.document.accuracy FOLDER...", file=sys.stderr)
        return 2
    report = measure(*args)
    print(format_table(report))
    return 0 if report.perfect else 1


if __name__ == "__main__":
    raise SystemExit(main())
