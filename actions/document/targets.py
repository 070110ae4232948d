"""Targets: the officials to write to, read from the lines of a document's target sections.

A target is a few unlabelled lines (name, office, address, a postal note) followed by labelled
contact lines ("Email:", "Fax:", "Salutation:" ...). An unlabelled line after contact lines
starts the next target; in compact layouts (addresses written on consecutive lines) so does
every new paragraph of unlabelled lines. Text from a PDF has no blank lines at all: there a
name or office line ("Minister of ...", "Mr ...") after a target's address also starts the next.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actions.document.layout import ends_sentence
from actions.document.model import ParseWarning, Target
from actions.document.normalise import Line, paragraphs

# Contact labels → the field they fill. Social platforms go to ``Target.social`` under the key.
CONTACT_LABELS: tuple[tuple[str, str], ...] = (
    ("email", r"e-?mails?|courriel|correo(?: electr[oó]nico)?|e-mail-adresse"),
    ("fax", r"fax(?:es)?|t[ée]l[ée]copie"),
    ("phone", r"(?:tele)?phones?|tel\.?|t[ée]l[ée]phone|tel[ée]fono|telefon|mobile|whatsapp"),
    ("facebook", r"facebook|fb"),
    ("twitter", r"twitter\s*/\s*x|x\s*/\s*twitter|x\s*\(formerly twitter\)|twitter|x"),
    ("instagram", r"instagram"),
    ("telegram", r"telegram"),
    ("tiktok", r"tiktok"),
    ("youtube", r"youtube"),
    ("linkedin", r"linkedin"),
    ("bluesky", r"bluesky"),
    ("mastodon", r"mastodon"),
    ("website", r"website|web"),
    ("salutation", r"salutations?|anrede|formule d'appel|tratamiento|saludo"),
)
_CONTACT = re.compile(
    r"(?:^|(?<=[\s|;]))(?P<label>"
    + "|".join(f"(?P<{name}>{regex})" for name, regex in CONTACT_LABELS)
    + r")\s*:\s*",
    re.IGNORECASE,
)
_SEPARATOR_I = re.compile(r"\s+[I|]$")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER_SPLIT = re.compile(r"\s*(?:[,;]|\bor\b)\s*")
_INSTRUCTION = re.compile(r"^\d+[.)]\s")  # the numbered "Write a letter ..." steps
_POSTAL_NOTE = re.compile(
    r"postal restrictions|(?:only|do not|don't) send (?:physical )?(?:mail|letters)|"
    r"physical mail|no postal service",
    re.IGNORECASE,
)

# Honorifics before a name: courtesy ones are dropped, ranks kept as ``rank``, offices used as
# the title when no title line is given. Longest first so "General de División" wins.
# fmt: off
COURTESY = (
    "His Excellency", "Her Excellency", "His Majesty", "Her Majesty", "The Honourable",
    "The Honorable", "H.E.", "S.E.", "S. E.", "Mr.", "Mr", "Mrs.", "Mrs", "Ms.", "Ms", "Miss",
    "Mx", "Dr.", "Dr", "Prof.", "Hon.", "Honourable", "Honorable", "Lic.", "Licda.", "Ing.",
    "Abg.", "Señor", "Señora", "Sr.", "Sra.", "Srta.", "Don", "Doña", "Exmo.", "Exma.", "Exmo",
    "Exma", "M.", "Mme", "Mme.", "Herrn", "Herr", "Frau",
)
# Words of address, rank or religious or royal title that can stand before a name and are not
# part of it ("Interim President Adly Mansour", "Ayatollah Sadegh Larijani", "Counsellor ...").
TITLE_WORDS = frozenset({
    "his", "her", "excellency", "majesty", "highness", "royal", "the", "honourable", "honorable",
    "h.e.", "s.e.", "s.", "e.", "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof.", "hon.",
    "lic.", "sr.", "sra.", "exmo.", "exma.", "m.", "mme", "herr", "herrn", "frau", "don", "doña",
    "interim", "acting", "senior", "general", "generalmajor", "generalleutnant", "brigadier",
    "lieutenant", "colonel", "major", "captain", "admiral", "marshal", "field", "counsellor",
    "counselor", "judge", "ayatollah", "hojjatoleslam", "shaikh", "sheikh", "sheikha", "shaikha",
    "prince", "princess", "king", "queen", "emir", "sultan", "president", "minister", "prime",
    "ambassador", "senator", "governor", "mayor", "prosecutor", "attorney", "premier", "chancellor",
    "police",
})

RANKS = (
    "General de División", "General de Brigada", "Lieutenant General", "Major General",
    "Brigadier General", "Lieutenant Colonel", "General", "Colonel", "Major", "Captain", "Admiral",
)
OFFICES = (
    "Prime Minister", "Ambassador", "President", "Minister", "Governor", "Mayor", "Senator",
    "Judge", "Prosecutor", "King", "Queen",
)
# Words that make a line an office ("Minister of Security", "Prosecutor General").
OFFICE_WORDS = frozenset({
    "president", "vice", "prime", "minister", "deputy", "ambassador", "prosecutor", "general",
    "attorney", "governor", "director", "head", "chief", "chair", "chairman", "chairperson",
    "commissioner", "secretary", "mayor", "speaker", "king", "queen", "emir", "sultan", "judge",
    "ombudsperson", "ombudsman", "procurator", "senator", "interior", "justice", "foreign",
    "affairs", "security", "defence", "defense", "inspector", "premier", "chancellor", "interim",
    "acting", "counsellor",
    # the same offices in the languages of section pages
    "ministre", "président", "présidente", "procureur", "procureure", "gouverneur", "ambassadeur",
    "garde", "presidente", "ministro", "ministra", "gobernador", "gobernadora", "procurador",
    "procuradora", "fiscal", "embajador", "embajadora", "defensor", "präsident", "präsidentin",
    "ministerin", "generalstaatsanwalt", "botschafter", "botschafterin", "staatsanwalt",
})
# Words that make a line an institution, i.e. the first line of an address.
INSTITUTION_WORDS = frozenset({
    "embassy", "ministry", "office", "department", "secretaría", "ministerio", "court", "prison",
    "palace", "parliament", "presidency", "administration", "council", "commission",
    "directorate", "government", "mission", "consulate", "c/o", "headquarters", "house",
    "secretariat", "bureau", "agency", "army", "navy", "command", "station", "centre", "center",
    "building", "tribunal", "committee", "assembly", "senate", "hospital", "jail", "camp",
    "institute", "university", "party", "ministère", "présidence", "fiscalía", "botschaft",
})
_CONNECTORS = frozenset({
    "of", "for", "to", "on", "at", "and", "the", "de", "la", "del", "des", "du", "le", "les",
    "der", "für", "y", "et", "und",
})
_PARTICLES = frozenset({"de", "da", "del", "dos", "das", "van", "von", "bin", "al", "el", "la"})
_SALUTATION_FILLER = frozenset({
    "dear", "sir", "madam", "mr", "mrs", "ms", "excellency", "your", "his", "her", "the", "of",
    "and", "honourable", "honorable", "esteemed",
})
# Words by which one salutation addresses several people.
_SEVERAL_WORDS = frozenset({
    "and", "excellencies", "sirs", "ministers", "governors", "all", "señores", "señoras",
    "messieurs", "mesdames",
})
# fmt: on


@dataclass
class _Draft:
    plain: list[tuple[int, Line]] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    faxes: list[str] = field(default_factory=list)
    social: dict[str, str] = field(default_factory=dict)
    salutation: tuple[int, str] | None = None
    salutation_alone: bool = False  # stands in a paragraph of its own: may be for all targets
    has_contacts: bool = False


@dataclass
class _Header:
    name: str | None = None
    title: str | None = None
    rank: str | None = None
    office: str | None = None
    address: list[tuple[int, Line]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _strip_prefix(text: str, words: tuple[str, ...]) -> tuple[str | None, str]:
    for word in words:
        if text.lower().startswith(word.lower() + " "):
            return word, text[len(word) + 1 :].strip()
    return None, text


def _words(text: str) -> list[str]:
    return re.findall(r"[\w'/.-]+", text.lower())


def is_office_line(text: str) -> bool:
    """ "Minister of Security", "Prosecutor General" -- but not "Ambassador Jane Roe"."""
    _, text = _strip_prefix(text, COURTESY)
    words = _words(text)
    if not words or words[0] not in OFFICE_WORDS:
        return False
    return any(w in _CONNECTORS for w in words) or all(w in OFFICE_WORDS for w in words)


def _is_institution(text: str) -> bool:
    return any(w in INSTITUTION_WORDS for w in _words(text))


def _name_word(word: str) -> bool:
    """A word of a name: capitalised, a particle ("bin", "de"), "al-Sawi" or "'Issa"."""
    core = word.lstrip("'")
    return core[:1].isupper() or word.lower() in _PARTICLES or bool(re.match(r"(?:al|el|ad|as|ar)-\w", word))


def _looks_like_name(text: str) -> bool:
    if any(text.lower().startswith(h.lower() + " ") for h in (*COURTESY, *RANKS, *OFFICES)):
        return not any(c.isdigit() for c in text) and len(text.split()) <= 12 and not _is_institution(text)
    words = text.split()
    return (
        2 <= len(words) <= 6
        and not any(c.isdigit() for c in text)
        and not _is_institution(text)
        and all(_name_word(w) for w in words)
        and not all(w.lower().strip(",") in OFFICE_WORDS | TITLE_WORDS | _CONNECTORS for w in words)
    )


def strip_titles(name: str) -> str:
    """A name without the words of address, rank or title before it (two words always stay)."""
    words = name.split()
    while len(words) > 2 and words[0].lower().rstrip(",") in TITLE_WORDS | {"and", "of"}:
        words = words[1:]
    return " ".join(words)


def split_head(text: str) -> tuple[str, str] | None:
    """A title and a name on one line: "Head of the Judiciary, Gholamhossein Mohseni Ejemi",
    "Attorney General Consuelo Ejemplo Porras", "King and Prime Minister Salman bin Abdul Aziz"."""
    if "," in text:
        office, _, after = text.partition(",")
        after = after.strip()
        if is_office_line(office) and _looks_like_name(after) and not _is_institution(after):
            return office.strip(), strip_titles(after)
    for prefix in (*COURTESY, *RANKS, *OFFICES):
        if text.lower().startswith(prefix.lower() + " "):
            following = text[len(prefix) + 1 :].split()
            if not any(w.lower() in OFFICE_WORDS | _CONNECTORS for w in following):
                return None  # "Ambassador Bolot Otunbaev": read by the prefixes (rank, office)
    words = text.split()
    for cut in range(1, len(words) - 1):
        head, tail = words[:cut], words[cut:]
        if head[-1].lower() in _CONNECTORS or not all(
            w.lower() in OFFICE_WORDS | TITLE_WORDS | _CONNECTORS for w in head
        ):
            continue
        if tail[0].lower() in TITLE_WORDS | OFFICE_WORDS or not tail[0][:1].isupper():
            continue
        name = " ".join(tail)
        if (
            len(tail) >= 2
            and "," not in name
            and _looks_like_name(name)
            and not any(w.lower() in OFFICE_WORDS for w in tail)
        ):
            offices = [w for w in head if w.lower() in OFFICE_WORDS]
            return (" ".join(head) if offices else ""), name
    return None


def split_contacts(text: str) -> list[tuple[str, str]]:
    """``"Phone: 202 449 9822 | Fax: 202 449 8275"`` → ``[("phone", ...), ("fax", ...)]``.

    A contact line may stand in brackets ("(Anrede: Dear Minister)"); one-line contact blocks
    separate their entries with "|" or with a capital "I" that stands for one.
    """
    text = text.removeprefix("(").removesuffix(")")
    matches = list(_CONTACT.finditer(text))
    if not matches or matches[0].start() != 0:
        return []
    found = []
    for here, after in zip(matches, [*matches[1:], None], strict=True):
        end = after.start() if after else len(text)
        kind = next(name for name, _ in CONTACT_LABELS if here.group(name) is not None)
        value = _SEPARATOR_I.sub("", text[here.end() : end].strip(" |;,"))
        found.append((kind, value.strip(" |;,")))
    return found


def _add_contact(draft: _Draft, kind: str, value: str, line: Line, alone: bool) -> None:
    value = value.strip().rstrip(".")
    if kind == "salutation":
        draft.salutation = (line.number, value.rstrip(",").strip())
        draft.salutation_alone = alone
        return
    draft.has_contacts = True
    if kind == "email":
        draft.emails.extend(_EMAIL.findall(value))
    elif kind in {"phone", "fax"}:
        numbers = [n for n in _NUMBER_SPLIT.split(value) if n]
        (draft.phones if kind == "phone" else draft.faxes).extend(numbers)
    elif value:
        old = draft.social.get(kind)
        draft.social[kind] = f"{old}, {value}" if old else value


def _without_instructions(group: list[Line]) -> list[Line]:
    """Drop the numbered "Write a letter ..." steps, with the lines they wrap onto.

    A step runs on to the next line until a line of it ends a sentence: without blank lines
    (text from a PDF) the target after the last step is in the same paragraph and is kept.
    """
    kept: list[Line] = []
    inside = False
    previous = ""
    for line in group:
        if _INSTRUCTION.match(line.text):
            inside = True
        elif inside and ends_sentence(previous):
            inside = False
        if not inside:
            kept.append(line)
        previous = line.text
    return kept


def _is_head_line(text: str) -> bool:
    """A line that names an addressee: an office ("Minister of ...") or a name after an
    honorific, rank or office ("Mr ...", "General ...", "Ambassador ...")."""
    if is_office_line(text) or split_head(text):
        return True
    honorifics = (*COURTESY, *RANKS, *OFFICES)
    return any(text.lower().startswith(h.lower() + " ") for h in honorifics) and _looks_like_name(text)


def _starts_next_target(text: str, current: _Draft) -> bool:
    """Whether a name or office line opens a new target although no contact line came between:
    the current target already has an address line, or both its office and its name."""
    if not _is_head_line(text) or not current.plain:
        return False
    heads = [line.text for _, line in current.plain if _is_head_line(line.text)]
    # The first line of a target, without a number in it, is its title ("Ministre de la Justice").
    others = [
        line.text
        for position, (_, line) in enumerate(current.plain)
        if not _is_head_line(line.text) and (position or any(c.isdigit() for c in line.text))
    ]
    if any(not _POSTAL_NOTE.search(other) for other in others):
        return True
    offices = [h for h in heads if is_office_line(h)]
    return bool(offices) and len(heads) > len(offices)


_PROSE_WORD = re.compile(r"\b[a-zà-ÿ]{2,}\b")


def _is_prose(text: str) -> bool:
    """A sentence among the target lines ("Please check with your section office ..."), a note
    in brackets or a heading ending in a colon: none of them names or addresses a target."""
    if split_contacts(text) or _POSTAL_NOTE.search(text):
        return False
    if text.startswith("(") and text.endswith(")"):
        return True
    words = text.split()
    lowercase = len(_PROSE_WORD.findall(text))
    return (text.endswith((".", ":", "!")) and len(words) >= 6 and lowercase >= 4) or (
        text.endswith(":") and lowercase >= 2
    )


_EMAIL_LIST = re.compile(r"(?:[,;|]?\s*(?:and\s+)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+\s*)+[,;.]?")


def _join_contact_wraps(lines: list[Line]) -> list[Line]:
    """A contact line wrapped onto the next one ("Email: a@x.org ," / "b@x.org"; "(Anrede: Dear
    Sir / Sehr geehrter" / "Herr Minister)") is joined again."""
    result: list[Line] = []
    for line in lines:
        previous = result[-1] if result else None
        if (
            previous is not None
            and previous.text
            and line.text
            and split_contacts(previous.text)
            and not split_contacts(line.text)
            and (
                previous.text.count("(") > previous.text.count(")")
                or _EMAIL_LIST.fullmatch(line.text)
                or previous.text.endswith((",", "|", " I", "/", ":"))
                or line.text.startswith("@")
            )
        ):
            result[-1] = Line(previous.number, f"{previous.text} {line.text}")
        else:
            result.append(line)
    return result


