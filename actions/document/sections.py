"""Split a document's lines into labelled sections using the label table."""

from __future__ import annotations

from dataclasses import dataclass, field

from actions.document.labels import VALUE_FIELDS, match_label
from actions.document.normalise import Line


@dataclass
class Section:
    kind: str
    lines: list[Line] = field(default_factory=list)

    @property
    def text_lines(self) -> list[Line]:
        return [line for line in self.lines if line.text]


@dataclass(frozen=True, slots=True)
class Labelled:
    """A label line, the value it carries and the section it opened."""

    field: str
    value: str
    line: Line
    section: int


@dataclass
class Sections:
    sections: list[Section]
    labelled: list[Labelled]

    def of(self, *kinds: str) -> list[Section]:
        return [s for s in self.sections if s.kind in kinds]

    def lines_of(self, *kinds: str) -> list[Line]:
        """Lines of all sections of these kinds, a blank line between sections."""
        lines: list[Line] = []
        for section in self.of(*kinds):
            lines.extend(section.lines)
            lines.append(Line(section.lines[-1].number if section.lines else 0, ""))
        return lines

    def values(self, name: str) -> list[Labelled]:
        return [item for item in self.labelled if item.field == name]

    def lines_outside(self, *kinds: str) -> list[Line]:
        """Every line (label lines included) outside these kinds of section, in file order."""
        inside = [line for s in self.sections if s.kind not in kinds for line in s.lines]
        return sorted([*inside, *(item.line for item in self.labelled)], key=lambda x: x.number)


_SHORT_WORDS = 6  # a label's wrapped rest is a few words ("LETTER", "5 MAY 2016 TO:")


def _unwrap_labels(lines: list[Line]) -> list[Line]:
    """A label wrapped over two lines ("... USING THIS MODEL" / "LETTER") is joined again: when a
    line is no label but it and the short line after it are one, they become one line (keeping
    the first one's number; the second becomes blank, so line numbers still match the file)."""
    result = list(lines)
    for position in range(len(result) - 1):
        line, following = result[position], result[position + 1]
        if not line.text or not following.text or len(following.text.split()) > _SHORT_WORDS:
            continue
        single = match_label(line.text, "preamble")
        joined = f"{line.text} {following.text}"
        whole = match_label(joined, "preamble")
        # A label that reads as one already takes the rest of its wrap only if the rest is a word
        # or two ("... USING THIS MODEL" / "LETTER"), which would otherwise pass for a label.
        if whole and (
            single is None
            or (
                single[0] is whole[0]
                and (len(following.text.split()) <= 2 or (line.text.isupper() and following.text.isupper()))
            )
        ):
            result[position] = Line(line.number, joined)
            result[position + 1] = Line(following.number, "")
    return result


def split_sections(lines: list[Line]) -> Sections:
    sections = [Section("preamble")]
    labelled: list[Labelled] = []
    for line in _unwrap_labels(lines):
        hit = match_label(line.text, sections[-1].kind) if line.text else None
        if hit is None:
            sections[-1].lines.append(line)
            continue
        label, value = hit
        sections.append(Section(label.opens, [line] if label.keep_line else []))
        labelled.append(Labelled(label.field, value, line, len(sections) - 1))
    return Sections(sections, [_with_value(item, sections) for item in labelled])


def _with_value(item: Labelled, sections: list[Section]) -> Labelled:
    """A label with nothing after it takes its value from the next non-empty line."""
    if item.value or item.field not in VALUE_FIELDS:
        return item
    section = sections[item.section]
    for position, line in enumerate(section.lines):
        if line.text:
            section.lines[position] = Line(line.number, "")
            return Labelled(item.field, line.text, line, item.section)
    return item
