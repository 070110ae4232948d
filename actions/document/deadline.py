"""The appeal deadline, the soft-deadline notice and the stop notice.

A deadline is read, in this order of trust:

1. an extension ("3.2.2020: Deadline extended ... to 31 March 2020"): it supersedes the
   deadline printed further down;
2. a labelled line (``labels.LABELS``: "PLEASE TAKE ACTION AS SOON AS POSSIBLE UNTIL:",
   "PLEASE SEND APPEALS BEFORE 5 MAY 2016 TO:", "UNTIL:" ...);
3. a phrase in running text, in the languages sections publish in ("Report your action by
   April 15, 2023", "if sending appeals after 20 June 2007", "Appelle bis 12. Januar 2018",
   "Écrivez avant le 3 février 2025", "antes del 3 de febrero de 2025").

Only a date that follows such a phrase closely is a deadline: dates of trials, hearings,
executions, posts and pages never are. Phrases are looked for in the document's lines joined
together, so a phrase wrapped across two lines is found.
"""

from __future__ import annotations

import datetime as dt
import re

from actions.document.dates import find_dates
from actions.document.errors import DocumentError
from actions.document.model import ParseWarning
from actions.document.normalise import Line

_FLAGS = re.IGNORECASE | re.DOTALL

# "Please check with the office in your country if you wish to send appeals after the deadline",
# "Check with the International Secretariat ... if sending appeals after 20 June 2007", and the
# French, Spanish and German wordings of the same notice.
_LATE_NOTICE = re.compile(
    r"check with .{0,80}?\bif (?:you wish to )?(?:send(?:ing)? appeals|take action|act)\b.{0,20}?\bafter\b"
    r"|(?:vérifier|voir|renseignez-vous) auprès de .{0,80}?\b(?:après|au-delà)\b"
    r"|consulten? (?:con|a) .{0,80}?\bdespu[eé]s\b"
    r"|(?:rücksprache|nachfragen|erkundigen) .{0,80}?\b(?:nach (?:dem|ablauf)|frist)",
    _FLAGS,
)
_EXTENSION = re.compile(
    r"deadline (?:has been |was |is )?extended|extended (?:the )?deadline|"
    r"(?:frist|deadline) (?:wurde )?verlängert|(?:date limite|délai) (?:a été )?prolongée?|"
    r"plazo (?:ha sido |fue )?(?:prorrogado|ampliado)",
    _FLAGS,
)
_PHRASES = re.compile(
    r"(?:send(?:ing)? (?:your )?appeals|write|act|take action|report (?:your )?actions?)"
    r"(?: (?:immediately|now|as soon as possible)(?: and)?)?[^.\n]{0,40}?\b(?:before|until|by)\b"
    r"|if sending appeals after"
    r"|\b(?:appelle|briefe|schreiben sie|senden sie|schicken sie)[^.]{0,60}?"
    r"\b(?:bis|vor)(?: spätestens)?(?: zum)?"
    r"|\b(?:écrivez|envoyez|agissez|écrire|envoyer)[^.]{0,60}?\b(?:avant le|jusqu'au)"
    r"|\b(?:envíen|envíe|envía|escriban|escriba|escribe|actúen|actúe|actúa)[^.]{0,60}?"
    r"\b(?:antes del?|hasta el)",
    _FLAGS,
)
STOP_NOTICE = re.compile(
    r"no further (?:action|appeals) (?:is|are) (?:requested|needed|required)"
    r"|please (?:stop|do not send any more) (?:sending )?appeals"
    r"|keine weiteren (?:aktionen|appelle|briefe) (?:mehr )?(?:nötig|erforderlich)"
    r"|aucune (?:autre )?action (?:complémentaire |supplémentaire )?n'est (?:requise|nécessaire)"
    r"|no (?:se )?(?:requieren?|necesitan?) más (?:acciones|llamamientos)",
    _FLAGS,
)
_NEAR = 40  # characters between a phrase and its date