def _drafts(lines: list[Line]) -> list[_Draft]:
    lines = _join_contact_wraps(lines)
    lines = [Line(x.number, "") if x.text and _is_prose(x.text) else x for x in lines]
    groups = [g for g in (_without_instructions(p) for p in paragraphs(lines)) if g]
    compact = any(len([x for x in g if not split_contacts(x.text)]) > 1 for g in groups)
    drafts: list[_Draft] = []
    for index, group in enumerate(groups):
        for line in group:
            contacts = split_contacts(line.text)
            if contacts:
                if not drafts:
                    drafts.append(_Draft())
                for kind, value in contacts:
                    _add_contact(drafts[-1], kind, value, line, alone=len(group) == 1)
                continue
            current = drafts[-1] if drafts else None
            new_paragraph = bool(current and current.plain and current.plain[-1][0] != index)
            if (
                current is None
                or current.has_contacts
                or current.salutation
                or (compact and new_paragraph)
                or (len(groups) == 1 and _starts_next_target(line.text, current))
            ):
                drafts.append(_Draft())
            drafts[-1].plain.append((index, line))
    return drafts


def _has_honorific(text: str) -> bool:
    """Whether a line is a name after a courtesy title or a rank ("Lic. ...", "General ...")."""
    words = text.split()
    prefixed = any(text.lower().startswith(h.lower() + " ") for h in (*COURTESY, *RANKS)) or (
        bool(words) and words[0].lower() in TITLE_WORDS and not is_office_line(text)
    )
    return prefixed and _looks_like_name(text)


