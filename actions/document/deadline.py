"""The appeal deadline and the soft-deadline notice."""

from __future__ import annotations

import datetime as dt
import re

from actions.document.dates import find_date
from actions.document.errors import DocumentError
from actions.document.model import ParseWarning
from actions.document.normalise import Line

# "Please check with the office in your country if you wish to send appeals after the deadline."
_LATE_NOTICE = re.compile(
    r"check with .{0,80}?\bif (?:you wish to )?(?:send(?:ing)? appeals|take action|act)\b"
    r".{0,20}?\bafter the (?:above date|deadline|appeal deadline)",
    re.IGNORECASE | re.DOTALL,
)
# A deadline sentence inside running text rather than on a labelled line.
_IN_TEXT = re.compile(r"(?:send appeals|take action)[^.\n]{0,40}?\b(?:before|until|by)\b", re.IGNORECASE)


def late_reports_welcome(lines: list[Line]) -> bool:
    text = " ".join(line.text for line in lines if line.text)
    return bool(_LATE_NOTICE.search(text))


def _with_next_line(line: Line, lines: list[Line]) -> Line:
    """The label line with the line after it, when that one is not blank."""
    position = lines.index(line) if line in lines else len(lines)
    following = lines[position + 1] if position + 1 < len(lines) else None
    if following is None or not following.text:
        return line
    return Line(line.number, f"{line.text} {following.text}")


def read_deadline(
    labelled: list[tuple[Line, str]], lines: list[Line], source: str
) -> tuple[dt.date, str, list[ParseWarning]]:
    """The deadline date and the line it was read from.

    ``labelled`` holds the deadline label lines with their values, in order. A labelled line
    without a readable date is an error; so is a document with no deadline at all.
    """
    warnings: list[ParseWarning] = []
    found: list[tuple[Line, dt.date]] = []
    for label_line, value in labelled:
        line, date = label_line, find_date(value)
        if date is None:
            # Text from a PDF may wrap the date onto the next line ("UNTIL: 3 June" / "2020").
            line = _with_next_line(label_line, lines)
            date = find_date(line.text)
        if date is None:
            raise DocumentError(source, line.number, "deadline", f"no date in {label_line.text!r}")
        found.append((line, date))
    if not found:
        for line in lines:
            match = _IN_TEXT.search(line.text)
            date = find_date(line.text[match.end() :]) if match else None
            if date is not None:
                warnings.append(ParseWarning(line.number, "deadline", "read from running text"))
                found.append((line, date))
                break
    if not found:
        last = lines[-1].number if lines else 1
        raise DocumentError(source, last, "deadline", "no deadline found")
    line, date = found[0]
    for other, other_date in found[1:]:
        if other_date != date:
            warnings.append(
                ParseWarning(
                    other.number,
                    "deadline",
                    f"another deadline {other_date.isoformat()} ignored; "
                    f"line {line.number} gives {date.isoformat()}",
                )
            )
    return date, line.text, warnings
