"""Sections' totals as CSV: every row checked first, then all stored in one transaction, or none."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlmodel import Session, select

from actions.clock import ManualClock
from actions.csv_reports import RowProblem, parse
from actions.models import Report
from actions.specs import MAX_COUNT
from scheduler.service import Service
from tests.factories import add_action, add_report

URL = "/api/v1/actions/61.20/reports/import"
CSV = {"Content-Type": "text/csv"}
HEADER = "country,letter,email,fax,call,post,other"


def stored(service: Service) -> int:
    with Session(service.engine) as session:
        return int(session.exec(select(func.count()).select_from(Report)).one())


def post_csv(staff: TestClient, text: str | bytes, **headers: str) -> Any:
    return staff.post(
        URL, content=text.encode() if isinstance(text, str) else text, headers={**CSV, **headers}
    )


def test_a_good_file_stores_one_report_per_row_and_the_tally_is_their_sum(
    staff: TestClient, service: Service
) -> None:
    add_action(service)
    add_report(service, "61.20", letter=1)  # a supporter's report, before the sections'
    text = (
        "country,letter,email,fax,call,post,other,note\r\n"
        "NL,120,45,0,3,10,0,weeks 1 and 2\r\n"
        "be,30,12,,,,,\r\n"
        '\r\nDE,5,0,0,0,0,7,"online, and at a stall"\r\n'
    )
    response = post_csv(staff, text)
    assert response.status_code == 201, response.text
    assert response.json() == {
        "ua": "61.20",
        "reports_stored": 3,
        "actions_stored": 232,
        "total": 233,
        "late_total": 0,
        "late": False,
    }
    with Session(service.engine) as session:
        rows = session.exec(select(Report).where(Report.source == "csv").order_by(Report.country)).all()
    assert [(r.country, r.letter, r.email, r.call, r.post, r.other, r.late) for r in rows] == [
        ("BE", 30, 12, 0, 0, 0, False),
        ("DE", 5, 0, 0, 0, 7, False),
        ("NL", 120, 45, 3, 10, 0, False),
    ]
    tally = staff.get("/api/v1/actions/61.20/tally").json()
    assert tally["total"] == 1 + 232
    assert tally["by_kind"] == {"letter": 156, "email": 57, "fax": 0, "call": 3, "post": 10, "other": 7}
    assert tally["by_country"] == {"BE": 42, "DE": 12, "NL": 178, "unknown": 1}


def test_broken_rows_are_all_listed_by_line_and_field_and_nothing_is_stored(
    staff: TestClient, service: Service
) -> None:
    add_action(service)
    add_report(service, "61.20", letter=1)
    before = stored(service)
    text = (
        f"{HEADER}\n"
        "NL,1,2,3,4,5,6\n"  # good: not stored either, since others are bad
        "XX,1,0,0,0,0,0\n"  # bad country
        "BE,-3,0,0,0,0,0\n"  # negative
        "DE,1,x,0,0,0,0\n"  # text in a number
        "FR,1,0,0,0,0\n"  # a cell short
        f"IT,{MAX_COUNT + 1},0,0,0,0,2.5\n"  # too many, and not whole
        "NL,1,0,0,0,0,0\n"  # NL again
    )
    response = post_csv(staff, text)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert "nothing was stored" in error["message"]
    assert [(r["line"], r["field"]) for r in error["rows"]] == [
        (3, "country"),
        (4, "letter"),
        (5, "email"),
        (6, "row"),
        (7, "letter"),
        (7, "other"),
        (8, "country"),
    ]
    messages = [r["message"] for r in error["rows"]]
    assert messages[0] == "line 3: country: not an ISO 3166 country code such as NL: 'XX'"
    assert messages[1] == "line 4: letter: negative: -3"
    assert messages[2] == "line 5: email: not a whole number: 'x'"
    assert messages[3] == "line 6: row: 6 cells where the header has 7"
    assert messages[4] == f"line 7: letter: more than {MAX_COUNT}: {MAX_COUNT + 1}"
    assert messages[5] == "line 7: other: not a whole number: '2.5'"
    assert messages[6] == "line 8: country: NL again (first on line 2)"
    assert stored(service) == before


@pytest.mark.parametrize(
    ("header", "problems"),
    [
        ("country,letter,email,fax,call,post", [(1, "other", "missing column")]),
        (f"{HEADER},mood", [(1, "mood", "unknown column")]),
        (
            "country,letters,email,fax,call,post,other",
            [(1, "letters", "unknown column"), (1, "letter", "missing")],
        ),
        (f"{HEADER},letter", [(1, "letter", "column given twice")]),
    ],
)
def test_a_missing_or_unknown_column_is_named_and_nothing_is_stored(
    staff: TestClient, service: Service, header: str, problems: list[tuple[int, str, str]]
) -> None:
    add_action(service)
    add_report(service, "61.20", letter=1)
    before = stored(service)
    width = header.count(",") + 1
    response = post_csv(staff, f"{header}\nNL{',1' * (width - 1)}\n")
    assert response.status_code == 422
    rows = response.json()["error"]["rows"]
    assert len(rows) == len(problems)
    for row, (line, field, words) in zip(rows, problems, strict=True):
        assert (row["line"], row["field"]) == (line, field)
        assert words in row["message"]
    if "missing" in rows[0]["message"]:
        assert "expected the header country,letter,email,fax,call,post,other" in rows[0]["message"]
    assert stored(service) == before


def test_what_is_not_a_csv_file_is_refused(staff: TestClient, service: Service) -> None:
    add_action(service)
    assert staff.post(URL, json={"country": "NL"}).status_code == 415
    plain = staff.post(URL, content=f"{HEADER}\nNL,1,0,0,0,0,0\n", headers={"Content-Type": "text/plain"})
    assert plain.status_code == 415
    latin1 = post_csv(staff, f"{HEADER}\nNL,1,0,0,0,0,0,\n".encode() + b"\xe9\n")
    assert (latin1.status_code, latin1.json()["error"]["field"]) == (422, "body")
    assert post_csv(staff, "").json()["error"]["rows"][0]["field"] == "header"
    assert (
        post_csv(staff, f"{HEADER}\n")
        .json()["error"]["rows"][0]["message"]
        .endswith("no rows after the header")
    )
    assert post_csv(staff, f"{HEADER}\nNL,0,0,0,0,0,0\n").json()["error"]["rows"][0]["field"] == "counts"
    assert stored(service) == 0
    assert staff.post("/api/v1/actions/99.99/reports/import", content=b"x", headers=CSV).status_code == 404


def test_the_same_file_sent_again_with_its_idempotency_key_counts_once(
    staff: TestClient, service: Service
) -> None:
    add_action(service)
    text = f"{HEADER}\nNL,10,0,0,0,0,0\nBE,5,0,0,0,0,0\n"
    first = post_csv(staff, text, **{"Idempotency-Key": "nl-be-week-1"})
    again = post_csv(staff, text, **{"Idempotency-Key": "nl-be-week-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["reports_stored"] == 0
    assert again.json()["total"] == 15
    assert stored(service) == 2


def test_rows_after_the_deadline_are_stored_late_or_refused_as_the_action_says(
    staff: TestClient, service: Service, clock: ManualClock
) -> None:
    add_action(service, deadline="2026-05-08")
    add_action(service, ua="12.21", deadline="2026-05-08", late_reports_welcome=False)
    clock.advance(timedelta(days=30))
    late = post_csv(staff, f"{HEADER}\nNL,4,0,0,0,0,0\n")
    assert late.status_code == 201
    assert (late.json()["late"], late.json()["total"], late.json()["late_total"]) == (True, 0, 4)
    refused = staff.post(
        "/api/v1/actions/12.21/reports/import", content=f"{HEADER}\nNL,4,0,0,0,0,0\n", headers=CSV
    )
    assert refused.status_code == 422
    assert "takes no late reports" in refused.json()["error"]["message"]
    assert stored(service) == 1


def test_the_reader_is_a_pure_function() -> None:
    parsed = parse(f"\ufeff{HEADER}\nnl, 1 ,,,,,\n")
    assert parsed.ok
    assert [(r.line, r.country, r.counts.letter, r.counts.total()) for r in parsed.rows] == [(2, "NL", 1, 1)]
    bad = parse(f"{HEADER}\nNL,x,0,0,0,0,0\n")
    assert bad.rows == ()
    assert bad.problems == (RowProblem(2, "letter", "not a whole number: 'x'"),)
    assert str(bad.problems[0]) == "line 2: letter: not a whole number: 'x'"
    huge = parse(f"{HEADER}\nNL,{'9' * 5000},0,0,0,0,0\n")
    assert huge.problems[0].problem.startswith(f"more than {MAX_COUNT}")
    assert parse('country,"letter\n').problems[0].field == "header"