def _header(plain: list[tuple[int, Line]]) -> _Header:
    head = _Header()
    for position, (index, line) in enumerate(plain):
        text = line.text
        split = split_head(text) if head.name is None and not head.address else None
        if (
            text.isupper()
            and head.name is None
            and head.title is None
            and not head.address
            and any(_looks_like_name(x.text) and not x.text.isupper() for _, x in plain[position + 1 :])
        ):
            head.title = text  # a line in capitals above a name is an office ("MILITÄRKOMMANDANT")
            continue
        if _POSTAL_NOTE.search(text):
            head.notes.append(text)
        elif split:
            head.title = head.title or split[0] or None
            head.name = split[1]
        elif (
            head.name is None
            and head.address
            and _looks_like_name(text)
            and not any(any(c.isdigit() for c in x.text) for _, x in head.address)
        ):
            # Lines above the name that hold no number are its title ("GENERALSTAATSANWALT").
            head.title = head.title or ", ".join(x.text for _, x in head.address)
            head.address = []
            _, text = _strip_prefix(text, COURTESY)
            head.rank, text = _strip_prefix(text, RANKS)
            head.office, text = _strip_prefix(text, OFFICES)
            head.name = strip_titles(text)
        elif head.name is None and head.title is None and is_office_line(text):
            head.title = text
        elif (
            head.name is None
            and head.title is None
            and position + 1 < len(plain)
            and _has_honorific(plain[position + 1][1].text)
            and not _has_honorific(text)
        ):
            head.title = text  # the line above "Lic. Eduardo Muestra Mora" is his office
        elif head.name is None and not head.address and _looks_like_name(text):
            _, text = _strip_prefix(text, COURTESY)
            head.rank, text = _strip_prefix(text, RANKS)
            head.office, text = _strip_prefix(text, OFFICES)
            head.name = strip_titles(text)
        elif head.title is None and not head.address and is_office_line(text):
            head.title = text
        else:
            head.address.append((index, line))
    if head.title is None and head.office:
        head.title = head.office
        if head.address and _is_institution(head.address[0][1].text):
            head.title += ", " + head.address[0][1].text
    return head


