"""Words, dates and numbers in the reader's language; salutations that never mix languages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from structlog.testing import capture_logs

from actions.models import KINDS
from jobs.i18n import (
    KIND_NAMES,
    SALUTATIONS,
    SHIPPED,
    kind_names,
    office_of,
    salutation_for,
    shipped,
    time_left,
    title_in,
    when,
)

LATIN = re.compile(r"[A-Za-z]")


def spaced(text: str) -> str:
    """French and Russian put no-break (narrow) spaces between a number and its unit."""
    return text.replace("\xa0", " ").replace("\u202f", " ")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "3 days and 4 hours"),
        ("de", "3 Tage und 4 Stunden"),
        ("fr", "3 jours et 4 heures"),
        ("es", "3 días y 4 horas"),
        ("ru", "3 дня и 4 часа"),
    ],
)
def test_time_left_is_in_the_language_with_its_plural_forms(language: str, expected: str) -> None:
    assert spaced(time_left(timedelta(days=3, hours=4), language)) == expected


def test_russian_plural_forms_follow_the_number() -> None:
    assert spaced(time_left(timedelta(days=1), "ru")) == "1 день"
    assert spaced(time_left(timedelta(days=5), "ru")) == "5 дней"
    assert spaced(time_left(timedelta(days=22), "ru")) == "22 дня"


def test_dates_are_in_the_language_and_the_zone() -> None:
    end_of_9_may = datetime(2026, 5, 9, 22, 0, tzinfo=UTC)  # 10 May 00:00 in Berlin
    assert when(end_of_9_may, "Europe/Berlin", "de") == "Samstag, 9. Mai 2026, Ende des Tages (Europe/Berlin)"
    assert when(end_of_9_may, "Europe/Berlin", "en") == "Saturday 9 May 2026, end of day (Europe/Berlin)"
    at_noon = datetime(2026, 5, 9, 10, 0, tzinfo=UTC)
    assert spaced(when(at_noon, "Europe/Moscow", "ru")) == "суббота, 9 мая 2026 г., 13:00 (Europe/Moscow)"  # noqa: RUF001  (Russian text)


@pytest.mark.parametrize("language", SHIPPED)
def test_every_kind_has_words_in_every_language_and_no_code_shows(language: str) -> None:
    assert set(KIND_NAMES[language]) == set(KINDS)
    words = kind_names(KINDS, language)
    if language != "fr":  # "fax" is the French word too
        assert not re.search(r"(^|, )(post|other|call)(,|$| and)", words)
    assert "post" not in [w.strip() for w in re.split(r",| and | und | et | y | и ", words)]


def test_a_social_media_post_is_named_so_not_as_postal_mail() -> None:
    assert kind_names(["post"], "en") == "social media post"
    assert kind_names(["letter", "post"], "de") == "Brief per Post und Beitrag in sozialen Medien"


def test_a_language_without_templates_falls_back_to_english_with_a_warning() -> None:
    with capture_logs() as logs:
        assert shipped("it", channel="milano") == "en"
    assert logs == [
        {"event": "i18n.fallback_to_english", "language": "it", "channel": "milano", "log_level": "warning"}
    ]
    assert shipped("de-CH") == "de"
    assert shipped(None) == "en"


@pytest.mark.parametrize(
    ("title", "office"),
    [
        ("President of the Republic", "president"),
        ("Prime Minister", "prime_minister"),
        ("Minister of Interior", "minister"),
        ("Ambassador of Kyrgyzstan to the USA", "ambassador"),
        ("Prosecutor General", "prosecutor_general"),
        ("Governor of Chiapas", "governor"),
        ("Chief of Police", "chief_of_police"),
        ("Генеральный прокурор", "prosecutor_general"),
        ("Head of the Commission", None),
    ],
)
def test_the_usual_offices_are_recognised_in_titles(title: str, office: str | None) -> None:
    assert office_of(title) == office


@pytest.mark.parametrize("language", [code for code in SHIPPED if code != "en"])
def test_no_english_salutation_inside_another_language(language: str) -> None:
    target = {"name": "Bolot Otunbaev", "title": "Ambassador", "salutation": "Dear Ambassador"}
    assert salutation_for(target, language) == SALUTATIONS[language]["ambassador"]
    unknown = {"name": "X", "title": "Head of the Commission", "salutation": "Dear Head of the Commission"}
    assert "Dear" not in salutation_for(unknown, language)


def test_every_office_has_a_salutation_in_every_language_and_russian_is_cyrillic() -> None:
    offices = set(SALUTATIONS["en"])
    assert len(offices) == 7
    for language in SHIPPED:
        assert set(SALUTATIONS[language]) == offices
    assert not any(LATIN.search(text) for text in SALUTATIONS["ru"].values())


def test_a_given_salutation_for_the_language_wins() -> None:
    target = {
        "title": "President",
        "salutation": "Dear Mr President",
        "salutations": {"ru": "Уважаемый Садыр Нургожоевич"},
    }
    assert salutation_for(target, "ru") == "Уважаемый Садыр Нургожоевич"
    assert salutation_for(target, "en") == "Dear Mr President"
    assert salutation_for({"title": None}, "fr") == "Madame, Monsieur"


def test_the_title_in_the_language_where_given() -> None:
    assert title_in("Health at risk", {"ru": "Здоровье под угрозой"}, "ru") == "Здоровье под угрозой"
    assert title_in("Health at risk", {"ru": "Здоровье под угрозой"}, "de") == "Health at risk"
