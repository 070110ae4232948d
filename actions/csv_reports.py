"""Sections' totals as CSV: one row per country, read and checked whole before anything is stored.

```
country,letter,email,fax,call,post,other,note
NL,120,45,0,3,10,0,week 1 and 2
BE,30,12,,,,,
```

Every header column but ``note`` is required; a blank count is 0. ``parse`` is pure: it returns the
rows, or every problem found, each naming its line and field, so a section fixes the file in one go.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from actions.specs import MAX_COUNT, ReportCounts
from actions.store import COUNTRY_CODES
from config.settings import ACTION_KINDS

REQUIRED_COLUMNS: tuple[str, ...] = ("country", *ACTION_KINDS)
OPTIONAL_COLUMNS: tuple[str, ...] = ("note",)
NOTE_MAX_LEN = 500
MAX_ROWS = 1_000
_WHOLE = re.compile(r"[+-]?\d+")


@dataclass(frozen=True)
class CsvRow:
    """One country's totals, as read from line ``line``."""

    line: int
    country: str
    counts: ReportCounts
    note: str | None = None


@dataclass(frozen=True)
class RowProblem:
    """One field of one line that cannot be used.

    ``str()`` gives ``line 4: letter: not a whole number: 'x'``.
    """

    line: int
    field: str
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.problem}"


@dataclass(frozen=True)
class Parsed:
    """Either ``rows`` (and no problems) or ``problems`` (and no rows)."""

    rows: tuple[CsvRow, ...] = ()
    problems: tuple[RowProblem, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems


def parse(text: str) -> Parsed:
    """Read a sections' CSV: header ``country,letter,email,fax,call,post,other`` (+ ``note``)."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    try:
        header = _next_nonblank(reader)
    except csv.Error as exc:
        return Parsed(problems=(RowProblem(reader.line_num or 1, "header", f"not CSV: {exc}"),))
    if header is None:
        return Parsed(problems=(RowProblem(1, "header", _expected("the file is empty")),))
    header_line = reader.line_num
    columns = [name.strip().lower() for name in header]
    problems = _header_problems(columns, header_line)
    if problems:
        return Parsed(problems=tuple(problems))

    rows: list[CsvRow] = []
    seen: dict[str, int] = {}
    while True:
        try:
            record = _next_nonblank(reader)
        except csv.Error as exc:
            problems.append(RowProblem(reader.line_num, "row", f"not CSV: {exc}"))
            break
        if record is None:
            break
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(RowProblem(reader.line_num, "row", f"more than {MAX_ROWS} rows"))
            break
        row, row_problems = _read_row(columns, record, reader.line_num)
        if row is not None and row.country in seen:
            row_problems.append(
                RowProblem(row.line, "country", f"{row.country} again (first on line {seen[row.country]})")
            )
        if row_problems:
            problems.extend(row_problems)
        elif row is not None:
            seen[row.country] = row.line
            rows.append(row)
    if not rows and not problems:
        problems.append(RowProblem(header_line + 1, "row", "no rows after the header"))
    if problems:
        return Parsed(problems=tuple(problems))
    return Parsed(rows=tuple(rows))


def _expected(what: str) -> str:
    return f"{what}: expected the header {','.join(REQUIRED_COLUMNS)} (and optionally note)"


def _next_nonblank(reader: Iterator[list[str]]) -> list[str] | None:
    for record in reader:
        if any(cell.strip() for cell in record):
            return record
    return None


def _header_problems(columns: Sequence[str], line: int) -> list[RowProblem]:
    problems: list[RowProblem] = []
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    for position, name in enumerate(columns, start=1):
        if not name:
            problems.append(RowProblem(line, f"column {position}", _expected("column without a name")))
        elif name not in known:
            problems.append(RowProblem(line, _clip(name), _expected("unknown column")))
        elif columns.index(name) != position - 1:
            problems.append(RowProblem(line, name, "column given twice"))
    problems.extend(
        RowProblem(line, name, _expected("missing column"))
        for name in REQUIRED_COLUMNS
        if name not in columns
    )
    return problems


def _read_row(
    columns: Sequence[str], record: Sequence[str], line: int
) -> tuple[CsvRow | None, list[RowProblem]]:
    if len(record) != len(columns):
        return None, [RowProblem(line, "row", f"{len(record)} cells where the header has {len(columns)}")]
    cells = {name: value.strip() for name, value in zip(columns, record, strict=True)}
    problems: list[RowProblem] = []

    country = cells["country"].upper()
    if not country:
        problems.append(RowProblem(line, "country", "missing: give a two-letter code such as NL"))
    elif country not in COUNTRY_CODES:
        problems.append(
            RowProblem(
                line, "country", f"not an ISO 3166 country code such as NL: {_clip(cells['country'])!r}"
            )
        )

    counts: dict[str, int] = {}
    for kind in ACTION_KINDS:
        number, problem = _count(cells[kind])
        if problem is not None:
            problems.append(RowProblem(line, kind, problem))
        else:
            counts[kind] = number

    note = cells.get("note") or None
    if note is not None and len(note) > NOTE_MAX_LEN:
        problems.append(RowProblem(line, "note", f"longer than {NOTE_MAX_LEN} characters"))

    if not problems and sum(counts.values()) == 0:
        problems.append(RowProblem(line, "counts", "no actions in this row: leave the country out instead"))
    if problems:
        return None, problems
    return CsvRow(line=line, country=country, counts=ReportCounts(**counts), note=note), []


def _count(cell: str) -> tuple[int, str | None]:
    if not cell:
        return 0, None
    if not _WHOLE.fullmatch(cell):
        return 0, f"not a whole number: {_clip(cell)!r}"
    digits = cell.lstrip("+-").lstrip("0")
    if len(digits) > len(str(MAX_COUNT)):  # no int() of a thousand digits
        return 0, f"more than {MAX_COUNT}: {_clip(cell)}"
    number = int(cell)
    if number < 0:
        return 0, f"negative: {number}"
    if number > MAX_COUNT:
        return 0, f"more than {MAX_COUNT}: {number}"
    return number, None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
