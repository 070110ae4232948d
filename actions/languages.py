"""Language codes as people write them (``ru``, ``de-CH``, ``pt_BR``), checked against Babel's locales."""

from __future__ import annotations

from babel import Locale, UnknownLocaleError


def language_code(text: str) -> str:
    """The code in its usual form (``de``, ``pt_BR``); ``ValueError`` if no locale has it."""
    raw = text.strip()
    try:
        locale = Locale.parse(raw.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        raise ValueError(f"{text!r} is not a language code such as 'en', 'de', 'fr', 'es' or 'ru'") from None
    return str(locale)


def by_language(mapping: dict[str, str]) -> dict[str, str]:
    """A ``{language: text}`` table with checked codes and no empty texts."""
    result: dict[str, str] = {}
    for code, text in mapping.items():
        value = str(text).strip()
        if value:
            result[language_code(code)] = value
    return result
