"""The label table: which line opens which section of a document.

Every row is one way a section is announced in published Urgent Actions. A label line may carry
a value after the label ("APPEAL DEADLINE NOTICE: 16 August 2017"); the lines that follow it,
up to the next label, form the section the row ``opens``. Adding a new phrasing is adding a row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ORDINAL = r"(?:first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|\d{1,2}(?:st|nd|rd|th))"
# Sentences ("Please send appeals before ...") count as labels only when they hold a number.
_DATEISH = r"(?P<value>.*\d.*?)"


@dataclass(frozen=True, slots=True)
class Label:
    field: str  # what the value on the label line is
    pattern: re.Pattern[str]  # matched against the whole cleaned line
    opens: str  # the section the following lines belong to
    keep_line: bool = False  # the label line itself is part of the section's text
    not_inside: frozenset[str] = frozenset()  # sections in which the row does not apply


def _row(field: str, regex: str, opens: str | None = None, **options: object) -> Label:
    keep_line = bool(options.get("keep_line", False))
    not_inside = options.get("not_inside", ())
    assert isinstance(not_inside, tuple)
    return Label(
        field=field,
        pattern=re.compile(regex, re.IGNORECASE),
        opens=opens or field,
        keep_line=keep_line,
        not_inside=frozenset(str(s) for s in not_inside),
    )


# Letter openings other than "Dear ...," (a line of their own, ending in a comma or a colon).
OPENING = (
    r"(?:dear(?!\s+(?:friends|all|colleagues|members|everyone|supporters|activists)\b)|"
    r"your (?:excellency|majesty|(?:royal )?highness|honou?r)|excellenc(?:y|ies)|"
    r"monsieur|madame|mesdames|messieurs|señor|señora|señores|estimad[oa]s?|"
    r"sehr geehrte[rs]?|exm[oa]\.?)\b[^:,]{0,100}"
)

LABELS: tuple[Label, ...] = (
    _row("heading", r"urgent action|action urgente|acci[oó]n urgente"),
    _row(
        "header",
        rf"(?:{_ORDINAL}\s+)?(?:(?:further information|update) on\s+)?"
        r"(?:ua|urgent action|(?-i:AU|AcU|FI))\s*(?:no\.?|nr\.?|number)?\s*[:-]?\s*\d.*",
        opens="heading",
        not_inside=("additional_information", "letter"),
    ),
    _row(
        "identity",
        r"(?:urgent action )?(?:type and number|ua number)\s*:\s*(?P<value>.*)",
        opens="heading",
    ),
    _row("title", r"(?:urgent action )?title\s*:\s*(?P<value>.*)"),
    _row("issue_date", r"(?:publication|issue) date\s*:\s*(?P<value>.*)", opens="heading"),
    _row("index_number", r"(?:ai[ -])?(?:index|[ií]ndice)(?: number)?\s*:\s*(?P<value>.*)", opens="heading"),
    _row("country", r"country\s*:\s*(?P<value>.*)", opens="heading"),
    _row("summary", r"(?:urgent action )?summary\s*:\s*(?P<value>.*)"),
    _row("letter", r"(?:(?:urgent action|sample|model|suggested) )?letter\s*:?"),
    _row("letter", r"briefvorschlag|mod[eè]le de lettre|carta modelo\s*:?"),
    # "Dear friends," opens a mailing-list post, not a letter to a target.
    _row(
        "letter",
        r"dear\s+(?!(?:friends|all|colleagues|members|everyone|supporters|activists)\b)[^,:]{1,100},",
        keep_line=True,
        not_inside=("letter",),
    ),
    _row("letter", OPENING + r"[,:]", keep_line=True, not_inside=("letter",)),
    _row(
        "letter_closing",
        r"(?:yours sincerely|yours faithfully|sincerely|respectfully(?: yours)?|kind regards),?",
        keep_line=True,
    ),
    _row("targets", r"targets?(?:'s|s')?\s+contact details\b.*", opens="targets"),
    _row(
        "targets",
        r"(?:targets?|(?:please )?write to|(?:send (?:your )?)?appeals to|appelle an|briefe an)\s*:?",
    ),
    _row("targets", r"(?:please )?(?:contact|write to) (?:the )?[^.:]{1,60}:"),
    _row("take_action", r"take action\s*:?"),
    # "TAKE ACTION: WRITE AN APPEAL IN YOUR OWN WORDS OR USING THIS MODEL LETTER": the
    # target block follows without a heading of its own.
    _row("take_action", r"(?:take action|agissez|pasen a la acci[oó]n|handeln sie)\s*[:!]\s*\D*"),
    _row(
        "copies_to",
        r"(?:(?:also|and) )?(?:send )?(?:copies to|kopien an|copies? (?:à|a)|copias? a|con copia a)\b.*",
    ),
    _row(
        "preferred_language",
        r"(?:preferred languages?(?: to address (?:the )?targets?)?|langues? à privilégier[^:]*|"
        r"idiomas? preferidos?[^:]*|sprachen?|bevorzugte sprachen?)\s*:\s*(?P<value>.*)",
    ),
    _row("deadline", r"please take action as soon as possible until\s*:?\s*(?P<value>.*)"),
    _row("deadline", r"appeal deadline(?: notice)?\s*:\s*(?P<value>.*)"),
    _row("deadline", r"deadline(?: for appeals)?\s*:\s*(?P<value>.*)"),
    _row("deadline", r"until\s*:\s*(?P<value>.*\d.*)"),
    _row(
        "deadline",
        r"(?:date limite|fecha l[íi]mite|plazo|frist|bis)(?: (?:des appels|de env[íi]o|für appelle))?"
        r"\s*:\s*(?P<value>.*\d.*)",
    ),
    _row(
        "deadline",
        rf"please send appeals (?:immediately and )?before\s+{_DATEISH}\s+to\s*:?",
        opens="targets",
    ),
    _row("deadline", rf"please send appeals (?:immediately and )?before\s+{_DATEISH}"),
    _row(
        "deadline",
        rf"(?:please )?(?:take action|act|send appeals) (?:now )?(?:until|by)\s*:?\s*{_DATEISH}",
    ),
    _row(
        "subjects",
        r"(?:names?(?:\s+and\s+pronouns?)?|noms? et pronoms?|nombres? y pronombres?)\s*:\s*(?P<value>.*)",
    ),
    _row("gender", r"gender(?:\s*m/f)?\s*:\s*(?P<value>.*)"),
    _row(
        "additional_information",
        r"(?:additional|background)(?: information)?(?:\s*\([^)]*\))?\s*:?",
    ),
    _row(
        "additional_information",
        r"(?:compl[ée]ment d'information|informaci[oó]n adicional|hintergrundinformationen?)\s*:?",
    ),
    _row("previous_ua", r"link to previous ua\s*:\s*(?P<value>.*)"),
)

# One-line labels (identity, index, date, country) open "heading": the lines after them are
# still the document's heading (its title and summary).
# Labels whose value may stand on the next line when the label line has none.
VALUE_FIELDS = frozenset(
    {"title", "issue_date", "index_number", "country", "preferred_language", "subjects", "identity"}
)


def match_label(text: str, section: str) -> tuple[Label, str] | None:
    """The first row whose pattern matches the whole line, and the value it carries."""
    for label in LABELS:
        if section in label.not_inside:
            continue
        match = label.pattern.fullmatch(text)
        if match:
            value = match.groupdict().get("value") or ""
            return label, value.strip()
    return None
