"""Read an Urgent Action document into a ``ParsedDocument``.

The reader normalises the text, splits it into sections with the label table
(``labels.LABELS``) and hands each section to the module that understands it.
"""

from __future__ import annotations

import importlib
import io
import re
from collections import Counter
from os import PathLike
from pathlib import Path

from actions.document.countries import find_countries
from actions.document.countries import is_country_name as _canonical_alias
from actions.document.dates import find_date
from actions.document.deadline import late_reports_welcome, read_deadline, stop_notice
from actions.document.errors import DocumentError
from actions.document.identity import Identity, find_index, format_index, read_identity, ua_mentions
from actions.document.labels import OPENING
from actions.document.languages import languages_in, languages_in_text
from actions.document.layout import repair_lines
from actions.document.model import ParsedDocument, ParseWarning, Subject, Target
from actions.document.normalise import Line, normalise_lines, prose
from actions.document.people import (
    marked_names,
    named_in,
    names_listed_in,
    parse_subjects,
    proper_words,
    sentence_case,
)
from actions.document.sections import Sections, split_sections
from actions.document.targets import give_salutations, read_targets

_PROSE_SECTIONS = ("additional_information", "letter", "letter_closing", "previous_ua")
_OPENING = re.compile(rf"(?P<who>{OPENING})\s*[,:]?", re.IGNORECASE)
_HEADER_DATE = re.compile(r"\b(?:issue |publication )?date\s*:\s*(?P<date>.+)", re.IGNORECASE)
_INDEX_WORD = re.compile(r"\b(?:index|[ií]ndice)\b", re.IGNORECASE)
# Mail and blog wrappers: header lines, the signature, a post's own title prefix and country.
_MAIL_HEADER = re.compile(r"(?:from|to|cc|subject|date|sent|reply-to)\s*:", re.IGNORECASE)
_SIGNATURE = re.compile(r"--|-- |__+")
_TITLE_PREFIX = re.compile(
    r"(?:urgent action(?: update)?|action urgente|acci[oó]n urgente)\s*[:-]\s*", re.IGNORECASE
)
_TITLE_COUNTRY = re.compile(r"\s*\(([^()]+)\)\s*$")
_UPDATE_HEADING = re.compile(r"urgent action update\b", re.IGNORECASE)


def _page_furniture(lines: list[Line]) -> tuple[list[Line], list[Line]]:
    """Header and footer lines repeated on every page (``Second UA: 203/21 Index: ... Date: ...``)
    are taken out of the running text, where they would cut a letter or a section in two; the
    first of each is kept aside, for the identity, the index, the country and the issue date."""
    counts = Counter(line.text for line in lines if line.text)
    repeated = {
        text
        for text, count in counts.items()
        if count >= 2 and (ua_mentions([Line(0, text)]) or _INDEX_WORD.search(text))
    }
    furniture: list[Line] = []
    kept: list[Line] = []
    for line in lines:
        if line.text in repeated:
            if all(f.text != line.text for f in furniture):
                furniture.append(line)
            kept.append(Line(line.number, ""))
        else:
            kept.append(line)
    return kept, furniture


def _without_signature(lines: list[Line]) -> list[Line]:
    """Everything after a mail signature separator ("--") is the sender's, not the action's."""
    for position, line in enumerate(lines):
        if _SIGNATURE.fullmatch(line.text):
            return [*lines[:position], *(Line(x.number, "") for x in lines[position:])]
    return lines


_COUNTRY_AND = re.compile(r"\s+(?:and|und|et|y|e)\s+", re.IGNORECASE)


def _is_country_line(text: str) -> bool:
    """A heading line that only names the country ("RUSSISCHE FÖDERATION", "Ägypten",
    "ISRAEL UND BESETZTE GEBIETE")."""
    first = _COUNTRY_AND.split(text.strip(" ."), maxsplit=1)[0]
    found = find_countries(first)
    return (
        bool(found)
        and len(first.split()) <= 3
        and find_countries(first.upper()) == found
        and (first.lower() == found[0].lower() or _canonical_alias(first))
    )


def _title_and_summary(parts: Sections) -> tuple[Line | None, list[Line]]:
    """The title (a "TITLE:" label, else the first line under the heading) and the summary."""
    titled = parts.values("title")
    sections = [s for s in parts.of("heading") if s.text_lines] or parts.of("preamble")
    for section in sections:
        lines = section.text_lines
        if any(_MAIL_HEADER.match(x.text) for x in lines):
            # A mailing-list post: the title is the first line in capitals after the headers.
            lines = [x for x in lines if not _MAIL_HEADER.match(x.text)]
            shouting = [i for i, x in enumerate(lines) if x.text.isupper() and len(x.text.split()) >= 3]
            lines = lines[shouting[0] :] if shouting else lines
        while len(lines) > 1 and _is_country_line(lines[0].text):
            lines = lines[1:]
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


