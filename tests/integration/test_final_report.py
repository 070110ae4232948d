"""The final tally: right numbers, every form, letters to the officials, archive and delivery."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import text
from sqlmodel import Session, select

from actions import store
from actions.clock import ManualClock
from actions.models import FinalTally
from actions.specs import ReportCounts
from actions.tally import count
from jobs.due import run_pass
from jobs.report import render_pdf, render_tally
from scheduler.service import Service
from tests.factories import add_action, add_channel, add_report
from tests.support.sinks import SmtpSink, WebhookSink

DEADLINE_DAY = "2026-05-08"

INDEPENDENT_COUNT = """
SELECT late, COUNT(*) AS reports, COALESCE(SUM(letter + email + fax + "call" + post + other), 0) AS actions
FROM (
    SELECT late, MAX(letter) AS letter, MAX(email) AS email, MAX(fax) AS fax, MAX("call") AS "call",
           MAX(post) AS post, MAX(other) AS other
    FROM report WHERE action_id = :action AND supporter_hash IS NOT NULL
    GROUP BY supporter_hash, late, target_id
    UNION ALL
    SELECT late, letter, email, fax, "call", post, other
    FROM report WHERE action_id = :action AND supporter_hash IS NULL
) AS merged
GROUP BY late
"""


def report(
    service: Service, *, supporter: str | None = None, target: str | None = None, **counts: int
) -> None:
    with Session(service.engine) as session:
        action = store.get_action(session, "61.20")
        store.add_report(
            session,
            action,
            ReportCounts(**counts),
            country="NL",
            now=service.clock.now(),
            source="test",
            supporter_hash=supporter,
            target=target,
        )
        session.commit()


def test_the_numbers_equal_an_independent_sql_count_with_late_and_repeat_reports(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service()
    action = add_action(service, deadline=DEADLINE_DAY)
    report(service, letter=2)
    report(service, supporter="a" * 64, letter=1, email=1)
    report(service, supporter="a" * 64, letter=1, email=1)  # the same supporter again: merged
    report(service, supporter="a" * 64, email=3)  # restated: the most of each kind counts
    report(service, supporter="b" * 64, call=2, target="Bolot Otunbaev")
    clock.set(clock.now().replace(day=9, hour=1))
    report(service, letter=5)  # late
    report(service, supporter="b" * 64, fax=1)  # late, from a known supporter

    with Session(service.engine) as session:
        tally = count(session, store.get_action(session, "61.20"), now=clock.now())
        rows = {
            bool(late): (int(n), int(total))
            for late, n, total in session.execute(text(INDEPENDENT_COUNT), {"action": action.id}).all()
        }
    assert (tally.reports, tally.total) == rows[False] == (3, 8)
    assert (tally.late_reports, tally.late) == rows[True] == (2, 6)
    assert tally.by_kind == {"letter": 3, "email": 3, "fax": 0, "call": 2, "post": 0, "other": 0}
    assert tally.by_target == {"Bolot Otunbaev": 2}
    assert tally.supporters == 2
    assert tally.anonymous_reports == 1


def test_the_pdf_holds_the_totals_and_a_letter_to_each_target_with_its_salutation(
    make_service: Callable[..., Service], clock: ManualClock, tmp_path: Path
) -> None:
    service = make_service()
    add_action(service, deadline=DEADLINE_DAY)
    add_report(service, "61.20", letter=1200, email=34, country="KG")
    with Session(service.engine) as session:
        tally = count(session, store.get_action(session, "61.20"), now=clock.now())

    english = render_pdf(tally, language="en")
    russian = render_pdf(tally, language="ru")

    pages = PdfReader(BytesIO(english)).pages
    assert len(pages) >= 2  # the report, then one letter per target on a page of its own
    text_en = pdftotext(english, tmp_path / "en.pdf")
    assert "Total actions: 1234" in text_en
    assert "PROVISIONAL" in text_en  # asked for before the close
    assert "Dear Ambassador," in text_en
    assert "1,234 actions" in text_en
    assert "1,200 letters" in text_en
    text_ru = pdftotext(russian, tmp_path / "ru.pdf")
    assert "Ваше Превосходительство!" in text_ru  # the office's salutation in Russian
    assert "Dear" not in text_ru  # never the English one inside a Russian letter
    assert "Срочная акция 61.20" in text_ru
    assert "совершили 1 234 действия" in text_ru  # Russian digit grouping, plural "few"
    assert "1 200 писем" in text_ru  # plural "many"
    assert "34 электронных письма" in text_ru


def pdftotext(pdf: bytes, path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (Debian's poppler-utils) is not installed")
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())  # lines wrap anywhere; spaces include Russian's no-break space


def test_the_letter_is_in_the_preferred_language_where_a_template_exists(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service()
    add_action(service, deadline=DEADLINE_DAY, preferred_languages=["Kyrgyz", "Russian"])
    add_report(service, "61.20", letter=21)
    with Session(service.engine) as session:
        tally = count(session, store.get_action(session, "61.20"), now=clock.now())
    letter = render_tally(tally, "letter")
    assert "Срочная акция 61.20" in letter
    assert "21 действие" in letter  # Russian plural rules: 21 takes the "one" form
    assert "Ваше Превосходительство!" in letter
    assert "Dear Ambassador," in render_tally(tally, "letter", language="en")


def test_at_close_the_report_goes_to_coordinators_with_pdf_and_csv_attached(
    make_service: Callable[..., Service], clock: ManualClock, smtp: SmtpSink, webhook: WebhookSink
) -> None:
    service = make_service()
    add_channel(service, "mail", smtp.url(), "coordinators")
    add_channel(service, "hook", webhook.url(), "coordinators")
    add_channel(service, "log", "log://", "coordinators")  # takes no attachments: Markdown only
    add_action(service, deadline=DEADLINE_DAY)
    add_report(service, "61.20", letter=2, country="NL")
    clock.set(clock.now() + timedelta(days=8))

    run_pass(service.work(), clock.now())

    (mail,) = smtp.messages
    parts = {part.get_content_type(): part for part in mail.iter_attachments()}
    assert set(parts) == {"application/pdf", "text/csv"}
    assert isinstance(mail, EmailMessage)
    pdf = parts["application/pdf"].get_content()
    assert PdfReader(BytesIO(pdf)).pages
    assert "61.20,summary,total,2" in parts["text/csv"].get_content()
    (hook,) = webhook.hooks
    assert [a["filename"] for a in hook.body.get("attachments", [])] == [
        "ua-61.20-final-tally.pdf",
        "ua-61.20-final-tally.csv",
    ]


def test_each_final_report_is_archived_with_a_hash_and_regenerates_the_same_numbers(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service()
    add_action(service, deadline=DEADLINE_DAY)
    add_report(service, "61.20", letter=3, call=1, country="DE")
    with Session(service.engine) as session:
        before = count(session, store.get_action(session, "61.20"), now=clock.now())
    assert before.provisional is True
    clock.set(clock.now() + timedelta(days=8))
    run_pass(service.work(), clock.now())
    add_report(service, "61.20", letter=9)  # late: must not change the total

    with Session(service.engine) as session:
        (archived,) = session.exec(select(FinalTally)).all()
        again = count(session, store.get_action(session, "61.20"), now=clock.now() + timedelta(days=30))
    assert archived.data["provisional"] is False
    assert archived.pdf is not None
    assert archived.pdf.startswith(b"%PDF")
    assert archived.csv is not None
    assert archived.data["total"] == again.total == 4
    assert again.late == 9
    assert archived.content_hash == archived.data["content_hash"]
    # The hash covers the frozen numbers only: a recount after a late report gives the same one.
    assert again.content_hash() == archived.content_hash
    assert {k: again.numbers()[k] for k in ("total", "by_kind", "by_country")} == {
        k: archived.data[k] for k in ("total", "by_kind", "by_country")
    }
