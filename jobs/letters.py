"""Letters to the officials: one per target, in the preferred language where a template exists.

Numbers and dates are formatted for the letter's locale with Babel, and words that follow a number
take the plural form that locale's rules ask for (Russian has one, few, many).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.dates import format_date

from actions.deadlines import local_day
from actions.errors import InvalidInputError
from actions.tally import Tally
from jobs.i18n import SHIPPED, counted, salutation_for, title_in
from jobs.render import render

LANGUAGES = SHIPPED
"""Letter templates that exist: ``jobs/templates/letter.<code>.txt.j2``."""


@dataclass(frozen=True)
class Letter:
    target: str
    salutation: str
    language: str
    text: str


def language_for(preferred: list[str], requested: str | None = None) -> str:
    """``requested`` if a template exists; else the first preferred language that has one; else English."""
    if requested is not None:
        code = requested.strip().lower()
        if code not in LANGUAGES:
            raise InvalidInputError(
                "language", f"no letter template for {requested!r}: use one of {', '.join(LANGUAGES)}"
            )
        return code
    names = {name.casefold(): code for code, name in Locale("en").languages.items()}
    for language in preferred:
        code = names.get(language.strip().casefold(), language.strip().lower())
        if code in LANGUAGES:
            return str(code)
    return "en"


def letters(tally: Tally, language: str) -> list[Letter]:
    last_day = local_day(tally.deadline, tally.timezone, ending=True)
    start = local_day(tally.created_at or tally.counted_at, tally.timezone)
    kinds = [counted(n, kind, language) for kind, n in tally.by_kind.items() if n]
    countries = [c for c in tally.by_country if c != "unknown"]
    context: dict[str, Any] = {
        "tally": tally,
        "title": title_in(tally.title, tally.title_i18n, language),
        "total": counted(tally.total, "action", language),
        "kinds": kinds,
        "countries": counted(len(countries), "country", language) if countries else None,
        "start": format_date(start, format="long", locale=language),
        "end": format_date(last_day, format="long", locale=language),
        # Dated the day of the count, so the same tally always prints the same letter.
        "today": format_date(local_day(tally.counted_at, tally.timezone), format="long", locale=language),
    }
    targets = tally.targets or [{"name": None, "title": None, "salutation": None}]
    result = []
    for target in targets:
        salutation = salutation_for(target, language)
        text = render(f"letter.{language}.txt.j2", target=target, salutation=salutation, **context)
        result.append(Letter(str(target.get("name") or ""), salutation, language, text.strip() + "\n"))
    return result
