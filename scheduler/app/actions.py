"""Uses on actions: create, import, list, show, extend, close, cancel."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from actions import store, views
from actions.clock import Clock
from actions.deadlines import DateWindow
from actions.errors import InvalidInputError
from actions.models import Action, ActionStatus
from actions.specs import ActionSpec
from config.errors import Conflict, UaSchedulerError
from config.settings import Settings

if TYPE_CHECKING:
    from actions.imports import ImportResult
from jobs.channels import ChannelSource

STATUSES = ("open", "closed", "cancelled", "all")


class _Defaults(TypedDict):
    default_timezone: str
    default_offsets: Sequence[timedelta]
    window: DateWindow


def _defaults(settings: Settings, now: datetime) -> _Defaults:
    """What an action takes from the settings when its file or command does not say."""
    return {
        "default_timezone": settings.timezone,
        "default_offsets": settings.reminders,
        "window": DateWindow.of(settings, now),
    }


def create(session: Session, spec: ActionSpec, *, clock: Clock, settings: Settings) -> Action:
    """Add an action with its targets and reminders; ``Conflict`` if its UA exists."""
    now = clock.now()
    action = store.create_action(session, spec, now=now, **_defaults(settings, now))
    try:
        session.commit()
    except IntegrityError:  # the same UA raced in from another request
        session.rollback()
        raise Conflict(f"UA {spec.ua} already exists: use `actions extend` or import its update") from None
    return action


def listed(session: Session, status: str = "open") -> list[dict[str, Any]]:
    """Actions in ``status`` (``open``, ``closed``, ``cancelled`` or ``all``), soonest deadline first."""
    if status not in STATUSES:
        raise InvalidInputError("status", f"{status!r} is not one of {', '.join(STATUSES)}")
    rows = store.list_actions(session, None if status == "all" else ActionStatus(status))
    return [views.action_summary(a) for a in rows]


def detail(session: Session, ua: str) -> dict[str, Any]:
    """One action in full: targets, reminders and history."""
    return views.action_detail(session, store.get_action(session, ua))


def extend(
    session: Session, ua: str, deadline: str, *, clock: Clock, settings: Settings, source: str
) -> Action:
    """Move the deadline later; only reminders not sent yet are re-armed."""
    now = clock.now()
    action = store.get_action(session, ua)
    store.extend_later(
        session,
        action,
        deadline,
        now=now,
        default_offsets=settings.reminders,
        source=source,
        window=DateWindow.of(settings, now),
    )
    session.commit()
    return action


def close(session: Session, ua: str, *, clock: Clock, settings: Settings, channels: ChannelSource) -> Action:
    """Close before the deadline: the final tally is stored and queued to the report channels at once."""
    from jobs import close as closing  # noqa: PLC0415  (the report stack loads only to close)
    from jobs.due import enqueue_final_tally  # noqa: PLC0415

    now = clock.now()
    action = store.get_action(session, ua)
    store.close_action(session, action, now=now, reason="closed by staff")
    closing.store_final_tally(session, action, now)
    session.flush()
    enqueue_final_tally(session, action, now, report_tag=settings.report_tag, channels=channels(session))
    session.commit()
    return action


def cancel(session: Session, ua: str, *, clock: Clock) -> Action:
    """Cancel: no more reminders and no final tally."""
    action = store.get_action(session, ua)
    store.cancel_action(session, action, now=clock.now(), reason="cancelled by staff")
    session.commit()
    return action


@dataclass(frozen=True)
class ImportOutcome:
    """One file's result: ``result`` when it was imported (or would be), else ``error``."""

    file: str
    result: ImportResult | None = None
    error: str | None = None
    dry_run: bool = False

    def to_json(self) -> dict[str, Any]:
        """The result for ``actions import --json``; a dry run adds the action it read."""
        if self.result is not None:
            return self.result.to_json(with_action=self.dry_run)
        return {"file": self.file, "ok": False, "error": self.error}


def import_file(
    session: Session, path: Path, *, clock: Clock, settings: Settings, dry_run: bool = False
) -> ImportOutcome:
    """Create or update the action a file describes, whole or not at all; a dry run writes nothing."""
    from actions import imports  # noqa: PLC0415  (the document reader loads only to import)

    try:
        now = clock.now()
        loaded = imports.load(path, max_bytes=settings.import_max_bytes)
        result = imports.apply(session, loaded, now=now, **_defaults(settings, now))
        if dry_run:
            session.rollback()
        else:
            session.commit()
    except UaSchedulerError as exc:
        session.rollback()
        return ImportOutcome(str(path), error=str(exc).splitlines()[0])
    except IntegrityError:
        session.rollback()
        return ImportOutcome(
            str(path), error=f"{path}: changed by another import at the same time: run again"
        )
    return ImportOutcome(str(path), result=result, dry_run=dry_run)


def draft(path: Path, *, settings: Settings) -> dict[str, Any]:
    """Write what a document says to an action file beside it (never over one) to finish by hand.

    The result names the draft, the fields to check and those left as TODO, or the error.
    """
    from actions import drafts  # noqa: PLC0415
    from scheduler.files import write_private  # noqa: PLC0415

    try:
        made = drafts.build_draft(path, max_bytes=settings.import_max_bytes)
        write_private(made.path, made.text.encode(), field="draft")
    except UaSchedulerError as exc:
        return {"file": str(path), "ok": False, "error": str(exc).splitlines()[0]}
    return {"file": str(path), "ok": True, "draft": str(made.path), "check": made.check, "todo": made.todo}
