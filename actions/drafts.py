"""Draft action files: what a UA document says, written as an action file for staff to finish.

When the reader cannot import a document (no UA number, no deadline) or staff want to check it
first, ``ua-scheduler actions import FILE --draft`` writes ``FILE.draft.yaml``: an action file in
the documented schema holding everything that was read. Each field the reader was unsure of has a
``# check:`` comment above it saying why; each required field it could not read is ``TODO``. An
action file that still holds a ``TODO`` is refused on import, naming the field and its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from actions.document import DocumentError, ParsedDocument, ParseWarning
from actions.document.reader import read_document
from actions.errors import InvalidInputError
from actions.imports import IMPORT_MAX_BYTES, read_bytes
from actions.structured import TODO

DRAFT_SUFFIX = ".draft.yaml"
# Reader warnings name the part of the document; the draft names the action file's field.
_FIELD_OF_WARNING = {
    "ua": "ua",
    "deadline": "deadline",
    "title": "title",
    "country": "country",
    "subjects": "subjects",
    "targets": "targets",
    "salutation": "targets",
    "preferred_languages": "preferred_languages",
}
_HELP = {
    "ua": "the UA number, such as 61.20 or UA 219/06",
    "title": "a short title",
    "deadline": "the date of the deadline, such as 2020-06-03",
    "targets": "each target: name, title, salutation, emails, phones, faxes, postal_address",
}


@dataclass
class Draft:
    """A draft action file, not yet written."""

    source: Path
    path: Path
    text: str
    check: dict[str, list[str]] = field(default_factory=dict)  # field → why to check it
    todo: list[str] = field(default_factory=list)  # required fields left as TODO


def draft_path(document: Path) -> Path:
    """Where the draft of ``document`` goes: beside it, ``NAME.draft.yaml``."""
    return document.with_name(document.stem + DRAFT_SUFFIX)


class _Dumper(yaml.SafeDumper):
    """Block scalars for text of several lines (a letter reads as a letter)."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _fields(doc: ParsedDocument) -> dict[str, Any]:
    """The action file's fields, in the README's order; None for what is missing."""
    targets = [
        {
            key: value
            for key, value in {
                "name": t.name or t.title,
                "title": t.title if t.name else None,
                "rank": t.rank,
                "salutation": t.salutation,
                "postal_address": t.postal_address,
                "postal_note": t.postal_note,
                "emails": list(t.emails),
                "phones": list(t.phones),
                "faxes": list(t.faxes),
                "social": dict(t.social),
            }.items()
            if value not in (None, [], {})
        }
        for t in doc.targets
        if t.name or t.title
    ]
    return {
        "ua": doc.ua or None,
        "title": doc.title,
        "deadline": doc.deadline or (doc.issue_date if doc.stop_notice else None),
        "deadline_text": doc.deadline_text,
        "is_update": doc.is_update,
        "update_ordinal": doc.update_ordinal,
        "index_number": doc.index_number,
        "country": doc.country,
        "subjects": [{"name": s.name, "pronouns": s.pronouns} for s in doc.subjects],
        "preferred_languages": list(doc.preferred_languages),
        "late_reports_welcome": doc.late_reports_welcome,
        "targets": targets or None,
        "sample_letter": doc.sample_letter,
        "additional_information": doc.additional_information,
    }


def _checks(warnings: tuple[ParseWarning, ...]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for warning in warnings:
        name = _FIELD_OF_WARNING.get(warning.field, warning.field)
        where = f"line {warning.line}: " if warning.line else ""
        found.setdefault(name, []).append(f"{where}{warning.message}")
    return found


def render(doc: ParsedDocument, source: Path) -> tuple[str, dict[str, list[str]], list[str]]:
    """The draft's YAML text, the fields to check and the fields left TODO."""
    fields = _fields(doc)
    checks = _checks(doc.warnings)
    todo = [name for name in ("ua", "title", "deadline", "targets") if fields[name] is None]
    lines = [
        f"# Action file drafted from {source.name}. Check each field marked 'check', fill in every",
        f"# {TODO}, then import this file: ua-scheduler actions import {draft_path(source).name}",
    ]
    if doc.stop_notice:
        lines.append(f"# The document is a stop notice: {doc.stop_notice_text}")
    for name, read in fields.items():
        if read is None and name not in todo:
            continue
        value = read
        lines.extend(f"# check: {note}" for note in checks.get(name, []) if name not in todo)
        if name in todo:
            reason = "; ".join(checks.get(name, [])) or "not found in the document"
            lines.append(f"# {TODO}: {reason}: give {_HELP[name]}")
            value = [{"name": TODO}] if name == "targets" else TODO
        dumped = yaml.dump({name: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
        lines.append(dumped.rstrip("\n"))
    return "\n".join(lines) + "\n", {k: v for k, v in checks.items() if k not in todo}, todo


def build_draft(document: Path, *, max_bytes: int = IMPORT_MAX_BYTES) -> Draft:
    """Read ``document`` leniently and make its draft; a draft already there is never replaced."""
    target = draft_path(document)
    if target.exists():
        raise InvalidInputError(
            "draft",
            f"{target} already exists: edit it and import it, or remove it first",
            source=str(document),
        )
    try:
        doc = read_document(document, read_bytes(document, max_bytes=max_bytes), lenient=True)
    except DocumentError as exc:
        raise InvalidInputError(exc.field, exc.message, source=str(document)) from None
    text, checks, todo = render(doc, document)
    return Draft(document, target, text, checks, todo)
