"""Importing UA documents as published: create, re-import, update, close, refuse; via the CLI."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fpdf import FPDF

from actions.clock import ManualClock
from tests.support.cli import Run, runner

DATA = Path(__file__).parent.parent / "data" / "ua"


@pytest.fixture(autouse=True)
def _london(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UA_SCHEDULER_TIMEZONE", "Europe/London")


@pytest.fixture
def clock() -> ManualClock:
    """The CLI's clock, set to a day in 2019 so the sample documents are still open."""
    return ManualClock(datetime(2019, 3, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def run(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], clock: ManualClock
) -> Run:
    """The CLI on the test's database, each run at the clock's time."""
    monkeypatch.setenv("UA_SCHEDULER_DATABASE_URL", database_url)
    monkeypatch.setenv("UA_SCHEDULER_LOG_FORMAT", "json")
    return runner(capsys, clock)


@pytest.fixture
def case_44_19(tmp_path: Path) -> tuple[Path, Path]:
    """The published further-information document of UA 44/19, and an original made from it."""
    update = tmp_path / "ua-44.19-further.txt"
    shutil.copy(DATA / update.name, update)
    text = update.read_text()
    original = text.replace("Further information on UA: 44/19", "UA: 44/19")
    original = original.replace("BEFORE 24 APRIL 2019", "BEFORE 24 MARCH 2019")
    cut_from, cut_to = original.index("Prosecutor General of Tehran"), original.index("And copies to:")
    first = tmp_path / "ua-44.19.txt"
    first.write_text(original[:cut_from] + original[cut_to:])
    return first, update


def test_a_published_document_becomes_an_action(run: Any, clock: ManualClock, tmp_path: Path) -> None:
    clock.set(datetime(2020, 5, 20, tzinfo=UTC))
    doc = tmp_path / "ua-61.20.txt"
    shutil.copy(DATA / doc.name, doc)
    imported = run("actions", "import", str(doc))
    assert imported.code == 0, imported.err
    assert "UA 61.20 created (open)" in imported.out

    shown = run("actions", "show", "61.20", "--json").json()
    expected = json.loads((DATA / "ua-61.20.expected.json").read_text())
    assert shown["ua"] == "61.20"
    assert shown["update_ordinal"] is None
    assert shown["index_number"] is None
    assert shown["title"] == expected["title"]
    assert shown["subjects"] == expected["subjects"]
    assert shown["country"] == "Kyrgyzstan"
    assert shown["deadline_date"] == "2020-06-03"
    assert shown["timezone"] == "Europe/London"
    assert shown["deadline"] == "2020-06-03T23:00:00Z"  # end of the day in London (BST)
    assert shown["preferred_languages"] == ["Kyrgyz", "Russian"]
    assert shown["late_reports_welcome"] is True
    assert shown["sample_letter"].startswith("Dear President,")
    assert [t["name"] for t in shown["targets"]] == ["Sooronbay Jeenbekov", "Bolot Isakovich Otunbaev"]
    assert [t["salutation"] for t in shown["targets"]] == ["Dear President", "Dear Ambassador"]
    assert shown["targets"][1]["faxes"] == ["202 449 8275"]
    assert shown["targets"][0]["social"] == {
        "facebook": "@PresidentKyrgyzRepublic",
        "twitter": "@kyrgyzpresident",
    }
    assert [h["event"] for h in shown["history"]] == ["created", "imported"]
    assert shown["history"][1]["source"] == "ua-61.20.txt"

    again = run("actions", "import", str(doc), "--json").json()["results"][0]
    assert again["created"] is False
    assert again["changes"] == {}
    assert len(run("actions", "show", "61.20", "--json").json()["history"]) == 2


def test_dry_run_says_what_it_would_do_and_writes_nothing(run: Any, tmp_path: Path) -> None:
    doc = tmp_path / "ua-44.19-further.txt"
    shutil.copy(DATA / doc.name, doc)
    dry = run("actions", "import", "--dry-run", "--json", str(doc))
    assert dry.code == 0
    (result,) = dry.json()["results"]
    assert result["created"] is True
    assert result["ua"] == "44.19"
    assert any("no earlier document" in w for w in result["warnings"])
    assert run("actions", "list", "--status", "all", "--json").json() == []
    text = run("actions", "import", "--dry-run", str(doc))
    assert "UA 44.19 would create (open)" in text.out


def test_an_update_extends_the_deadline_adds_targets_and_keeps_the_tally(
    run: Any, clock: ManualClock, case_44_19: tuple[Path, Path]
) -> None:
    original, update = case_44_19
    assert run("actions", "import", str(original)).code == 0
    assert run("reports", "add", "44.19", "--letters", "2").code == 0
    clock.set(datetime(2019, 3, 20, tzinfo=UTC))
    run("run", "--drain")
    before = run("actions", "show", "44.19", "--json").json()
    sent_before = [r for r in before["reminders"] if r["sent"]]
    assert [r["offset"] for r in sent_before] == ["7d"]

    result = run("actions", "import", "--json", str(update)).json()["results"][0]

    assert result["created"] is False
    assert {"deadline", "targets", "reminders"} <= set(result["changes"])
    shown = run("actions", "show", "44.19", "--json").json()
    assert shown["deadline"] == "2019-04-24T23:00:00Z"  # 24 April, end of day in London (BST)
    assert [t["name"] for t in shown["targets"]] == ["Kamran Tavassoli", "Dariush Nekounam"]
    assert shown["index_number"] == "MDE 13/5501/2019"
    extension = next(h for h in shown["history"] if h["event"] == "extended")
    assert extension["old"] == "2019-03-25T00:00:00+00:00"
    assert extension["new"] == "2019-04-24T23:00:00+00:00"
    assert extension["source"] == "ua-44.19-further.txt"
    reminders = {r["offset"]: r for r in shown["reminders"]}
    assert reminders["7d"]["sent"] is True
    assert reminders["7d"]["due"] == sent_before[0]["due"]  # sent: not re-armed
    assert reminders["3d"]["due"] == "2019-04-21T23:00:00Z"  # not sent: follows the new date
    assert run("tally", "44.19", "--format", "json").json()["total"] == 2

    assert run("actions", "import", "--json", str(update)).json()["results"][0]["changes"] == {}


def test_an_update_reopens_a_closed_action(
    run: Any, clock: ManualClock, case_44_19: tuple[Path, Path]
) -> None:
    original, update = case_44_19
    run("actions", "import", str(original))
    clock.set(datetime(2019, 3, 26, tzinfo=UTC))
    run("run", "--drain")
    assert run("actions", "show", "44.19", "--json").json()["status"] == "closed"

    imported = run("actions", "import", "--json", str(update)).json()["results"][0]

    assert imported["status"] == "open"
    events = [h["event"] for h in run("actions", "show", "44.19", "--json").json()["history"]]
    assert events[-3:] == ["reopened", "extended", "imported"]


def test_a_document_past_its_deadline_is_imported_closed_with_a_warning(
    run: Any, clock: ManualClock, tmp_path: Path
) -> None:
    clock.set(datetime(2026, 11, 28, tzinfo=UTC))
    doc = tmp_path / "ua-61.20.txt"
    shutil.copy(DATA / doc.name, doc)
    result = run("actions", "import", str(doc))
    assert result.code == 0
    assert "UA 61.20 created (closed)" in result.out
    assert "warning: deadline: 2020-06-03 has passed: imported as closed" in result.out


def test_what_cannot_be_read_is_an_error_naming_file_line_and_field(run: Any, tmp_path: Path) -> None:
    good = tmp_path / "ua-61.20.txt"
    shutil.copy(DATA / good.name, good)
    no_deadline = tmp_path / "no-deadline.txt"
    no_deadline.write_text(
        "\n".join(line for line in (DATA / "ua-61.20.txt").read_text().splitlines() if "UNTIL:" not in line)
    )
    two_numbers = tmp_path / "two.txt"
    two_numbers.write_text((DATA / "ua-61.20.txt").read_text() + "\nUA 62.20\n")

    result = run("actions", "import", "--json", str(no_deadline), str(good), str(two_numbers))

    assert result.code == 1
    first, second, third = result.json()["results"]
    assert first["ok"] is False
    assert first["error"].startswith(f"{no_deadline}:")
    assert "deadline: no deadline found" in first["error"]
    assert second["ok"] is True
    assert third["ok"] is False
    assert "two different UA numbers: 61.20 and 62.20" in third["error"]
    assert [a["ua"] for a in run("actions", "list", "--status", "all", "--json").json()] == ["61.20"]


def test_a_pdf_is_read_through_its_text_layer(run: Any, clock: ManualClock, tmp_path: Path) -> None:
    clock.set(datetime(2020, 5, 20, tzinfo=UTC))
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=10)
    text = (DATA / "ua-61.20.txt").read_text()
    ascii_text = text.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    pdf.multi_cell(0, 5, ascii_text.encode("latin-1", "replace").decode("latin-1"))
    path = tmp_path / "ua-61.20.pdf"
    pdf.output(str(path))

    result = run("actions", "import", "--json", str(path))

    assert result.code == 0, result.out + result.err
    shown = run("actions", "show", "61.20", "--json").json()
    assert shown["deadline_date"] == "2020-06-03"
    assert [t["name"] for t in shown["targets"]] == ["Sooronbay Jeenbekov", "Bolot Isakovich Otunbaev"]


