"""The people an action is about: subject names and pronouns, and the title's capitals."""

from __future__ import annotations

import re

from actions.document.model import Subject

_SPLIT = re.compile(r"\s*(?:[;,]|\band\b)\s*(?![^()]*\))")
_WITH_PRONOUNS = re.compile(r"(?P<name>[^()]+?)\s*(?:\((?P<pronouns>[^)]*)\))?\s*\.?")

_UPPER = "A-ZÀ-ÖØ-ÞĀ-Ž"
_LOWER = "a-zß-öø-ÿā-ž'"
_WORD = rf"[{_UPPER}][{_LOWER}-]+"
_PARTICLE = r"(?:de|da|del|dos|das|van|von|bin|bint|al|el|la|y)"
_NAME = rf"{_WORD}(?:\s+(?:{_PARTICLE}\s+)?{_WORD}){{1,3}}"
# "... attacked Ana Ruiz, Juan Pérez and José Martínez, ..." -- the commonest way a summary
# names the people an action is for when no NAME label is given.
_NAME_LIST = re.compile(
    rf"(?<![{_UPPER}{_LOWER}])(?P<names>{_NAME}(?:,\s+{_NAME})*,?\s+and\s+{_NAME})(?![{_LOWER}])"
)


def parse_subjects(value: str) -> list[Subject]:
    """``"Azimjan Askarov (he/him)"``, ``"A (she/her), B (they/them)"`` → subjects."""
    subjects = []
    for part in _SPLIT.split(value.strip().rstrip(".")):
        match = _WITH_PRONOUNS.fullmatch(part.strip())
        if not match or not match["name"].strip():
            continue
        pronouns = match["pronouns"]
        if pronouns is not None:
            pronouns = re.sub(r"\s*/\s*", "/", pronouns.strip()).lower() or None
        subjects.append(Subject(match["name"].strip(), pronouns))
    return subjects


def names_listed_in(text: str) -> list[Subject]:
    """Names given as a list ("A, B and C") in running text, first list only."""
    match = _NAME_LIST.search(text)
    if not match:
        return []
    names = re.split(r",\s+and\s+|,\s+|\s+and\s+", match["names"])
    return [Subject(name) for name in names]


def sentence_case(title: str, proper_nouns: list[str]) -> str:
    """All-capital titles become sentence case, keeping countries, names and codes capitalised."""
    letters = [c for c in title if c.isalpha()]
    if not letters or any(c.islower() for c in letters):
        return title
    keep = {word.lower(): word for noun in proper_nouns for word in noun.split()}
    words = []
    for word in title.split(" "):
        core = word.strip(".,:;!?'\"()").lower()
        if any(c.isdigit() for c in word):
            words.append(word)
        elif core in keep:
            words.append(word.lower().replace(core, keep[core]))
        else:
            words.append(word.lower())
    text = " ".join(words)
    return text[:1].upper() + text[1:]


def proper_words(texts: list[str]) -> list[str]:
    """Capitalised words that do not open a sentence or a line: names of places and people."""
    found = []
    for text in texts:
        for sentence in re.split(r"(?<=[.!?:])\s+|\n|,\s+", text):
            for word in sentence.split()[1:]:
                core = word.strip(".,:;!?'\"()")
                if core[:1].isupper() and core[1:].islower():
                    found.append(core)
    return found
