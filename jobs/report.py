"""The tally in each form: Markdown and HTML for people, JSON and CSV for data."""

from __future__ import annotations

import csv
import io
import json
from typing import Literal

from actions.deadlines import local_text
from actions.tally import Tally
from jobs.render import render

TallyFormat = Literal["md", "html", "json", "csv"]
FORMATS: tuple[TallyFormat, ...] = ("md", "html", "json", "csv")
KIND_NAMES = {
    "letter": "Letters",
    "email": "Emails",
    "fax": "Faxes",
    "call": "Calls",
    "post": "Social media posts",
    "other": "Other actions",
}


def _context(tally: Tally) -> dict[str, object]:
    return {
        "tally": tally,
        "kind_names": KIND_NAMES,
        "deadline_local": local_text(tally.deadline, tally.timezone),
        "counted_local": local_text(tally.counted_at, tally.timezone),
    }


def title(tally: Tally) -> str:
    return render("tally.title.j2", tally=tally).strip()


def render_tally(tally: Tally, fmt: TallyFormat) -> str:
    if fmt == "json":
        return json.dumps(tally.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(tally)
    if fmt == "html":
        return render("tally.html.j2", **_context(tally))
    return render("tally.md.j2", **_context(tally))


def _csv(tally: Tally) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ua", "section", "key", "actions"])
    for kind, n in tally.by_kind.items():
        writer.writerow([tally.ua, "kind", kind, n])
    for country, n in tally.by_country.items():
        writer.writerow([tally.ua, "country", country, n])
    for kind, n in tally.late_by_kind.items():
        writer.writerow([tally.ua, "late", kind, n])
    writer.writerow([tally.ua, "summary", "total", tally.total])
    writer.writerow([tally.ua, "summary", "late", tally.late])
    writer.writerow([tally.ua, "summary", "reports", tally.reports])
    writer.writerow([tally.ua, "summary", "late_reports", tally.late_reports])
    return out.getvalue()