def test_a_stop_notice_closes_the_action_it_ends(run: Any, clock: ManualClock, tmp_path: Path) -> None:
    clock.set(datetime(2024, 8, 1, tzinfo=UTC))
    stop = tmp_path / "ua-19.24-stop.txt"
    shutil.copy(DATA / stop.name, stop)
    first = tmp_path / "ua-19.24.txt"
    first.write_text(
        "URGENT ACTION\nSTUDENT HELD IN ADMINISTRATIVE DETENTION\n"
        "Student Lina Ejemplo Haddad is held without charge.\n"
        "UA: 19/24 Index: MDE 15/8001/2024 Israel/Occupied Palestinian Territories Date: 2 May 2024\n"
        "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 30 September 2024\n"
    )
    assert run("actions", "import", str(first)).code == 0
    clock.set(datetime(2024, 9, 12, tzinfo=UTC))
    result = run("actions", "import", "--json", str(stop)).json()["results"][0]
    assert result["ok"], result
    assert result["status"] == "closed"
    assert any("stop notice" in w for w in result["warnings"])
    shown = run("actions", "show", "19.24", "--json").json()
    assert shown["status"] == "closed"
    assert shown["update_ordinal"] == 4
    assert [h["event"] for h in shown["history"]][-2:] == ["closed", "imported"]


