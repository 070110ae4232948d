"""Read an Urgent Action document into a ``ParsedDocument``.

The reader normalises the text, splits it into sections with the label table
(``labels.LABELS``) and hands each section to the module that understands it.
"""

from __future__ import annotations

import importlib
import re
from collections import Counter
from os import PathLike
from pathlib import Path

from actions.document.countries import find_countries
from actions.document.dates import find_date
from actions.document.deadline import late_reports_welcome, read_deadline
from actions.document.errors import DocumentError
from actions.document.identity import find_index, format_index, read_identity
from actions.document.layout import repair_lines
from actions.document.model import ParsedDocument, ParseWarning, Subject, Target
from actions.document.normalise import Line, normalise_lines, prose
from actions.document.people import names_listed_in, parse_subjects, proper_words, sentence_case
from actions.document.sections import Sections, split_sections
from actions.document.targets import give_salutations, read_targets

_PROSE_SECTIONS = ("additional_information", "letter", "letter_closing", "previous_ua")
_OPENING = re.compile(r"dear\s+(?P<who>.+?)\s*,?", re.IGNORECASE)
_HEADER_DATE = re.compile(r"\b(?:issue |publication )?date\s*:\s*(?P<date>.+)", re.IGNORECASE)
_LANGUAGE_SPLIT = re.compile(r"\s*(?:[,;/]|\bor\b|\band\b)\s*", re.IGNORECASE)


def _title_and_summary(parts: Sections) -> tuple[Line | None, list[Line]]:
    """The title (a "TITLE:" label, else the first line under the heading) and the summary."""
    titled = parts.values("title")
    for section in parts.of("heading", "preamble"):
        lines = section.text_lines
        if lines:
            if titled:
                return titled[0].line, lines
            title = _title_lines(lines)
            return Line(title[0].number, " ".join(x.text for x in title)), lines[len(title) :]
    summary = [line for s in parts.of("summary") for line in s.lines]
    if titled:
        return Line(titled[0].line.number, titled[0].value), summary
    return None, summary


def _title_lines(lines: list[Line]) -> list[Line]:
    """A title in capitals may wrap: the next lines of its paragraph in capitals belong to it."""
    title = [lines[0]]
    for line in lines[1:]:
        if not lines[0].text.isupper() or not line.text.isupper():
            break
        if line.number != title[-1].number + 1:
            break
        title.append(line)
    return title


def _title_text(parts: Sections, line: Line | None) -> str | None:
    titled = parts.values("title")
    if titled:
        return titled[0].value
    return line.text if line else None


def _subjects(parts: Sections, summary_lines: list[Line]) -> tuple[list[Subject], list[ParseWarning]]:
    subjects = [s for item in parts.values("subjects") for s in parse_subjects(item.value)]
    if subjects:
        return subjects, []
    summary = " ".join(line.text for line in summary_lines if line.text)
    listed = names_listed_in(summary)
    line = next((x.number for x in summary_lines if x.text), 1)
    if listed:
        return listed, [ParseWarning(line, "subjects", "names taken from the summary")]
    return [], [ParseWarning(line, "subjects", "no subject names found")]


def _country(
    parts: Sections, title: str | None, targets: list[Target], summary: str
) -> tuple[str | None, list[ParseWarning]]:
    """Stated country, else the header, the title's prefix, the targets' offices, addresses."""
    stated = parts.values("country")
    if stated:
        named = find_countries(stated[0].value)
        return (named[0] if named else stated[0].value.rstrip(".")), []
    candidates = [
        find_countries(" ".join(i.line.text for i in parts.labelled if i.field == "header")),
        find_countries(title.split(":")[0]) if title and ":" in title else [],
        find_countries(" ".join(t.title or "" for t in targets)),
        find_countries(" ".join(t.postal_address or "" for t in targets)),
        find_countries(title or ""),
    ]
    for found in candidates:
        if found:
            return Counter(found).most_common(1)[0][0], []
    guessed = find_countries(summary)
    line = parts.labelled[0].line.number if parts.labelled else 1
    if guessed:
        country = Counter(guessed).most_common(1)[0][0]
        return country, [ParseWarning(line, "country", f"{country} guessed from the summary")]
    return None, [ParseWarning(line, "country", "no country found")]


def _letter(parts: Sections) -> tuple[str | None, tuple[int, str] | None]:
    """The sample letter (closing line included) and its opening salutation."""
    lines: list[Line] = []
    for index, section in enumerate(parts.sections):
        if section.kind == "letter":
            lines.extend(section.lines)
            following = parts.sections[index + 1] if index + 1 < len(parts.sections) else None
            if following and following.kind == "letter_closing" and following.lines:
                lines.append(following.lines[0])
    opening = None
    for line in lines:
        if line.text:
            match = _OPENING.fullmatch(line.text)
            if match:
                opening = (line.number, line.text.rstrip(",").strip())
            break
    return prose(lines), opening


