"""Preferred languages, recorded by their English names whatever language the document is in.

Names are looked up in Babel's locale data (CLDR), in the languages sections publish in:
"Russisch" and "russe" are both "Russian". "Your own language" is never a preferred language.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from babel import Locale

_SECTION_LANGUAGES = ("en", "de", "fr", "es", "pt")
_SPLIT = re.compile(
    r"\s*(?:[,;/]|\bor\b|\band\b|\boder\b|\bund\b|\bou\b|\bet\b|\by\b|\bo\b|\be\b)\s*", re.IGNORECASE
)
_OWN = re.compile(
    r"your own language|(?:votre|vos) propres? langues?|(?:su|sus) propios? idiomas?|"
    r"ihrer (?:eigenen )?sprache",
    re.IGNORECASE,
)
# Words around a language's name in a sentence ("in gutem Russisch", "auf Deutsch", "in English").
_FILLER = frozenset({"in", "auf", "gutem", "good", "en", "em", "plain", "simple", "also", "or", "either"})
# Running-text phrasings: "Please write immediately in Persian, English or your own language",
# "in Spanish, Portuguese or your own language", "Schreiben Sie in gutem Russisch, Englisch
# oder auf Deutsch".
_IN_TEXT = (
    re.compile(r"\bin ([^.:;()]{3,80}?),?\s+or\s+(?:in\s+)?your own language", re.IGNORECASE),
    re.compile(r"\bschreiben sie (?:ihre appelle )?(?:bitte )?in ([^.:;()]{3,80}?)[.:;]", re.IGNORECASE),
    re.compile(r"\bwrite (?:immediately )?in ([A-Z][^.:;()]{3,60}?)[.:;]"),
)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@cache
def _english_names() -> dict[str, str]:
    english = Locale.parse("en").languages
    names: dict[str, str] = {}
    for code in _SECTION_LANGUAGES:
        for key, name in Locale.parse(code).languages.items():
            if "_" not in key and key in english:
                names.setdefault(_fold(name), english[key])
    # Adjectival forms German uses after "auf"/"in" ("auf Deutsch" is covered by the noun).
    return names


def english_name(text: str) -> str | None:
    """The English name of the language ``text`` names, or None if it names none."""
    words = [w for w in text.strip(" .").split() if w.lower() not in _FILLER]
    for start in range(len(words)):
        found = _english_names().get(_fold(" ".join(words[start:])))
        if found:
            return found
    return None


def languages_in(value: str, *, keep_unknown: bool) -> list[str]:
    """The languages a label's value or a sentence names, in English, without "your own"."""
    value = _OWN.sub("", value)
    found: list[str] = []
    for part in _SPLIT.split(value):
        piece = part.strip(" .:")
        if not piece:
            continue
        name = english_name(piece)
        if name is None and keep_unknown and len(piece.split()) == 1 and piece.isalpha():
            name = piece[:1].upper() + piece[1:]
        if name and name not in found:
            found.append(name)
    return found


def languages_in_text(text: str) -> tuple[list[str], str] | None:
    """Languages named in a running-text instruction, and the phrase they were read from."""
    for pattern in _IN_TEXT:
        match = pattern.search(text)
        if match:
            names = languages_in(match.group(1), keep_unknown=False)
            if names:
                return names, match.group(0)
    return None
