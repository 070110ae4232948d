"""Turn raw text or Markdown into numbered, clean lines.

Line numbers are those of the input file, so that errors and warnings can point at it: the
Markdown clean-up never adds or removes a newline.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_CHARACTERS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u00a0": " ",
        "\u2007": " ",
        "\u2009": " ",
        "\u202f": " ",
        "\t": " ",
        "\f": "",  # PDF page separator: the line it stands on becomes blank
        "\u200b": "",
        "\u200c": "",
        "\u200d": "",
        "\u00ad": "",
        "\ufeff": "",
    }
)

# Emphasis may wrap a line ("**AMNESTY\nINTERNATIONAL**") but never a blank line.
_BOLD = re.compile(r"(\*\*|__)((?:(?!\n[ \t]*\n).)+?)\1", re.DOTALL)
_ITALIC = re.compile(r"(?<![\w*])\*(?![\s*])([^*\n]+?)(?<![\s*])\*(?![\w*])")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)\)")
_AUTOLINK = re.compile(r"<((?:https?://|mailto:)[^>\s]+|[^@\s<>]+@[^@\s<>]+)>")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_LINE_PREFIX = re.compile(r"^\s*(?:#{1,6}\s+|>\s?|[-*+\u2022\u25aa\u25cf]\s+|\uf0b7\s*)")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,}|={3,})\s*$")
# Page furniture and drafting leftovers carry no content.
# The unfilled template line of the 2011-2019 layout ("Name Address 1 Address 2 ... Salutation").
_FURNITURE = re.compile(r"^(?:\d{1,3}|page \d+(?: of \d+)?|\[[^\]]*\]|name\s+address 1\b.*)$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Line:
    number: int
    text: str


def _link_text(match: re.Match[str]) -> str:
    text, url = match.group(1), match.group(2)
    if url in {"", "#"} or url.startswith("mailto:") or url == text:
        return text
    return f"{text} ({url})"


def _clean_line(text: str) -> str:
    if _RULE.match(text):
        return ""
    text = _LINE_PREFIX.sub("", text)
    text = _IMAGE.sub(r"\1", text)
    text = _LINK.sub(_link_text, text)
    text = _AUTOLINK.sub(lambda m: m.group(1).removeprefix("mailto:"), text)
    text = _ITALIC.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text).replace("`", "")
    text = _SPACES.sub(" ", text).strip()
    return "" if _FURNITURE.match(text) else text


def normalise_text(text: str) -> str:
    """Unify characters: NFC, straight quotes, hyphens for dashes, plain spaces, no emphasis."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.translate(_CHARACTERS)
    return _BOLD.sub(r"\2", text)


def normalise_lines(text: str) -> list[Line]:
    """Numbered lines (1-based, as in the file), each cleaned; blank lines are kept as ``""``."""
    return [
        Line(number, _clean_line(raw)) for number, raw in enumerate(normalise_text(text).split("\n"), start=1)
    ]


def paragraphs(lines: list[Line]) -> list[list[Line]]:
    """Group lines into blank-line separated paragraphs."""
    groups: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.text:
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups


def prose(lines: list[Line]) -> str | None:
    """Running text: wrapped lines joined by spaces, paragraphs by a blank line."""
    text = "\n\n".join(" ".join(line.text for line in group) for group in paragraphs(lines))
    return text or None