def _index_number(parts: Sections, identity_lines: list[Line]) -> str | None:
    for item in parts.values("index_number"):
        index = format_index(item.value)
        if index:
            return index
    found = find_index(identity_lines)
    return found[1] if found else None


def _issue_date(parts: Sections) -> str | None:
    for item in parts.values("issue_date"):
        return item.value
    for item in parts.values("header"):
        match = _HEADER_DATE.search(item.line.text)
        if match:
            return match["date"]
    return None


def _languages(parts: Sections) -> tuple[list[str], str | None]:
    for item in parts.values("preferred_language"):
        names = [n.strip(" .") for n in _LANGUAGE_SPLIT.split(item.value)]
        return [n for n in names if n], item.line.text
    return [], None


def parse_document(text: str, source: str = "<text>") -> ParsedDocument:
    """Read one document's text (plain or Markdown). ``source`` names it in errors."""
    lines = repair_lines(normalise_lines(text))
    parts = split_sections(lines)
    warnings: list[ParseWarning] = []
    identity = read_identity(parts.lines_outside(*_PROSE_SECTIONS), source)
    deadline_labels = [(item.line, item.value) for item in parts.values("deadline")]
    deadline, deadline_text, found = read_deadline(deadline_labels, lines, source)
    warnings.extend(found)

    title_line, summary_lines = _title_and_summary(parts)
    summary = " ".join(line.text for line in summary_lines if line.text)
    subjects, found = _subjects(parts, summary_lines)
    warnings.extend(found)

    targets, shared, found = read_targets(parts.lines_of("targets", "take_action"))
    warnings.extend(found)
    letter, opening = _letter(parts)
    targets, found = give_salutations(targets, shared, opening)
    warnings.extend(found)
    if not targets:
        warnings.append(ParseWarning(lines[-1].number if lines else 1, "targets", "no targets"))

    raw_title = _title_text(parts, title_line)
    country, found = _country(parts, raw_title, targets, summary)
    warnings.extend(found)
    places = [
        summary,
        *(t.title or "" for t in targets),
        *(t.postal_address or "" for t in targets),
    ]
    proper_nouns = [*(s.name for s in subjects), *([country] if country else [])]
    proper_nouns += proper_words(places)
    languages, languages_text = _languages(parts)
    issue = _issue_date(parts)
    previous = parts.values("previous_ua")
    if raw_title is None:
        warnings.append(ParseWarning(1, "title", "no title found"))

    return ParsedDocument(
        source=source,
        ua=identity.ua,
        ua_number=identity.ua_number,
        ua_number_as_printed=identity.printed,
        is_update=identity.is_update,
        update_ordinal=identity.update_ordinal,
        index_number=_index_number(parts, parts.lines_outside(*_PROSE_SECTIONS)),
        issue_date=find_date(issue) if issue else None,
        title=sentence_case(raw_title, proper_nouns) if raw_title else None,
        country=country,
        subjects=tuple(subjects),
        deadline=deadline,
        deadline_text=deadline_text,
        late_reports_welcome=late_reports_welcome(lines),
        preferred_languages=tuple(languages),
        preferred_languages_text=languages_text,
        targets=tuple(targets),
        sample_letter=letter,
        additional_information=prose(parts.lines_of("additional_information")),
        previous_ua_link=previous[0].value if previous else None,
        warnings=tuple(warnings),
    )


def _pdf_text(path: Path) -> str:
    """The PDF's text layer, pages separated by a form feed (pypdf loads only when a PDF comes)."""
    pypdf = importlib.import_module("pypdf")
    try:
        reader = pypdf.PdfReader(str(path))
        text = "\n\f\n".join(str(page.extract_text() or "") for page in reader.pages)
    except pypdf.errors.PyPdfError as exc:
        raise DocumentError(path.name, None, "file", f"not a readable PDF: {exc}") from None
    if not text.strip():
        raise DocumentError(path.name, None, "file", "the PDF has no text layer (a scan?): no text to read")
    return text


def read_document(path: str | PathLike[str]) -> ParsedDocument:
    """Read a ``.txt``, ``.md`` or ``.pdf`` file; errors name the file."""
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix == ".pdf":
            text = _pdf_text(file)
        elif suffix in {".txt", ".md", ".markdown", ""}:
            text = file.read_text(encoding="utf-8")
        else:
            raise DocumentError(file.name, None, "file", f"unsupported file type {suffix!r}")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(file.name, None, "file", f"cannot read: {exc}") from exc
    return parse_document(text, source=file.name)