def _joined(lines: list[Line]) -> tuple[str, list[tuple[int, Line]]]:
    """The lines' text joined by spaces, with where each line starts."""
    starts: list[tuple[int, Line]] = []
    parts: list[str] = []
    offset = 0
    for line in lines:
        if line.text:
            starts.append((offset, line))
            parts.append(line.text)
            offset += len(line.text) + 1
    return " ".join(parts), starts


def _lines_between(starts: list[tuple[int, Line]], begin: int, end: int) -> tuple[Line, str]:
    """The first line of the span and the whole text of the lines it covers."""
    covered = [line for offset, line in starts if offset < end and offset + len(line.text) >= begin]
    return covered[0], " ".join(line.text for line in covered)


def late_reports_welcome(lines: list[Line]) -> bool:
    text, _ = _joined(lines)
    return bool(_LATE_NOTICE.search(text))


def stop_notice(lines: list[Line]) -> str | None:
    """The sentence saying no further action is requested, if the document has one."""
    text, starts = _joined(lines)
    match = STOP_NOTICE.search(text)
    if match is None:
        return None
    return _lines_between(starts, match.start(), match.end())[1]


def _after(text: str, position: int) -> tuple[int, dt.date] | None:
    """The date that starts within a few characters after ``position``, and where it ends."""
    for start, end, date in find_dates(text[position : position + _NEAR + 30]):
        if start <= _NEAR:
            return position + end, date
    return None


def _phrase_dates(
    pattern: re.Pattern[str], lines: list[Line], near: int = 0
) -> list[tuple[Line, str, dt.date]]:
    text, starts = _joined(lines)
    found = []
    for match in pattern.finditer(text):
        after = _after(text, match.end()) if not near else None
        if near:
            dates = find_dates(text[match.end() : match.end() + near])
            after = (match.end() + dates[0][1], dates[0][2]) if dates else None
        if after is not None:
            line, span = _lines_between(starts, match.start(), after[0])
            found.append((line, span, after[1]))
    return found


def _with_next_line(line: Line, lines: list[Line]) -> Line:
    """The label line with the line after it, when that one is not blank."""
    position = lines.index(line) if line in lines else len(lines)
    following = lines[position + 1] if position + 1 < len(lines) else None
    if following is None or not following.text:
        return line
    return Line(line.number, f"{line.text} {following.text}")


def read_deadline(
    labelled: list[tuple[Line, str]], lines: list[Line], source: str, *, required: bool = True
) -> tuple[dt.date | None, str | None, list[ParseWarning]]:
    """The deadline date and the text it was read from.

    ``labelled`` holds the deadline label lines with their values, in order. A labelled line
    without a readable date is an error; so is a document with no deadline at all unless
    ``required`` is false (a stop notice), when the date is None.
    """
    warnings: list[ParseWarning] = []
    found: list[tuple[Line, str, dt.date]] = []
    for label_line, value in labelled:
        dates = find_dates(value)
        line = label_line
        if not dates:
            # Text from a PDF may wrap the date onto the next line ("UNTIL: 3 June" / "2020").
            line = _with_next_line(label_line, lines)
            dates = find_dates(line.text)
        if not dates:
            raise DocumentError(source, line.number, "deadline", f"no date in {label_line.text!r}")
        found.append((line, line.text, dates[0][2]))
    if not found:
        phrases = _phrase_dates(_PHRASES, lines)
        if phrases:
            warnings.append(ParseWarning(phrases[0][0].number, "deadline", "read from running text"))
            found.extend(phrases)
    extended = _phrase_dates(_EXTENSION, lines, near=120)
    if extended:
        line, span, date = extended[0]
        warnings.append(ParseWarning(line.number, "deadline", f"extended to {date.isoformat()}"))
        found.insert(0, (line, span, date))
    if not found:
        if not required:
            return None, None, warnings
        last = lines[-1].number if lines else 1
        raise DocumentError(source, last, "deadline", "no deadline found")
    line, text, date = found[0]
    for other, _, other_date in found[1:]:
        if other_date != date:
            warnings.append(
                ParseWarning(
                    other.number,
                    "deadline",
                    f"another deadline {other_date.isoformat()} ignored; "
                    f"line {line.number} gives {date.isoformat()}",
                )
            )
    return date, text, warnings