def test_a_stop_notice_for_a_case_never_imported_is_recorded_closed_not_refused(
    run: Any, clock: ManualClock, tmp_path: Path
) -> None:
    clock.set(datetime(2006, 6, 1, tzinfo=UTC))
    stop = tmp_path / "ua-77.06-stop.txt"
    shutil.copy(DATA / stop.name, stop)
    imported = run("actions", "import", str(stop))
    assert imported.code == 0, imported.err
    shown = run("actions", "show", "77.06", "--json").json()
    assert shown["status"] == "closed"
    assert shown["country"] == "Iran"


def test_a_dry_run_of_a_new_action_shows_every_field_it_read(
    run: Any, clock: ManualClock, tmp_path: Path
) -> None:
    clock.set(datetime(2020, 5, 20, tzinfo=UTC))
    doc = tmp_path / "ua-61.20.txt"
    shutil.copy(DATA / doc.name, doc)

    text = run("actions", "import", "--dry-run", str(doc)).out
    for shown in (
        "ua: 61.20",
        "title: Health of prisoner of conscience at risk",
        "deadline: end of 2020-06-03, Europe/London (2020-06-03T23:00:00Z)",
        "deadline as written: PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL: 3 June 2020",
        "preferred languages: Kyrgyz, Russian",
        "late reports: welcome",
        "1. Sooronbay Jeenbekov, President of Kyrgyzstan",
        "salutation: Dear Ambassador",
        "emails: kgembassy.usa@mfa.gov.kg",
        "faxes: 202 449 8275",
        "twitter: @kyrgyzpresident",
    ):
        assert shown in text
    dry = run("actions", "import", "--dry-run", "--json", str(doc)).json()["results"][0]
    assert run("actions", "list", "--status", "all", "--json").json() == []

    assert run("actions", "import", str(doc)).code == 0
    shown_json = run("actions", "show", "61.20", "--json").json()
    assert set(dry["action"]) == set(shown_json)
    for same in ("ua", "title", "deadline", "deadline_text", "timezone", "targets", "preferred_languages"):
        assert dry["action"][same] == shown_json[same]


