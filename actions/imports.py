"""Importing actions from UA documents and structured files: one file, one transaction.

A first document creates the case; re-importing the same content changes nothing; a later document of
the case (a further UA) adds to it: a later deadline is an extension (and reopens a closed action), new
targets join the old ones, the tally continues.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, col, select

from actions import store
from actions.deadlines import DateWindow
from actions.document import DocumentError, ParsedDocument, parse_document
from actions.document.reader import read_document
from actions.errors import InvalidInputError
from actions.models import Action, ActionStatus, Event
from actions.specs import ActionSpec, SubjectSpec, TargetSpec
from actions.structured import SUFFIXES as STRUCTURED_SUFFIXES
from actions.structured import load_action_file
from actions.views import action_detail
from config.validation import invalid

IMPORT_MAX_BYTES = 5_000_000
"""The ``import_max_bytes`` setting's default: a UA document is some kilobytes, a PDF some hundred."""
DOCUMENT_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".pdf")
_COMPARED_OUT = ("history", "created_at", "closed_at")


@dataclass
class Loaded:
    """A file read and understood, not yet applied."""

    source: str
    spec: ActionSpec
    sha256: str
    warnings: list[str] = field(default_factory=list)
    stop_notice: str | None = None  # "No further action is requested ...": the action ends
    dated: bool = True  # the document printed a date the action can end on


@dataclass
class ImportResult:
    source: str
    ua: str
    status: str
    created: bool
    changes: dict[str, dict[str, Any]]
    warnings: list[str]
    action: dict[str, Any] | None = None  # a new action as ``actions show --json`` gives it

    def to_json(self, *, with_action: bool = False) -> dict[str, Any]:
        """The result for ``actions import --json``; a dry run adds the new action it read."""
        out = {
            "file": self.source,
            "ok": True,
            "ua": self.ua,
            "status": self.status,
            "created": self.created,
            "changes": self.changes,
            "warnings": self.warnings,
        }
        if with_action and self.action is not None:
            out["action"] = self.action
        return out


def load(path: Path, *, max_bytes: int = IMPORT_MAX_BYTES) -> Loaded:
    """Read a UA document (.txt, .md, .pdf) or a structured action file (.toml, .yaml).

    A file over ``max_bytes``, or anything but a regular file (a device such as ``/dev/zero``, a
    pipe), is refused before a byte of it is read.
    """
    suffix = path.suffix.lower()
    content = _read_at_most(path, max_bytes)
    digest = hashlib.sha256(content).hexdigest()
    if suffix in STRUCTURED_SUFFIXES:
        return Loaded(str(path), load_action_file(path, content), digest)
    if suffix not in DOCUMENT_SUFFIXES:
        known = ", ".join((*DOCUMENT_SUFFIXES, *STRUCTURED_SUFFIXES))
        raise InvalidInputError("file", f"'{suffix or path.name}' is not one of {known}", source=str(path))
    try:
        doc = (
            read_document(path, content)
            if suffix == ".pdf"
            else parse_document(_text(path, content), path.name)
        )
    except DocumentError as exc:
        message = f"{exc.message}; to finish what was read by hand: {draft_command(path)}"
        raise InvalidInputError(exc.field, message, source=_where(path, exc.line)) from None
    warnings = [f"line {w.line}: {w.field}: {w.message}" for w in doc.warnings]
    spec = spec_from_document(doc, str(path), warnings)
    dated = doc.deadline is not None or doc.issue_date is not None
    return Loaded(str(path), spec, digest, warnings, doc.stop_notice_text, dated)


def _read_at_most(path: Path, max_bytes: int) -> bytes:
    def refuse(problem: str) -> InvalidInputError:
        return InvalidInputError("file", problem, source=str(path))

    too_big = f"larger than import_max_bytes ({max_bytes:,} bytes): refused"
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            raise refuse("not a regular file (a device, a pipe or a folder): refused")
        # O_NONBLOCK: a pipe swapped in since the check must not make the open wait for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                raise refuse("not a regular file (a device, a pipe or a folder): refused")
            if opened.st_size > max_bytes:
                raise refuse(too_big)
            content = handle.read(max_bytes + 1)
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror}") from None
    if len(content) > max_bytes:  # it grew while being read
        raise refuse(too_big)
    return content


