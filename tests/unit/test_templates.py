"""What reminders offer (only ways of acting still in time) and the tally in each format."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from actions.models import Target
from actions.tally import Tally
from config.settings import ACTION_KINDS
from jobs.formats import FORMATS, TallyFormat
from jobs.remind import contacts, kinds_in_time
from jobs.render import markdown_text
from jobs.report import render_tally

LEAD_TIMES = {"letter": timedelta(days=7)}
ALL_BUT_LETTER = [k for k in ACTION_KINDS if k != "letter"]


# --- kinds_in_time ------------------------------------------------------------------------------


@pytest.mark.parametrize("left", [timedelta(days=7), timedelta(days=7, seconds=1), timedelta(30)])
def test_a_letter_is_in_time_with_at_least_seven_days_left(left: timedelta) -> None:
    assert kinds_in_time(left, LEAD_TIMES) == list(ACTION_KINDS)


@pytest.mark.parametrize(
    "left", [timedelta(days=7) - timedelta(seconds=1), timedelta(days=3), timedelta(hours=1)]
)
def test_a_letter_is_not_in_time_with_less_than_seven_days_left(left: timedelta) -> None:
    assert kinds_in_time(left, LEAD_TIMES) == ALL_BUT_LETTER


def test_kinds_without_a_lead_time_are_in_time_until_the_deadline() -> None:
    assert kinds_in_time(timedelta(seconds=1), {}) == list(ACTION_KINDS)
    assert kinds_in_time(timedelta(0), {}) == list(ACTION_KINDS)


def test_each_kind_follows_its_own_lead_time() -> None:
    lead_times = {"letter": timedelta(days=7), "fax": timedelta(hours=1)}
    assert "fax" in kinds_in_time(timedelta(hours=1), lead_times)
    assert "fax" not in kinds_in_time(timedelta(minutes=59), lead_times)


# --- contacts -----------------------------------------------------------------------------------


def target() -> Target:
    return Target(
        action_id=1,
        name="Bolot Otunbaev",
        postal_address="2360 Massachusetts Avenue NW, Washington DC 20008",
        emails=["embassy@example.org", "consul@example.org"],
        phones=["202 449 9822"],
        faxes=["202 449 8275"],
        social={"twitter": "@kgembassy", "facebook": "@kgembassyusa"},
    )


def test_contacts_list_every_way_when_all_are_in_time() -> None:
    assert contacts(target(), kinds_in_time(timedelta(days=10), LEAD_TIMES)) == [
        "Email: embassy@example.org, consul@example.org",
        "Fax: 202 449 8275",
        "Phone: 202 449 9822",
        "Facebook: @kgembassyusa",
        "X/Twitter: @kgembassy",
        "Postal address: 2360 Massachusetts Avenue NW, Washington DC 20008",
    ]


def test_contacts_leave_out_the_postal_address_when_a_letter_is_too_late() -> None:
    lines = contacts(target(), kinds_in_time(timedelta(days=3), LEAD_TIMES))
    assert not any(line.startswith("Postal address: ") for line in lines)
    assert "Email: embassy@example.org, consul@example.org" in lines
    assert "Phone: 202 449 9822" in lines


def test_contacts_list_only_the_kinds_asked_for() -> None:
    assert contacts(target(), ["email"]) == ["Email: embassy@example.org, consul@example.org"]
    assert contacts(target(), []) == []


def test_contacts_skip_ways_the_target_does_not_have() -> None:
    bare = Target(action_id=1, name="Minister")
    assert contacts(bare, list(ACTION_KINDS)) == []


# --- render_tally -------------------------------------------------------------------------------

HOSTILE_TITLE = "Free <script>alert(1)</script> & Co"


def tally(title: str = "Health of prisoner at risk") -> Tally:
    return Tally(
        ua="61.20",
        title=title,
        status="closed",
        deadline=datetime(2020, 6, 3, 18, 0, tzinfo=UTC),
        timezone="Asia/Bishkek",
        counted_at=datetime(2020, 6, 3, 18, 5, tzinfo=UTC),
        provisional=False,
        by_kind={"letter": 3, "email": 10, "fax": 0, "call": 1, "post": 2, "other": 0},
        late_by_kind={"letter": 1, "email": 4, "fax": 0, "call": 0, "post": 0, "other": 0},
        by_country={"KG": 12, "NL": 4},
        reports=5,
        late_reports=2,
        supporters=3,
        anonymous_reports=2,
    )


def test_the_markdown_tally_states_the_figures() -> None:
    text = render_tally(tally(), "md")
    assert text.startswith("# UA 61.20: Health of prisoner at risk\n")
    assert "Final tally, counted Thursday 4 June 2020, 00:05 (Asia/Bishkek)." in text
    assert "Deadline: Wednesday 3 June 2020, end of day (Asia/Bishkek)." in text
    assert "**Total actions: 16** in 5 reports from 3 identified supporters and 2 anonymous reports." in text
    assert "| Emails | 10 |" in text
    assert "| KG | 12 |" in text
    assert "Received after the close: 5 actions in 2 reports, not in the total above." in text


def test_held_reports_and_the_addendum_by_country_are_shown_apart() -> None:
    held = replace(
        tally(),
        late_by_country={"DE": 5},
        held_by_kind={"letter": 0, "email": 0, "fax": 900, "call": 0, "post": 0, "other": 0},
        held_reports=1,
    )
    text = render_tally(held, "md")
    assert "## Addendum" in text
    assert "| DE | 5 |" in text
    assert "Held for review: 900 actions in 1 report, not counted unless staff approve them." in text
    assert "**Total actions: 16**" in text
    csv_text = render_tally(held, "csv")
    assert "61.20,late_country,DE,5" in csv_text
    assert "61.20,summary,held,900" in csv_text
    assert "Held for review: 900 actions in 1 report" in render_tally(held, "html")


def test_a_provisional_tally_says_so() -> None:
    open_tally = replace(tally(), status="open", provisional=True)
    assert "**PROVISIONAL** tally (the action is still open)" in render_tally(open_tally, "md")
    html = render_tally(open_tally, "html")
    assert "PROVISIONAL: the action is still open; these numbers will change." in html
    assert "Final tally" not in html


def test_the_html_tally_states_the_figures() -> None:
    text = render_tally(tally(), "html")
    assert "<h1>UA 61.20: Health of prisoner at risk</h1>" in text
    assert '<tr><td>Emails</td><td class="n">10</td></tr>' in text
    assert "<strong>Total actions: 16</strong>" in text


def test_the_html_tally_escapes_the_title() -> None:
    text = render_tally(tally(HOSTILE_TITLE), "html")
    assert "<script>" not in text
    assert "Free &lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in text


def test_the_markdown_tally_makes_the_title_inert() -> None:
    text = render_tally(tally(HOSTILE_TITLE), "md")
    assert "<script>" not in text
    assert "Free &lt;script&gt;alert(1)&lt;/script&gt; & Co" in text


@pytest.mark.parametrize(
    ("written", "sent"),
    [
        ('<img src="x" onerror="alert(1)">', '&lt;img src="x" onerror="alert(1)"&gt;'),
        ("[click](javascript:alert(1))", "\\[click\\](javascript:alert(1))"),
        ("`rm -rf`", "\\`rm -rf\\`"),
        ("Prisoner's health *at risk*", "Prisoner's health *at risk*"),
    ],
)
def test_markdown_that_goes_out_escapes_what_people_wrote(written: str, sent: str) -> None:
    assert markdown_text(written) == sent


def test_the_json_tally_has_the_documented_keys() -> None:
    data = json.loads(render_tally(tally(HOSTILE_TITLE), "json"))
    assert {"ua", "status", "total", "by_kind", "by_country", "late"} <= set(data)
    assert data["ua"] == "61.20"
    assert data["title"] == HOSTILE_TITLE
    assert data["status"] == "closed"
    assert data["total"] == 16
    assert data["late"] == 5
    assert data["by_kind"] == tally().by_kind
    assert data["by_country"] == {"KG": 12, "NL": 4}
    assert data["deadline"] == "2020-06-03T18:00:00Z"
    assert data["provisional"] is False


def test_the_csv_tally_parses_as_rows_of_ua_section_key_actions() -> None:
    rows = list(csv.reader(io.StringIO(render_tally(tally(), "csv"))))
    assert rows[0] == ["ua", "section", "key", "actions"]
    body = rows[1:]
    assert all(len(row) == 4 and row[0] == "61.20" for row in body)
    by_section = {(section, key): int(n) for _, section, key, n in body}
    assert len(by_section) == len(body), "each (section, key) appears once"
    assert by_section[("kind", "email")] == 10
    assert by_section[("country", "NL")] == 4
    assert by_section[("late", "email")] == 4
    assert by_section[("summary", "total")] == 16
    assert by_section[("summary", "late")] == 5
    assert by_section[("summary", "reports")] == 5
    assert by_section[("summary", "late_reports")] == 2
    kinds = {key for section, key in by_section if section == "kind"}
    assert kinds == set(ACTION_KINDS)


def test_the_csv_tally_quotes_values_with_commas() -> None:
    odd = replace(tally(), by_country={"Korea, Republic of": 3})
    rows = list(csv.reader(io.StringIO(render_tally(odd, "csv"))))
    assert ["61.20", "country", "Korea, Republic of", "3"] in rows


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "pdf"])
def test_every_text_format_ends_with_a_newline(fmt: TallyFormat) -> None:
    assert render_tally(tally(), fmt).endswith("\n")
