"""Undo what text extraction from a PDF does to a document's lines.

A PDF's text layer has no blank lines between paragraphs, wraps long lines wherever the page
margin falls and sometimes glues the last line of one paragraph to the first of the next
("...properly investigated.Azimjan Askarov will turn 69"). The reader finds structure line by
line (labels, contact lines, target headers), so before splitting sections the lines are
repaired with two conservative rules that hold in every layout:

* a glued sentence end ("investigated.Azimjan") is split into two lines, so that a label or a
  target glued to the end of a paragraph starts its own line again (prose joins lines with a
  space, so running text only regains its missing space);
* a wrapped line is joined to the line before it when that line does not end a sentence and
  the wrapped line starts with a plain lowercase word, so that a label's or an instruction's
  continuation is not read as a line of its own.

Lines keep the number of the file line they start on.
"""

from __future__ import annotations

import re

from actions.document.normalise import Line

# Sentence-final punctuation, possibly followed by closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?:;][\"')\]*]*$")
# A sentence end with no space before the next sentence: two lowercase letters (or a digit)
# and the mark, then a capitalised word ("Azimjan"), a word in capitals ("PLEASE") or "I".
_GLUE = re.compile(
    r"(?:(?<=[a-z]{2}[.!?])|(?<=\d[.!?])|(?<=[a-z][.!?][\"')]))(?=[A-Z][A-Za-z]|[A-Z](?:\s|$))"
)
# Abbreviations that end in a period and go before a capitalised word: not a sentence end.
ABBREVIATIONS = frozenset(
    {
        "mrs", "prof", "hon", "lic", "sra", "srta", "gen", "col", "capt", "sgt", "rev", "ave",
        "av", "blvd", "dept", "gov", "no", "nos", "vs", "etc", "cf", "jr", "sr", "ref", "art",
    }
)  # fmt: skip
# A token in which a period is part of an address, not punctuation.
_ADDRESS_TOKEN = re.compile(r"@|://|^www\.|\.(?:com|org|net|gov|int)\b", re.IGNORECASE)
# The first word of a wrapped continuation: a plain lowercase word, not "c/o", an email or a
# handle, and not a label of its own ("email: ...").
_CONTINUATION = re.compile(r"[a-z][a-z'-]*(?=[\s,;.)]|$)")
_LABEL_START = re.compile(r"[^:]{1,40}:(?:\s|$)")


def ends_sentence(text: str) -> bool:
    """Whether a line ends with sentence-final punctuation (a colon counts: labels end so)."""
    return bool(_SENTENCE_END.search(text.rstrip()))


def is_continuation(previous: str, text: str) -> bool:
    """Whether ``text`` is the wrapped rest of ``previous``."""
    if not previous or not text or ends_sentence(previous):
        return False
    return bool(_CONTINUATION.match(text)) and not _LABEL_START.match(text)


def _glue_points(text: str) -> list[int]:
    points = []
    for token in re.finditer(r"\S+", text):
        if _ADDRESS_TOKEN.search(token.group()):
            continue
        for match in _GLUE.finditer(token.group()):
            before = re.findall(r"[A-Za-z]+", token.group()[: match.start()])
            if before and before[-1].lower() in ABBREVIATIONS:
                continue
            points.append(token.start() + match.start())
    return points


def split_glued(lines: list[Line]) -> list[Line]:
    """Split every line at its glued sentence ends; the pieces keep the line's number."""
    result: list[Line] = []
    for line in lines:
        start = 0
        for point in _glue_points(line.text):
            result.append(Line(line.number, line.text[start:point].strip()))
            start = point
        result.append(Line(line.number, line.text[start:].strip()) if start else line)
    return result


def join_wrapped(lines: list[Line]) -> list[Line]:
    """Join each wrapped continuation line to the line it continues."""
    result: list[Line] = []
    for line in lines:
        if result and is_continuation(result[-1].text, line.text):
            result[-1] = Line(result[-1].number, f"{result[-1].text} {line.text}")
        else:
            result.append(line)
    return result


def repair_lines(lines: list[Line]) -> list[Line]:
    """The lines with glued sentences split and wrapped lines joined."""
    return join_wrapped(split_glued(lines))