def _address(lines: list[tuple[int, Line]]) -> str | None:
    """Lines of one paragraph keep their breaks; separate paragraphs are joined with ", "."""
    blocks: dict[int, list[str]] = {}
    for index, line in lines:
        blocks.setdefault(index, []).append(line.text.rstrip(","))
    return ", ".join("\n".join(block) for block in blocks.values()) or None


def _addressee_words(salutation: str) -> set[str]:
    first = salutation.split("/", maxsplit=1)[0]
    return {w for w in _words(first) if w not in _SALUTATION_FILLER}


def addresses_several(salutation: str) -> bool:
    """Whether a salutation names more than one addressee ("Dear Minister and Governor")."""
    words = _words(salutation.split("/", maxsplit=1)[0].replace("&", " and "))
    return any(w in _SEVERAL_WORDS for w in words)


def fits(salutation: str, target: Target) -> bool:
    """Whether a salutation addresses this target's office ("Dear Minister" ↔ a minister)."""
    office = set(_words(" ".join(filter(None, (target.title, target.rank)))))
    return bool(_addressee_words(salutation) & office)


def read_targets(
    lines: list[Line],
) -> tuple[list[Target], list[tuple[int, str]], list[ParseWarning]]:
    """Targets in order, the salutations that apply to all of them, and warnings."""
    drafts = _drafts(lines)
    targets: list[Target] = []
    own: list[tuple[int, str] | None] = []
    alone = False
    warnings: list[ParseWarning] = []
    for draft in drafts:
        head = _header(draft.plain)
        first_line = draft.plain[0][1].number if draft.plain else 0
        if head.name is None and head.title is None:
            warnings.append(ParseWarning(first_line, "targets", "target has no name or title"))
        targets.append(
            Target(
                name=head.name,
                title=head.title,
                postal_address=_address(head.address),
                postal_note=" ".join(head.notes) or None,
                rank=head.rank,
                emails=tuple(draft.emails),
                phones=tuple(draft.phones),
                faxes=tuple(draft.faxes),
                social=draft.social,
            )
        )
        own.append(draft.salutation)
        alone = draft.salutation_alone
    shared: list[tuple[int, str]] = []
    # A salutation standing alone after the last target is that target's own only if it fits
    # that target and not every target ("Dear Ambassador"); otherwise it is for all of them.
    # Without blank lines (text from a PDF) nothing stands alone: there the last salutation is
    # shared when it addresses several people ("Dear Minister and Governor", "Excellencies")
    # and no other target has one of its own.
    if len(targets) > 1 and own[-1] is not None:
        fitting = [i for i, t in enumerate(targets) if fits(own[-1][1], t)]
        several = addresses_several(own[-1][1]) and not any(own[:-1])
        if several or (alone and (len(targets) - 1 not in fitting or len(fitting) == len(targets))):
            shared.append(own[-1])
            own[-1] = None
    with_own = [_with_salutation(t, s[1]) if s else t for t, s in zip(targets, own, strict=True)]
    return with_own, shared, warnings