def _clean_title(title: str) -> str:
    """Without an "Urgent Action Update:" prefix or a "(Country)" suffix."""
    title = _TITLE_PREFIX.sub("", title, count=1)
    suffix = _TITLE_COUNTRY.search(title)
    if suffix and find_countries(suffix.group(1)):
        title = title[: suffix.start()]
    return title.strip()


def _title_text(parts: Sections, line: Line | None) -> str | None:
    titled = parts.values("title")
    if titled:
        return titled[0].value
    return _clean_title(line.text) if line else None


def _subjects(
    parts: Sections, summary_lines: list[Line], heading: list[Line], everything: str
) -> tuple[list[Subject], list[ParseWarning]]:
    subjects = [s for item in parts.values("subjects") for s in parse_subjects(item.value)]
    if subjects:
        return subjects, []
    # The older layout lists them beside the country: "Marta Ejemplo Solís (f), lawyer".
    marked = marked_names(" ".join(x.text for x in heading))
    if marked:
        return marked, []
    summary = " ".join(line.text for line in summary_lines if line.text)
    listed = names_listed_in(summary) or named_in(summary, everything)
    line = next((x.number for x in summary_lines if x.text), 1)
    if listed:
        return listed, [ParseWarning(line, "subjects", "names taken from the summary")]
    return [], [ParseWarning(line, "subjects", "no subject names found")]


