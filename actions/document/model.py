"""The parsed form of an Urgent Action document."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A field the reader filled in but is not sure of (or had to leave empty)."""

    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.message}"


@dataclass(frozen=True, slots=True)
class Subject:
    name: str
    pronouns: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "pronouns": self.pronouns}


@dataclass(frozen=True, slots=True)
class Target:
    name: str | None
    title: str | None
    salutation: str | None = None
    postal_address: str | None = None
    postal_note: str | None = None
    rank: str | None = None
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    faxes: tuple[str, ...] = ()
    social: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The expected.json shape; ``postal_note`` and ``rank`` appear only when present."""
        out: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "salutation": self.salutation,
            "postal_address": self.postal_address,
            "emails": list(self.emails),
            "phones": list(self.phones),
            "faxes": list(self.faxes),
            "social": dict(self.social),
        }
        if self.postal_note is not None:
            out["postal_note"] = self.postal_note
        if self.rank is not None:
            out["rank"] = self.rank
        return out


@dataclass(frozen=True, slots=True)
class ParsedDocument:
    """One Urgent Action document as read.

    ``ua`` is the case key shared by every document of one case ("61.20", "60.16");
    ``ua_number`` is the number as printed ("60/16") and ``index_number`` the document's own
    identifier ("AMR 37/6674/2017"). A stop notice ("No further action is requested") may carry
    no deadline: ``deadline`` is None only then.
    """

    source: str
    ua: str
    ua_number: str
    ua_number_as_printed: str
    is_update: bool
    update_ordinal: int | None
    index_number: str | None
    issue_date: dt.date | None
    title: str | None
    country: str | None
    subjects: tuple[Subject, ...]
    deadline: dt.date | None
    deadline_text: str | None
    late_reports_welcome: bool
    preferred_languages: tuple[str, ...]
    preferred_languages_text: str | None
    targets: tuple[Target, ...]
    sample_letter: str | None
    additional_information: str | None
    previous_ua_link: str | None
    warnings: tuple[ParseWarning, ...] = ()
    stop_notice: bool = False
    stop_notice_text: str | None = None

    @property
    def updates_ua(self) -> str | None:
        """The UA number this document updates, if it is an update."""
        return self.ua_number if self.is_update else None

    def to_expected_dict(self) -> dict[str, Any]:
        """The shape of the ``*.expected.json`` files (dates as ISO strings, lists not tuples)."""
        return {
            "ua": self.ua,
            "ua_number": self.ua_number,
            "ua_number_as_printed": self.ua_number_as_printed,
            "is_update": self.is_update,
            "updates_ua": self.updates_ua,
            "update_ordinal": self.update_ordinal,
            "index_number": self.index_number,
            "issue_date": self.issue_date.isoformat() if self.issue_date else None,
            "title": self.title,
            "country": self.country,
            "subjects": [s.to_dict() for s in self.subjects],
            "subject_names": [s.name for s in self.subjects],
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "deadline_text": self.deadline_text,
            "late_reports_welcome": self.late_reports_welcome,
            "preferred_languages": list(self.preferred_languages),
            "preferred_languages_text": self.preferred_languages_text,
            "targets": [t.to_dict() for t in self.targets],
            "sample_letter": self.sample_letter,
            "additional_information": self.additional_information,
            "previous_ua_link": self.previous_ua_link,
            "stop_notice": self.stop_notice,
            "target_names": [t.name for t in self.targets],
            "target_salutations": [t.salutation for t in self.targets],
            "target_emails": [list(t.emails) for t in self.targets],
        }