def _with_salutation(target: Target, salutation: str) -> Target:
    return Target(
        name=target.name,
        title=target.title,
        salutation=salutation,
        postal_address=target.postal_address,
        postal_note=target.postal_note,
        rank=target.rank,
        emails=target.emails,
        phones=target.phones,
        faxes=target.faxes,
        social=target.social,
    )


def give_salutations(
    targets: list[Target], shared: list[tuple[int, str]], opening: tuple[int, str] | None
) -> tuple[list[Target], list[ParseWarning]]:
    """Fill missing salutations: from a shared salutation, then from the letter's opening."""
    warnings: list[ParseWarning] = []
    result = list(targets)
    for _, salutation in shared:
        result = [t if t.salutation else _with_salutation(t, salutation) for t in result]
    if opening is not None:
        line, salutation = opening
        missing = [i for i, t in enumerate(result) if not t.salutation]
        fitting = [i for i in missing if fits(salutation, result[i])] or missing
        for i in fitting:
            who = result[i].name or result[i].title
            warnings.append(ParseWarning(line, "salutation", f"taken from the letter for {who}"))
            result[i] = _with_salutation(result[i], salutation)
    for target in result:
        if not target.salutation:
            warnings.append(ParseWarning(0, "salutation", f"no salutation for {target.name}"))
    return result, warnings