def _country(
    parts: Sections, title: str | None, targets: list[Target], summary: str, furniture: list[Line]
) -> tuple[str | None, list[ParseWarning]]:
    """Stated country, else the header, the title's prefix, the targets' offices, addresses."""
    stated = parts.values("country")
    if stated:
        named = find_countries(stated[0].value)
        return (named[0] if named else stated[0].value.rstrip(".")), []
    headers = [i.line.text for i in parts.labelled if i.field == "header"] + [x.text for x in furniture]
    heading = [x.text for s in parts.of("heading", "preamble") for x in s.text_lines]
    candidates = [
        find_countries(" ".join(headers)),
        find_countries(re.split(r"[:.(]", title)[0]) if title and re.search(r"[:.(]", title) else [],
        [c for x in heading if _is_country_line(x) for c in find_countries(x)],
        [c for x in heading for c in find_countries(_leading_capitals(x))],
        find_countries(suffix.group(1)) if (suffix := _TITLE_COUNTRY.search(title or "")) else [],
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


def _leading_capitals(text: str) -> str:
    """The words in capitals a line starts with ("MEXICO" in "MEXICO Marta Ejemplo (f)")."""
    words = []
    for word in text.split():
        if not (word.isupper() and word.isalpha()):
            break
        words.append(word)
    return " ".join(words) if text[len(" ".join(words)) :].strip() else ""


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
                opening = (line.number, line.text.rstrip(",:").strip())
            break
    return prose(lines), opening


def _index_number(parts: Sections, identity_lines: list[Line]) -> str | None:
    for item in parts.values("index_number"):
        index = format_index(item.value)
        if index:
            return index
    found = find_index(identity_lines)
    return found[1] if found else None


def _issue_date(parts: Sections, furniture: list[Line]) -> str | None:
    for item in parts.values("issue_date"):
        return item.value
    for text in [item.line.text for item in parts.values("header")] + [x.text for x in furniture]:
        match = _HEADER_DATE.search(text)
        if match:
            return match["date"]
    return None


def _languages(parts: Sections, lines: list[Line]) -> tuple[list[str], str | None]:
    for item in parts.values("preferred_language"):
        return languages_in(item.value, keep_unknown=True), item.line.text
    text = " ".join(line.text for line in lines if line.text)
    found = languages_in_text(text)
    return found if found else ([], None)


def parse_document(text: str, source: str = "<text>", *, lenient: bool = False) -> ParsedDocument:
    """Read one document's text (plain or Markdown). ``source`` names it in errors.

    ``lenient`` reads what can be read even without a UA number or a deadline (for a draft action
    file): ``ua`` is then empty and ``deadline`` None, each with a warning, instead of an error.
    """
    lines, furniture = _page_furniture(_without_signature(repair_lines(normalise_lines(text))))
    parts = split_sections(lines)
    warnings: list[ParseWarning] = []
    identity_lines = sorted([*parts.lines_outside(*_PROSE_SECTIONS), *furniture], key=lambda x: x.number)
    try:
        identity = read_identity(identity_lines, source)
        if identity.note:
            warnings.append(ParseWarning(identity_lines[0].number, "ua", identity.note))
    except DocumentError as exc:
        if not lenient:
            raise
        identity = Identity("", "", "", is_update=False, update_ordinal=None)
        warnings.append(ParseWarning(exc.line or 1, exc.field, exc.message))
    stop = stop_notice(lines)
    deadline_labels = [(item.line, item.value) for item in parts.values("deadline")]
    try:
        deadline, deadline_text, found = read_deadline(
            deadline_labels, lines, source, required=stop is None and not lenient
        )
    except DocumentError as exc:
        if not lenient:
            raise
        deadline, deadline_text, found = None, None, [ParseWarning(exc.line or 1, exc.field, exc.message)]
    if deadline is None and stop is None and not any(w.field == "deadline" for w in found):
        found.append(ParseWarning(lines[-1].number if lines else 1, "deadline", "no deadline found"))
    warnings.extend(found)

    title_line, summary_lines = _title_and_summary(parts)
    summary = " ".join(line.text for line in summary_lines if line.text)
    heading = [x for s in parts.of("heading", "preamble") for x in s.text_lines]
    everything = " ".join(line.text for line in lines if line.text)
    subjects, found = _subjects(parts, summary_lines, heading, everything)
    warnings.extend(found)

    targets, shared, found = read_targets(parts.lines_of("targets", "take_action"))
    warnings.extend(found)
    letter, opening = _letter(parts)
    targets, found = give_salutations(targets, shared, opening)
    warnings.extend(found)
    if not targets and stop is None:
        warnings.append(ParseWarning(lines[-1].number if lines else 1, "targets", "no targets"))

    raw_title = _title_text(parts, title_line)
    country, found = _country(
        parts, title_line.text if title_line else raw_title, targets, summary, furniture
    )
    warnings.extend(found)
    places = [
        summary,
        *(t.title or "" for t in targets),
        *(t.postal_address or "" for t in targets),
        prose(parts.lines_of("additional_information")) or "",
    ]
    proper_nouns = [*(s.name for s in subjects), *([country] if country else [])]
    proper_nouns += proper_words(places)
    languages, languages_text = _languages(parts, lines)
    issue = _issue_date(parts, furniture)
    previous = parts.values("previous_ua")
    if raw_title is None:
        warnings.append(ParseWarning(1, "title", "no title found"))
    is_update = identity.is_update or stop is not None or any(_UPDATE_HEADING.match(x.text) for x in heading)

    return ParsedDocument(
        source=source,
        ua=identity.ua,
        ua_number=identity.ua_number,
        ua_number_as_printed=identity.printed,
        is_update=is_update,
        update_ordinal=identity.update_ordinal,
        index_number=_index_number(parts, identity_lines),
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
        stop_notice=stop is not None,
        stop_notice_text=stop,
    )


def _pdf_text(path: Path, content: bytes | None = None) -> str:
    """The PDF's text layer, pages separated by a form feed (pypdf loads only when a PDF comes)."""
    pypdf = importlib.import_module("pypdf")
    try:
        reader = pypdf.PdfReader(io.BytesIO(content) if content is not None else str(path))
        text = "\n\f\n".join(str(page.extract_text() or "") for page in reader.pages)
    except pypdf.errors.PyPdfError as exc:
        raise DocumentError(path.name, None, "file", f"not a readable PDF: {exc}") from None
    if not text.strip():
        raise DocumentError(path.name, None, "file", "the PDF has no text layer (a scan?): no text to read")
    return text


def read_document(
    path: str | PathLike[str], content: bytes | None = None, *, lenient: bool = False
) -> ParsedDocument:
    """Read a ``.txt``, ``.md`` or ``.pdf`` file (or its ``content``, read already); errors name the file.

    ``lenient``: see ``parse_document``.
    """
    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix == ".pdf":
            text = _pdf_text(file, content)
        elif suffix in {".txt", ".md", ".markdown", ""}:
            text = content.decode("utf-8") if content is not None else file.read_text(encoding="utf-8")
        else:
            raise DocumentError(file.name, None, "file", f"unsupported file type {suffix!r}")
    except (OSError, UnicodeDecodeError) as exc:
        raise DocumentError(file.name, None, "file", f"cannot read: {exc}") from exc
    return parse_document(text, source=file.name, lenient=lenient)
