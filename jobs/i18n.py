"""Words, dates and numbers in the reader's language, through Babel; salutations for the usual offices.

Reminders and digests ship in English, German, French, Spanish and Russian
(``jobs/templates/<name>.<lang>.*.j2``). A channel in another language gets English, and the log
says so. Numbers and dates follow the locale, and a word after a number takes the plural form that
the locale's rules ask for (Russian has one, few, many).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

import structlog
from babel import Locale
from babel.dates import format_date, format_time
from babel.lists import format_list
from babel.numbers import format_decimal
from babel.units import format_unit

from actions.deadlines import end_of_day, time_left_parts, zone

log = structlog.get_logger("ua_scheduler.i18n")

SHIPPED = ("en", "de", "fr", "es", "ru")
"""Languages every message template exists in."""
DEFAULT = "en"

# How each way of acting is named in a list ("ways to act that still arrive in time: …").
KIND_NAMES: dict[str, dict[str, str]] = {
    "en": {
        "letter": "posted letter",
        "email": "email",
        "fax": "fax",
        "call": "phone call",
        "post": "social media post",
        "other": "another way of your choice",
    },
    "de": {
        "letter": "Brief per Post",
        "email": "E-Mail",
        "fax": "Fax",
        "call": "Anruf",
        "post": "Beitrag in sozialen Medien",
        "other": "auf andere Weise",
    },
    "fr": {
        "letter": "lettre postale",
        "email": "e-mail",
        "fax": "fax",
        "call": "appel téléphonique",
        "post": "publication sur les réseaux sociaux",
        "other": "autre moyen de votre choix",
    },
    "es": {
        "letter": "carta por correo postal",
        "email": "correo electrónico",
        "fax": "fax",
        "call": "llamada telefónica",
        "post": "publicación en redes sociales",
        "other": "otra forma que elija",
    },
    "ru": {
        "letter": "письмо по почте",
        "email": "электронное письмо",
        "fax": "факс",
        "call": "телефонный звонок",
        "post": "публикация в социальных сетях",
        "other": "другой способ на ваш выбор",
    },
}

# Words that follow a number, by the locale's plural category.
COUNTED_WORDS: dict[str, dict[str, dict[str, str]]] = {
    "en": {
        "letter": {"one": "letter", "other": "letters"},
        "email": {"one": "email", "other": "emails"},
        "fax": {"one": "fax", "other": "faxes"},
        "call": {"one": "phone call", "other": "phone calls"},
        "post": {"one": "social media post", "other": "social media posts"},
        "other": {"one": "other action", "other": "other actions"},
        "action": {"one": "action", "other": "actions"},
        "report": {"one": "report", "other": "reports"},
        "country": {"one": "country", "other": "countries"},
    },
    "de": {
        "letter": {"one": "Brief", "other": "Briefe"},
        "email": {"one": "E-Mail", "other": "E-Mails"},
        "fax": {"one": "Fax", "other": "Faxe"},
        "call": {"one": "Anruf", "other": "Anrufe"},
        "post": {"one": "Beitrag in sozialen Medien", "other": "Beiträge in sozialen Medien"},
        "other": {"one": "andere Aktion", "other": "andere Aktionen"},
        "action": {"one": "Aktion", "other": "Aktionen"},
        "report": {"one": "Meldung", "other": "Meldungen"},
        "country": {"one": "Land", "other": "Ländern"},
    },
    "fr": {
        "letter": {"one": "lettre", "other": "lettres"},
        "email": {"one": "e-mail", "other": "e-mails"},
        "fax": {"one": "fax", "other": "fax"},
        "call": {"one": "appel", "other": "appels"},
        "post": {
            "one": "publication sur les réseaux sociaux",
            "other": "publications sur les réseaux sociaux",
        },
        "other": {"one": "autre action", "other": "autres actions"},
        "action": {"one": "action", "other": "actions"},
        "report": {"one": "signalement", "other": "signalements"},
        "country": {"one": "pays", "other": "pays"},
    },
    "es": {
        "letter": {"one": "carta", "other": "cartas"},
        "email": {"one": "correo electrónico", "other": "correos electrónicos"},
        "fax": {"one": "fax", "other": "faxes"},
        "call": {"one": "llamada", "other": "llamadas"},
        "post": {"one": "publicación en redes sociales", "other": "publicaciones en redes sociales"},
        "other": {"one": "otra acción", "other": "otras acciones"},
        "action": {"one": "acción", "other": "acciones"},
        "report": {"one": "aviso", "other": "avisos"},
        "country": {"one": "país", "other": "países"},
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
        "report": {"one": "сообщение", "few": "сообщения", "many": "сообщений", "other": "сообщения"},
        "country": {"one": "страны", "few": "стран", "many": "стран", "other": "страны"},
    },
}

CONTACT_LABELS: dict[str, dict[str, str]] = {
    "en": {"email": "Email", "fax": "Fax", "call": "Phone", "letter": "Postal address"},
    "de": {"email": "E-Mail", "fax": "Fax", "call": "Telefon", "letter": "Postanschrift"},
    "fr": {"email": "E-mail", "fax": "Fax", "call": "Téléphone", "letter": "Adresse postale"},
    "es": {"email": "Correo electrónico", "fax": "Fax", "call": "Teléfono", "letter": "Dirección postal"},
    "ru": {"email": "Эл. почта", "fax": "Факс", "call": "Телефон", "letter": "Почтовый адрес"},
}

END_OF_DAY = {
    "en": "end of day",
    "de": "Ende des Tages",
    "fr": "fin de journée",
    "es": "al final del día",
    "ru": "до конца дня",
}
NO_TIME = {
    "en": "no time",
    "de": "keine Zeit",
    "fr": "plus de temps",
    "es": "nada de tiempo",
    "ru": "нисколько",
}

# The usual offices, recognised in a target's title (or rank) in any of the shipped languages,
# and the formal salutation each language uses for them. Gendered languages name both forms.
OFFICES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "prime_minister",
        re.compile(
            r"prime minister|premier|ministerpräsident|premier ministre|primer ministro|"
            r"premier-ministre|премьер",
            re.IGNORECASE,
        ),
    ),
    (
        "prosecutor_general",
        re.compile(
            r"prosecutor|attorney general|generalstaatsanwalt|procureur|fiscal|"
            r"прокурор",
            re.IGNORECASE,
        ),
    ),
    ("chief_of_police", re.compile(r"police|polizei|policía|полиции|полиция", re.IGNORECASE)),
    ("ambassador", re.compile(r"ambassad|botschafter|embajador|посол", re.IGNORECASE)),
    ("governor", re.compile(r"governor|gouverneur|gobernador|губернатор", re.IGNORECASE)),
    ("president", re.compile(r"president|präsident|président|presidente|президент", re.IGNORECASE)),
    ("minister", re.compile(r"minist|министр", re.IGNORECASE)),
)
SALUTATIONS: dict[str, dict[str, str]] = {
    "en": {
        "president": "Dear President",
        "prime_minister": "Dear Prime Minister",
        "minister": "Dear Minister",
        "ambassador": "Dear Ambassador",
        "prosecutor_general": "Dear Prosecutor General",
        "governor": "Dear Governor",
        "chief_of_police": "Dear Chief of Police",
    },
    "de": {
        "president": "Sehr geehrte Frau Präsidentin, sehr geehrter Herr Präsident",
        "prime_minister": "Sehr geehrte Frau Premierministerin, sehr geehrter Herr Premierminister",
        "minister": "Sehr geehrte Frau Ministerin, sehr geehrter Herr Minister",
        "ambassador": "Exzellenz",
        "prosecutor_general": (
            "Sehr geehrte Frau Generalstaatsanwältin, sehr geehrter Herr Generalstaatsanwalt"
        ),
        "governor": "Sehr geehrte Frau Gouverneurin, sehr geehrter Herr Gouverneur",
        "chief_of_police": "Sehr geehrte Frau Polizeipräsidentin, sehr geehrter Herr Polizeipräsident",
    },
    "fr": {
        "president": "Madame la Présidente, Monsieur le Président",
        "prime_minister": "Madame la Première ministre, Monsieur le Premier ministre",
        "minister": "Madame la Ministre, Monsieur le Ministre",
        "ambassador": "Madame l'Ambassadrice, Monsieur l'Ambassadeur",
        "prosecutor_general": "Madame la Procureure générale, Monsieur le Procureur général",
        "governor": "Madame la Gouverneure, Monsieur le Gouverneur",
        "chief_of_police": "Madame la Cheffe de la police, Monsieur le Chef de la police",
    },
    "es": {
        "president": "Señora Presidenta, Señor Presidente",
        "prime_minister": "Señora Primera Ministra, Señor Primer Ministro",
        "minister": "Señora Ministra, Señor Ministro",
        "ambassador": "Señora Embajadora, Señor Embajador",
        "prosecutor_general": "Señora Fiscal General, Señor Fiscal General",
        "governor": "Señora Gobernadora, Señor Gobernador",
        "chief_of_police": "Señora Jefa de Policía, Señor Jefe de Policía",
    },
    "ru": {
        "president": "Уважаемый господин Президент",
        "prime_minister": "Уважаемый господин Премьер-министр",
        "minister": "Уважаемый господин Министр",
        "ambassador": "Ваше Превосходительство",
        "prosecutor_general": "Уважаемый господин Генеральный прокурор",
        "governor": "Уважаемый господин Губернатор",
        "chief_of_police": "Уважаемый господин Начальник полиции",
    },
}
NEUTRAL_SALUTATION = {
    "en": "Dear Sir or Madam",
    "de": "Sehr geehrte Damen und Herren",
    "fr": "Madame, Monsieur",
    "es": "Estimada señora, estimado señor",
    "ru": "Уважаемые господа",
}


def shipped(code: str | None, *, channel: str | None = None) -> str:
    """``code`` if its templates ship, else English, with a warning naming the language asked for."""
    if code is None:
        return DEFAULT
    short = code.replace("-", "_").split("_")[0].lower()
    if short in SHIPPED:
        return short
    log.warning("i18n.fallback_to_english", language=code, channel=channel)
    return DEFAULT


def _date_locale(language: str) -> str:
    return "en_GB" if language == "en" else language


def counted(n: int, word: str, language: str) -> str:
    """``1 234 письма``: the number in the locale's digits and the word in the right plural form."""
    locale = Locale.parse(language)
    forms = COUNTED_WORDS[language][word]
    form = forms.get(locale.plural_form(n), forms["other"])
    return f"{format_decimal(n, locale=locale)} {form}"


