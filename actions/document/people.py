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
    # A list opening a sentence may take the sentence's first word: "Activists Amal Fathy and ...".
    first = names[0].split()
    if len(first) > 2 and first[0].lower() in DESCRIPTIONS:
        names[0] = " ".join(first[1:])
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
    # A new sentence after a full stop ("BURUNDI. UNE DÉFENSEURE ...") keeps its capital.
    text = re.sub(r"(?<=\. )([a-zà-ÿ])", lambda m: m.group(1).upper(), text)
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


# A name followed by the sex marker of the older layout: "Marta Ejemplo Solís (f)".
_MARKED = re.compile(rf"(?P<name>{_NAME})\s*\((?:m|f)\)")
# A run of capitalised words (and particles) in running text: a candidate name.
_PARTICLE_WORD = rf"(?:(?:al|el|ad|as|ar)-[{_UPPER}{_LOWER}][{_LOWER}]+|{_PARTICLE}|bint|ibn)"
_NAME_WORD = rf"[{_UPPER}][{_LOWER}{_UPPER}]*(?:-[{_UPPER}{_LOWER}][{_LOWER}]+)*"
_RUN = re.compile(
    rf"(?<![\w'])(?P<run>{_NAME_WORD}(?:\s+(?:{_PARTICLE_WORD}\s+)*{_NAME_WORD}|\s+{_PARTICLE_WORD}){{1,6}})(?![\w'])"
)
# Words that describe the people an action is for and may open a sentence before their names.
DESCRIPTIONS = frozenset(
    {"activists", "students", "journalists", "defenders", "lawyers", "members", "leaders", "brothers",
     "sisters", "protesters", "prisoners", "women", "men", "farmers", "workers", "bloggers", "poets",
     "teachers", "doctors", "residents", "villagers", "activist", "student", "journalist", "lawyer",
     "defender", "leader", "blogger", "poet", "teacher", "doctor", "farmer", "worker", "protester"}
)  # fmt: skip
# Capitalised words that start a sentence or name an organisation, never a person.
_NOT_NAMES = frozenset(
    {"amnesty", "international", "the", "a", "an", "his", "her", "their", "on", "in", "since", "after",
     "urgent", "action", "department", "state", "services", "ministry", "court", "police", "national",
     "security", "service", "un", "human", "rights", "le", "la", "les", "el", "los", "las", "der",
     "die", "das", "ein", "eine", *DESCRIPTIONS}
)  # fmt: skip


def marked_names(text: str) -> list[Subject]:
    """The names the older layout marks with (m) or (f), in order."""
    return [Subject(m["name"]) for m in _MARKED.finditer(text)]


def named_in(summary: str, document: str) -> list[Subject]:
    """The person a summary is about: the first run of capitalised words in it that names
    someone the document mentions again. Leading words that are not part of the name (a
    sentence's first word, a German noun: "Die Menschenrechtsverteidigerin Oksana Ejemplowa")
    are dropped while the shorter run is mentioned more often in the document."""
    for match in _RUN.finditer(summary):
        words = match["run"].split()
        while words and words[0].lower() in _NOT_NAMES:
            words = words[1:]
        while len(words) > 2 and document.count(" ".join(words[1:])) > document.count(" ".join(words)):
            words = words[1:]
        named = " ".join(words)
        if len(words) >= 2 and not any(w.lower() in _NOT_NAMES for w in words) and document.count(named) >= 2:
            return [Subject(named)]
    # Named once: the run right after a lowercase word ("rights activist Rosalía Ejemplo ...").
    for match in _RUN.finditer(summary):
        words = match["run"].split()
        before = summary[: match.start()].split()
        if (
            len(words) >= 2
            and before
            and before[-1].islower()
            and not any(w.lower() in _NOT_NAMES for w in words)
        ):
            return [Subject(" ".join(words))]
    return []
