"""Which case a document belongs to: UA number, update ordinal, index number."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from actions.document.errors import DocumentError
from actions.document.normalise import Line

ORDINALS: dict[str, int] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}

_ORDINAL_WORD = r"(?:" + "|".join(ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))"
# "UA 219/06", "UA: 123/19", "UA-103/2017", "Urgent Action 61.20", "THIRD UA 60/16",
# "Further information on UA 77/06", "second update of UA 301/15" (the third document),
# section prefixes "AU 36/25" (French), "AcU 09/25" (Spanish) and "FI 112/19-2" (the second
# further information, i.e. the third document, as Swiss pages number them).
_UA = re.compile(
    rf"(?:\b(?P<ordinal>{_ORDINAL_WORD})\s+)?"
    rf"(?:\b(?P<nth_update>{_ORDINAL_WORD})\s+update\s+(?:of|on|to)\s+)?"
    r"(?:\b(?P<further>further information|update) on\s+)?"
    r"(?:\b(?:ua|urgent action)\b|\b(?-i:AU|AcU|AU-|FI)\b)\s*(?:no\.?|nr\.?|number)?\s*[:-]?\s*"
    r"(?P<number>\d{1,4})\s*(?P<sep>[./])\s*(?P<year>\d{4}|\d{2})"
    r"(?:-(?P<further_number>\d{1,2}))?(?![\d/])"
    r"(?P<update_after>\s*(?:-\s*)?update\b)?",
    re.IGNORECASE,
)
# The file name of a UA as the International Secretariat published it: uaa07711.pdf = UA 77/11.
_FILE_NAME = re.compile(r"\buaa(?P<number>\d{3})(?P<year>\d{2})\.pdf\b", re.IGNORECASE)
_INDEX = re.compile(
    r"\b(?:index|[ií]ndice)(?:\s+number)?\s*:?\s*(?P<index>[A-Z]{3}\s?\d{2}/\d{3,5}/\d{4})", re.IGNORECASE
)
_INDEX_VALUE = re.compile(r"(?P<code>[A-Z]{3})\s?(?P<rest>\d{2}/\d{3,5}/\d{4})")


@dataclass(frozen=True, slots=True)
class Mention:
    line: int
    key: str  # "61.20"
    number: str  # as printed: "60/16"
    printed: str  # the whole phrase: "THIRD UA 60/16"
    ordinal: int | None
    is_update: bool


@dataclass(frozen=True, slots=True)
class Identity:
    ua: str
    ua_number: str
    printed: str
    is_update: bool
    update_ordinal: int | None
    note: str | None = None  # another number the document mentions in passing


def _ordinal(word: str | None) -> int | None:
    if word is None:
        return None
    word = word.lower()
    return ORDINALS.get(word) or int(re.sub(r"\D", "", word))


def _mention(line: int, m: re.Match[str]) -> Mention:
    ordinal = _ordinal(m["ordinal"])
    if m["nth_update"]:
        ordinal = (_ordinal(m["nth_update"]) or 0) + 1
    if m["further_number"]:
        ordinal = int(m["further_number"]) + 1
    update = bool(m["further"] or m["update_after"] or m["further_number"] or m["nth_update"])
    return Mention(
        line=line,
        key=f"{int(m['number'])}.{m['year'][-2:]}",
        number=f"{m['number']}{m['sep']}{m['year']}",
        printed=m.group(0).strip(),
        ordinal=ordinal,
        is_update=update or (ordinal or 1) > 1,
    )


def ua_mentions(lines: list[Line]) -> list[Mention]:
    """Every mention of a UA number, in file order; one wrapped over two lines counts too."""
    mentions = [_mention(line.number, m) for line in lines for m in _UA.finditer(line.text)]
    texts = [line for line in lines if line.text]
    for first, second in pairwise(texts):
        joined = f"{first.text} {second.text}"
        for m in _UA.finditer(joined):
            if m.start() < len(first.text) < m.end() - 1:
                mentions.append(_mention(first.number, m))
    mentions.sort(key=lambda mention: mention.line)
    if not mentions:
        for line in lines:
            for m in _FILE_NAME.finditer(line.text):
                key, number = f"{int(m['number'])}.{m['year']}", f"{int(m['number'])}/{m['year']}"
                mentions.append(Mention(line.number, key, number, number, None, False))
    return mentions


def read_identity(lines: list[Line], source: str) -> Identity:
    """The one UA number of the document; two different ones are an error naming both.

    A number repeated (in a header and its footers) against others mentioned once each in passing
    ("as in UA 12/19") is the document's own: the others become a note, not an error.
    """
    mentions = ua_mentions(lines)
    if not mentions:
        last = lines[-1].number if lines else 1
        raise DocumentError(source, last, "ua", "no UA number found")
    counts = Counter(m.key for m in mentions)
    (top, top_count), *others = counts.most_common()
    note = None
    if others and top_count >= 2 and all(count == 1 for _, count in others):
        passing = ", ".join(key for key, _ in others)
        note = f"UA {passing} also mentioned; the document's own number is {top}, printed {top_count} times"
        mentions = [m for m in mentions if m.key == top]
    first = mentions[0]
    for other in mentions[1:]:
        if other.key != first.key:
            raise DocumentError(
                source,
                other.line,
                "ua",
                f"two different UA numbers: {first.key} and {other.key} "
                f"at lines {first.line} and {other.line}",
            )
    # The fullest mention (one with an ordinal or "further information") names the document.
    best = next((m for m in mentions if m.ordinal is not None), None)
    best = best or next((m for m in mentions if m.is_update), first)
    return Identity(
        ua=first.key,
        ua_number=best.number,
        printed=best.printed,
        is_update=any(m.is_update for m in mentions),
        update_ordinal=best.ordinal,
        note=note,
    )


def format_index(value: str) -> str | None:
    """``"AMR37/6674/2017"`` → ``"AMR 37/6674/2017"``; None when it is not an index number."""
    match = _INDEX_VALUE.search(value.upper())
    return f"{match['code']} {match['rest']}" if match else None


def find_index(lines: list[Line]) -> tuple[int, str] | None:
    """An "Index: XXX 00/0000/0000" written inside a header line."""
    for line in lines:
        match = _INDEX.search(line.text)
        if match:
            index = format_index(match["index"])
            if index:
                return line.number, index
    return None