def number(n: int, language: str) -> str:
    return format_decimal(n, locale=language)


def time_left(delta: timedelta, language: str) -> str:
    """``3 Tage und 4 Stunden``: the two largest units, in the language's words and plural forms."""
    parts = time_left_parts(delta)
    if not parts:
        return NO_TIME[language]
    words = [format_unit(n, f"duration-{unit}", length="long", locale=language) for unit, n in parts]
    return format_list(words, locale=language)


def when(instant: datetime, zone_name: str, language: str) -> str:
    """The date (and the time unless it is the end of a day) in ``zone_name``, named in ``language``."""
    tz = zone(zone_name)
    locale = _date_locale(language)
    pattern = "EEEE d MMMM y" if language == "en" else "full"
    day = (instant - timedelta(minutes=1)).astimezone(tz).date()
    if end_of_day(day, zone_name) == instant:
        return f"{format_date(day, pattern, locale=locale)}, {END_OF_DAY[language]} ({zone_name})"
    local = instant.astimezone(tz)
    clock = format_time(local, "HH:mm", locale=locale)
    return f"{format_date(local.date(), pattern, locale=locale)}, {clock} ({zone_name})"


def kind_names(kinds: Iterable[str], language: str) -> str:
    """The ways of acting in words, as a list in the language: ``email, fax and phone call``."""
    names = [KIND_NAMES[language][k] for k in kinds]
    return format_list(names, locale=language) if names else ""


def office_of(*texts: str | None) -> str | None:
    """The usual office a title or rank names (``Ambassador of X to Y`` is an ambassador)."""
    for text in texts:
        if not text:
            continue
        for office, pattern in OFFICES:
            if pattern.search(text):
                return office
    return None


def salutation_for(target: Mapping[str, Any], language: str) -> str:
    """The target's salutation in ``language``: given for it, else the office's, else a neutral one.

    A salutation given without a language (``salutation``) is taken as English: it is never put
    in a letter in another language.
    """
    given = target.get("salutations") or {}
    if isinstance(given, Mapping) and given.get(language):
        return str(given[language])
    if language == DEFAULT and target.get("salutation"):
        return str(target["salutation"])
    office = office_of(target.get("title"), target.get("rank"), target.get("salutation"))
    if office is not None:
        return SALUTATIONS[language][office]
    return NEUTRAL_SALUTATION[language]


def title_in(title: str, titles: Mapping[str, str] | None, language: str) -> str:
    """The action's title in ``language`` where one was given, else as stated."""
    return str((titles or {}).get(language) or title)
