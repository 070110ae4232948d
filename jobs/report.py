"""The tally in each form: Markdown and HTML for people, PDF to print and deliver, CSV and JSON for
data, and formal letters to the officials."""

from __future__ import annotations

import csv
import io
import json

from babel import Locale

from actions.deadlines import local_text
from actions.tally import Tally
from jobs.chart import timeline_svg
from jobs.formats import TallyFormat
from jobs.letters import LANGUAGES, Letter, language_for, letters
from jobs.render import render

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
        "created_local": local_text(tally.created_at, tally.timezone) if tally.created_at else None,
    }


def render_tally(tally: Tally, fmt: TallyFormat, *, language: str | None = None) -> str:
    """Every text form; PDF is ``render_pdf``."""
    if fmt == "json":
        return json.dumps(tally.to_json(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        return _csv(tally)
    if fmt == "html":
        return render_html(tally)
    if fmt == "letter":
        chosen = language_for(tally.preferred_languages, language)
        return "\n\f\n".join(letter.text for letter in letters(tally, chosen))
    if fmt == "pdf":
        raise ValueError("PDF is binary: use render_pdf")
    return render("tally.md.j2", **_context(tally))


def render_bytes(tally: Tally, fmt: TallyFormat, *, language: str | None = None) -> bytes:
    """Any form, as the bytes to write or serve."""
    if fmt == "pdf":
        return render_pdf(tally, language=language)
    return render_tally(tally, fmt, language=language).encode()


def render_html(tally: Tally, *, with_letters: list[Letter] | None = None) -> str:
    chart = timeline_svg(tally.per_day, tally.reminders_sent, tally.deadline)
    return render("tally.html.j2", chart=chart, letters=with_letters or [], **_context(tally))


def render_pdf(tally: Tally, *, language: str | None = None) -> bytes:
    """The HTML report, then one letter per target on pages of their own."""
    # WeasyPrint loads its system libraries on import: only the commands that make a PDF pay for it.
    import weasyprint  # noqa: PLC0415

    chosen = language_for(tally.preferred_languages, language)
    html = render_html(tally, with_letters=letters(tally, chosen))
    pdf: bytes = weasyprint.HTML(string=html).write_pdf()
    return pdf


def warm_up() -> None:
    """Load the PDF stack, its fonts and the letters' locale data once, so a service's first close
    does not wait for them."""
    import weasyprint  # noqa: PLC0415

    weasyprint.HTML(string="<p>ua-scheduler</p>").write_pdf()
    for language in LANGUAGES:
        Locale.parse(language).languages  # noqa: B018  (loads the locale's data)


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula (``=HYPERLINK(…)``) gets a leading ``'``.

    As OWASP recommends for CSV injection: cells starting with ``= + - @``, tab or carriage return.
    Numbers are left as they are.
    """
    if isinstance(cell, str) and cell.startswith(_FORMULA_STARTS):
        return "'" + cell
    return cell


class _SafeWriter:
    """``csv.writer`` whose every text cell is ``spreadsheet_safe``."""

    def __init__(self, out: io.StringIO) -> None:
        self._writer = csv.writer(out, lineterminator="\n")

    def writerow(self, row: list[object]) -> None:
        self._writer.writerow([spreadsheet_safe(cell) for cell in row])


def _csv(tally: Tally) -> str:
    out = io.StringIO()
    writer = _SafeWriter(out)
    writer.writerow(["ua", "section", "key", "actions"])
    for kind, n in tally.by_kind.items():
        writer.writerow([tally.ua, "kind", kind, n])
    for country, n in tally.by_country.items():
        writer.writerow([tally.ua, "country", country, n])
    for target, n in tally.by_target.items():
        writer.writerow([tally.ua, "target", target, n])
    for kind, n in tally.late_by_kind.items():
        writer.writerow([tally.ua, "late", kind, n])
    for country, n in tally.late_by_country.items():
        writer.writerow([tally.ua, "late_country", country, n])
    for kind, n in tally.held_by_kind.items():
        writer.writerow([tally.ua, "held", kind, n])
    for channel, n in tally.reminders_by_channel.items():
        writer.writerow([tally.ua, "reminders_sent", channel, n])
    for day in tally.per_day:
        writer.writerow([tally.ua, "day", day["date"], day["actions"]])
    writer.writerow([tally.ua, "summary", "total", tally.total])
    writer.writerow([tally.ua, "summary", "late", tally.late])
    writer.writerow([tally.ua, "summary", "reports", tally.reports])
    writer.writerow([tally.ua, "summary", "late_reports", tally.late_reports])
    writer.writerow([tally.ua, "summary", "held", tally.held])
    writer.writerow([tally.ua, "summary", "held_reports", tally.held_reports])
    writer.writerow([tally.ua, "summary", "supporters", tally.supporters])
    writer.writerow([tally.ua, "summary", "anonymous_reports", tally.anonymous_reports])
    return out.getvalue()
