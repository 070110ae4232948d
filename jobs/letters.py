"""Letters to the officials: one per target, in the preferred language where a template exists.

Numbers and dates are formatted for the letter's locale with Babel, and words that follow a number
take the plural form that locale's rules ask for (Russian has one, few, many).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal

from actions.deadlines import local_day
from actions.errors import InvalidInputError
from actions.tally import Tally
from jobs.render import render

LANGUAGES = ("en", "ru")
"""Letter templates that exist: ``jobs/templates/letter.<code>.txt.j2``."""

# The words for each kind of action, by plural category of the locale.
KIND_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "letter": {"one": "letter", "other": "letters"},
        "email": {"one": "email", "other": "emails"},
        "fax": {"one": "fax", "other": "faxes"},
        "call": {"one": "phone call", "other": "phone calls"},
        "post": {"one": "social media post", "other": "social media posts"},
        "other": {"one": "other action", "other": "other actions"},
        "action": {"one": "action", "other": "actions"},
        "country": {"one": "country", "other": "countries"},
    },
    "ru": {
        "letter": {"one": "письмо", "few": "письма", "many": "писем", "other": "письма"},
        "email": {
            "one": "электронное письмо",
            "few": "электронных письма",
            "many": "электронных писем",
            "other": "электронного письма",
        },
        "fax": {"one": "факс", "few": "факса", "many": "факсов", "other": "факса"},
        "call": {"one": "звонок", "few": "звонка", "many": "звонков", "other": "звонка"},
        "post": {
            "one": "публикация в социальных сетях",
            "few": "публикации в социальных сетях",
            "many": "публикаций в социальных сетях",
            "other": "публикации в социальных сетях",
        },
        "other": {
            "one": "другое действие",
            "few": "других действия",
            "many": "других действий",
            "other": "другого действия",
        },
        "action": {"one": "действие", "few": "действия", "many": "действий", "other": "действия"},
        "country": {"one": "страны", "few": "стран", "many": "стран", "other": "страны"},
    },
}
DEFAULT_SALUTATION = {"en": "Dear Sir or Madam", "ru": "Уважаемые господа"}


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


def counted(n: int, word: str, language: str) -> str:
    """``1 234 письма``: the number in the locale's digits and the word in the right plural form."""
    locale = Locale.parse(language)
    forms = KIND_WORDS[language][word]
    form = forms.get(locale.plural_form(n), forms["other"])
    return f"{format_decimal(n, locale=locale)} {form}"


def letters(tally: Tally, language: str) -> list[Letter]:
    last_day = local_day(tally.deadline, tally.timezone, ending=True)
    start = local_day(tally.created_at or tally.counted_at, tally.timezone)
    kinds = [counted(n, kind, language) for kind, n in tally.by_kind.items() if n]
    countries = [c for c in tally.by_country if c != "unknown"]
    context: dict[str, Any] = {
        "tally": tally,
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
        salutation = target.get("salutation") or DEFAULT_SALUTATION[language]
        text = render(f"letter.{language}.txt.j2", target=target, salutation=salutation, **context)
        result.append(Letter(str(target.get("name") or ""), salutation, language, text.strip() + "\n"))
    return result