def test_a_refused_document_names_the_draft_command_whose_file_imports_once_finished(
    run: Any, clock: ManualClock, tmp_path: Path
) -> None:
    clock.set(datetime(2020, 5, 20, tzinfo=UTC))
    doc = tmp_path / "ua-61.20.txt"
    doc.write_text(
        "\n".join(line for line in (DATA / doc.name).read_text().splitlines() if "UNTIL:" not in line)
    )
    refused = run("actions", "import", str(doc))
    assert refused.code == 1
    assert f"ua-scheduler actions import {doc} --draft" in refused.err

    drafted = run("actions", "import", str(doc), "--draft")
    assert drafted.code == 0, drafted.err
    draft = tmp_path / "ua-61.20.draft.yaml"
    assert f"draft written to {draft}" in drafted.out
    text = draft.read_text()
    assert "deadline: TODO" in text
    assert "# TODO: line" in text
    assert "no deadline found" in text
    assert "# check: line" in text
    assert "taken from the letter for Sooronbay Jeenbekov" in text
    assert "ua: '61.20'" in text
    assert oct(draft.stat().st_mode & 0o777) == "0o600"

    still_todo = run("actions", "import", str(draft))
    assert still_todo.code == 1
    assert f"{draft}:" in still_todo.err
    assert "deadline: still TODO" in still_todo.err
    assert run("actions", "list", "--status", "all", "--json").json() == []

    draft.write_text(text.replace("deadline: TODO", "deadline: 2020-06-03"))
    assert run("actions", "import", str(draft)).code == 0
    shown = run("actions", "show", "61.20", "--json").json()
    assert shown["deadline_date"] == "2020-06-03"
    assert [t["name"] for t in shown["targets"]] == ["Sooronbay Jeenbekov", "Bolot Isakovich Otunbaev"]
    assert [t["salutation"] for t in shown["targets"]] == ["Dear President", "Dear Ambassador"]
    assert shown["preferred_languages"] == ["Kyrgyz", "Russian"]
    assert shown["late_reports_welcome"] is True


def test_a_draft_without_a_number_leaves_it_todo_and_never_replaces_a_draft(run: Any, tmp_path: Path) -> None:
    doc = tmp_path / "notice.txt"
    doc.write_text("URGENT ACTION\nJOURNALIST DETAINED\nPLEASE SEND APPEALS BEFORE 5 MAY 2016 TO:\n")
    result = run("actions", "import", "--draft", "--json", str(doc)).json()["results"][0]
    assert result["ok"] is True
    assert result["todo"] == ["ua", "targets"]
    draft = tmp_path / "notice.draft.yaml"
    assert "ua: TODO" in draft.read_text()
    assert "deadline: 2016-05-05" in draft.read_text()
    draft.write_text("edited by staff\n")
    again = run("actions", "import", "--draft", str(doc))
    assert again.code == 1
    assert "already exists" in again.err
    assert draft.read_text() == "edited by staff\n"
