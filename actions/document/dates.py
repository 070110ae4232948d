"""Dates as written in documents, in the languages sections publish in.

"3 June 2020", "June 3, 2020", "16 AUGUST 2017", "3 March, 2016", "2019-05-02", "12. Januar 2018",
"3 février 2025", "3 de febrero de 2025", "3.2.2020". Month names come from Babel's locale data
(CLDR), not from a table of our own; numeric dates are read day first, as every section but the
US one writes them (US-style numeric dates only ever date posts, never deadlines).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import cache

from babel import Locale

LANGUAGES = ("en", "de", "fr", "es", "pt")


def _fold(text: str) -> str:
    """Lowercase without accents, so that "FÉVRIER", "février" and "fevrier" are one name."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def months() -> dict[str, int]:
    """Every wide and abbreviated month name of the known languages → its number."""
    names: dict[str, int] = {}
    for code in LANGUAGES:
        locale = Locale.parse(code)
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in locale.months[context][width].items():
                    folded = _fold(name).rstrip(".")
                    if len(folded) >= 3:
                        names.setdefault(folded, number)
    names.setdefault("sept", 9)
    return names


@cache
def _forms() -> tuple[re.Pattern[str], ...]:
    month = "(?P<month>" + "|".join(re.escape(m) for m in sorted(months(), key=len, reverse=True)) + r")\.?"
    day = r"(?P<day>\d{1,2})(?:st|nd|rd|th|er|º|\.)?"
    year = r"(?P<year>\d{4})"
    return (
        re.compile(rf"\b{day}\s*(?:of\s+|de\s+)?{month},?\s+(?:de\s+|del\s+)?{year}\b"),
        re.compile(rf"\b{month}\s+{day},?\s+{year}\b"),
        re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
        re.compile(r"\b(?P<day>\d{1,2})[/.](?P<month>\d{1,2})[/.](?P<year>\d{4})\b"),
    )


def find_dates(text: str) -> list[tuple[int, int, dt.date]]:
    """Every valid date written in ``text`` as (start, end, date), in order of position."""
    folded = _fold(text)
    # Positions are reported in ``text``: where folding changed the length, read it unfolded.
    if len(folded) != len(text):
        folded = text.lower()
    found: dict[int, tuple[int, int, dt.date]] = {}
    for form in _forms():
        for match in form.finditer(folded):
            month = match["month"]
            number = int(month) if month.isdigit() else months()[month.rstrip(".")]
            try:
                date = dt.date(int(match["year"]), number, int(match["day"]))
            except ValueError:
                continue
            found.setdefault(match.start(), (match.start(), match.end(), date))
    return sorted(found.values())


def find_date(text: str) -> dt.date | None:
    """The earliest-placed valid date written in ``text``, or None."""
    dates = find_dates(text)
    return dates[0][2] if dates else None
