"""What staff give to create or change an action, validated before anything is written."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from actions.languages import by_language
from config.durations import parse_duration
from config.names import tag_set
from config.settings import ACTION_KINDS

UA_PATTERN = r"^\s*(?:[Uu][Aa]\s*:?\s*)?(\d{1,4})\s*[./]\s*(\d{2})\s*$"
"""A UA number as people write it (``61.20``, ``UA 61/20``, ``ua:61.20``): for checking and for schemas."""
UA_KEY_PATTERN = r"^\d{1,4}[.]\d{2}$"
"""A UA number in a URL path: the case key's form, ``61.20``."""
_UA = re.compile(UA_PATTERN)
MAX_COUNT = 100_000
"""The most actions of one kind a single report may claim; larger figures are typing errors or abuse."""


def normalise_ua(text: str) -> str:
    """``UA 61/20``, ``61.20`` and ``ua:61.20`` are all the case ``61.20``."""
    match = _UA.fullmatch(text)
    if not match:
        raise ValueError(f"{text!r} is not a UA number such as 61.20 or 219/06")
    return f"{int(match[1])}.{match[2]}"


def _offsets(value: object) -> object:
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ValueError("give offsets such as ['7d', '3d'] or '7d,3d'")  # noqa: TRY004
    return sorted({i if isinstance(i, timedelta) else parse_duration(str(i)) for i in items}, reverse=True)


def _strings(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    return value


StringList = Annotated[list[str], BeforeValidator(_strings)]


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    title: str | None = None
    rank: str | None = None
    salutation: str | None = None
    salutations: dict[str, str] = Field(default_factory=dict)
    postal_address: str | None = None
    postal_note: str | None = None
    emails: StringList = Field(default_factory=list)
    phones: StringList = Field(default_factory=list)
    faxes: StringList = Field(default_factory=list)
    social: dict[str, str] = Field(default_factory=dict)

    @field_validator("salutations")
    @classmethod
    def _languages(cls, value: dict[str, str]) -> dict[str, str]:
        return by_language(value)


class SubjectSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=300)
    pronouns: str | None = None


class ActionSpec(BaseModel):
    """An action as the CLI, a structured TOML/YAML file or a UA document states it.

    ``is_update`` marks a later document of the same case (a further UA): it adds to the action
    (new targets, a later deadline) rather than replacing what is there.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ua: str
    is_update: bool = False
    update_ordinal: int | None = Field(default=None, ge=1, le=99)
    index_number: str | None = None
    title: str = Field(min_length=1, max_length=500)
    title_i18n: dict[str, str] = Field(default_factory=dict)
    deadline: date | datetime | str
    deadline_text: str | None = None
    timezone: str | None = None
    subject: str | None = None
    subjects: list[SubjectSpec] = Field(default_factory=list)
    country: str | None = None
    preferred_languages: StringList = Field(default_factory=list)
    sample_letter: str | None = None
    additional_information: str | None = None
    tags: StringList = Field(default_factory=list)
    reminders: Annotated[list[timedelta] | None, BeforeValidator(_offsets)] = None
    late_reports_welcome: bool = True
    targets: list[TargetSpec] = Field(default_factory=list)

    @field_validator("ua")
    @classmethod
    def _ua(cls, value: str) -> str:
        return normalise_ua(value)

    @field_validator("title_i18n")
    @classmethod
    def _titles(cls, value: dict[str, str]) -> dict[str, str]:
        return by_language(value)

    @field_validator("tags")
    @classmethod
    def _tags(cls, value: list[str]) -> list[str]:
        return tag_set(value)


class ReportCounts(BaseModel):
    """Actions one supporter (or one section's batch) reports, by kind."""

    model_config = ConfigDict(extra="forbid")

    letter: int = Field(default=0, ge=0, le=MAX_COUNT)
    email: int = Field(default=0, ge=0, le=MAX_COUNT)
    fax: int = Field(default=0, ge=0, le=MAX_COUNT)
    call: int = Field(default=0, ge=0, le=MAX_COUNT)
    post: int = Field(default=0, ge=0, le=MAX_COUNT)
    other: int = Field(default=0, ge=0, le=MAX_COUNT)

    def total(self) -> int:
        return sum(getattr(self, kind) for kind in ACTION_KINDS)

    def largest(self) -> int:
        """The most claimed of any one kind (what review holds a report for)."""
        return max(int(getattr(self, kind)) for kind in ACTION_KINDS)