def read_bytes(path: Path, *, max_bytes: int = IMPORT_MAX_BYTES) -> bytes:
    """A file's bytes, refused (before reading) over ``max_bytes`` or when not a regular file."""
    return _read_at_most(path, max_bytes)


def draft_command(path: Path) -> str:
    """The command that writes a document's draft action file."""
    return f"ua-scheduler actions import {path} --draft"


def _text(path: Path, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInputError("file", "not UTF-8 text", source=str(path)) from None


def _where(path: Path, line: int | None) -> str:
    return f"{path}:{line}" if line else str(path)


def spec_from_document(doc: ParsedDocument, source: str, warnings: list[str]) -> ActionSpec:
    """The action a document describes. Missing pieces become warnings, not guesses."""
    targets = []
    for number, target in enumerate(doc.targets, start=1):
        name = target.name or target.title
        if name is None:
            warnings.append(f"targets: target {number} has neither name nor title: left out")
            continue
        targets.append(
            TargetSpec(
                name=name,
                title=target.title if target.name else None,
                rank=target.rank,
                salutation=target.salutation,
                postal_address=target.postal_address,
                postal_note=target.postal_note,
                emails=list(target.emails),
                phones=list(target.phones),
                faxes=list(target.faxes),
                social=dict(target.social),
            )
        )
    if not targets:
        warnings.append("targets: no target found: supporters will not know whom to write to")
    title = doc.title
    if not title:
        title = f"Urgent Action {doc.ua}"
        warnings.append(f"title: no title found: using '{title}'")
    subjects = [SubjectSpec(name=s.name, pronouns=s.pronouns) for s in doc.subjects]
    try:
        return ActionSpec(
            ua=doc.ua,
            is_update=doc.is_update,
            update_ordinal=doc.update_ordinal,
            index_number=doc.index_number,
            title=title,
            # A stop notice may print no deadline: its own date (or the day it is read) ends it.
            deadline=doc.deadline or doc.issue_date or date.min,
            deadline_text=doc.deadline_text,
            subject=", ".join(s.name for s in doc.subjects) or None,
            subjects=subjects,
            country=doc.country,
            preferred_languages=list(doc.preferred_languages),
            sample_letter=doc.sample_letter,
            additional_information=doc.additional_information,
            late_reports_welcome=doc.late_reports_welcome,
            targets=targets,
        )
    except ValidationError as exc:
        found = invalid(exc.errors(include_url=False, include_input=False), source=source)
        raise InvalidInputError(found.field, found.problem, source=source) from None


def apply(
    session: Session,
    loaded: Loaded,
    *,
    now: datetime,
    default_timezone: str,
    default_offsets: Sequence[timedelta],
    window: DateWindow | None = None,
) -> ImportResult:
    """Create or update the action; the caller commits (or rolls back for a dry run)."""
    window = window or DateWindow.around(now)
    spec, warnings = loaded.spec, list(loaded.warnings)
    if not loaded.dated:
        spec = spec.model_copy(update={"deadline": now.date()})
    existing = session.exec(select(Action).where(Action.ua == spec.ua)).first()
    if existing is not None and _imported_before(session, existing, loaded.sha256):
        return ImportResult(loaded.source, existing.ua, existing.status.value, False, {}, warnings)
    before = _comparable(session, existing) if existing is not None else None
    if loaded.stop_notice is not None:
        action = _apply_stop_notice(
            session,
            existing,
            loaded,
            spec,
            now=now,
            default_timezone=default_timezone,
            default_offsets=default_offsets,
        )
        warnings.append(f"stop notice: {loaded.stop_notice!r}: the action is closed")
        if existing is None:
            warnings.append(f"ua: no earlier document of UA {spec.ua} was imported: recorded as closed")
    elif existing is None:
        action = store.create_action(
            session,
            spec,
            now=now,
            default_timezone=default_timezone,
            default_offsets=default_offsets,
            window=window,
        )
        if action.status is ActionStatus.CLOSED:
            warnings.append(
                f"deadline: {_day(spec.deadline)} has passed: imported as closed (no reminders, no tally)"
            )
        if spec.is_update:
            warnings.append(f"ua: no earlier document of UA {spec.ua} was imported: created from this update")
    elif spec.is_update:
        action = existing
        _apply_update(
            session,
            action,
            spec,
            now=now,
            default_offsets=default_offsets,
            source=loaded.source,
            warnings=warnings,
            window=window,
        )
    else:
        action, _ = store.update_action(
            session,
            spec,
            now=now,
            default_timezone=default_timezone,
            default_offsets=default_offsets,
            source=loaded.source,
            window=window,
        )
    session.flush()
    after = _comparable(session, action)
    changes = _diff(before, after)
    store.record(
        session,
        action,
        now,
        "imported",
        source=Path(loaded.source).name,
        sha256=loaded.sha256,
        index_number=spec.index_number,
        update_ordinal=spec.update_ordinal,
        changed=sorted(changes),
    )
    detail = action_detail(session, action) if existing is None else None
    return ImportResult(
        loaded.source, action.ua, action.status.value, existing is None, changes, warnings, detail
    )


def _apply_stop_notice(
    session: Session,
    existing: Action | None,
    loaded: Loaded,
    spec: ActionSpec,
    *,
    now: datetime,
    default_timezone: str,
    default_offsets: Sequence[timedelta],
) -> Action:
    """A notice that no further action is requested closes the action (created closed if new)."""
    action = existing
    if action is None:
        action = store.create_action(
            session, spec, now=now, default_timezone=default_timezone, default_offsets=default_offsets
        )
    else:
        store.add_targets(session, action, spec.targets)
        action.update_ordinal = spec.update_ordinal or action.update_ordinal
        action.index_number = spec.index_number or action.index_number
    if action.status is ActionStatus.OPEN:
        store.close_action(session, action, now=now, reason=f"stop notice {Path(loaded.source).name}")
    return action


def _apply_update(
    session: Session,
    action: Action,
    spec: ActionSpec,
    *,
    now: datetime,
    default_offsets: Sequence[timedelta],
    source: str,
    warnings: list[str],
    window: DateWindow,
) -> None:
    if spec.update_ordinal and action.update_ordinal and spec.update_ordinal < action.update_ordinal:
        warnings.append(
            f"update_ordinal: update {spec.update_ordinal} is older than update {action.update_ordinal}"
            " already imported: nothing changed"
        )
        return
    action.update_ordinal = spec.update_ordinal or action.update_ordinal
    action.index_number = spec.index_number or action.index_number
    action.late_reports_welcome = spec.late_reports_welcome
    for name in ("preferred_languages", "sample_letter", "additional_information", "country"):
        value = getattr(spec, name)
        if value:
            setattr(action, name, value)
    known = {s.get("name") for s in action.subjects}
    action.subjects = [*action.subjects, *(s.model_dump() for s in spec.subjects if s.name not in known)]
    store.add_targets(session, action, spec.targets)
    deadline = store.resolve_deadline(spec.deadline, spec.timezone or action.timezone, window)
    if deadline.at < action.deadline:
        warnings.append(f"deadline: {_day(spec.deadline)} is earlier than the deadline in force: not applied")
    elif deadline.at > action.deadline:
        if deadline.at <= now:
            warnings.append(f"deadline: {_day(spec.deadline)} has passed: not applied")
        else:
            if action.status is ActionStatus.CLOSED:
                store.reopen_action(session, action, now=now, reason=f"update {Path(source).name}")
            store.extend_deadline(
                session,
                action,
                deadline,
                now=now,
                offsets=store.offsets_for(action, default_offsets),
                source=Path(source).name,
            )
            action.deadline_text = spec.deadline_text or action.deadline_text
    action.updated_at = now


def _imported_before(session: Session, action: Action, sha256: str) -> bool:
    details = session.exec(
        select(Event.detail).where(Event.action_id == action.id).where(col(Event.kind) == "imported")
    ).all()
    return any(detail.get("sha256") == sha256 for detail in details)


def _comparable(session: Session, action: Action) -> dict[str, Any]:
    detail = action_detail(session, action)
    return {k: v for k, v in detail.items() if k not in _COMPARED_OUT}


def _diff(before: dict[str, Any] | None, after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    if before is None:
        return {}
    return {
        key: {"old": before.get(key), "new": value}
        for key, value in after.items()
        if before.get(key) != value
    }


def _day(value: date | datetime | str) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)
