"""The tally of an action in each form (once closed: the archived final one, late and held reports
apart; provisional before), its archived revisions, and running totals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from actions import counters, store, views
from actions import tally as tallies
from actions.clock import Clock
from actions.deadlines import local_text
from actions.models import ActionStatus
from jobs.formats import MEDIA_TYPES, TallyFormat
from jobs.report import render_bytes


@dataclass(frozen=True)
class RenderedTally:
    ua: str
    fmt: TallyFormat
    content: bytes

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.fmt]

    @property
    def filename(self) -> str:
        suffix = "txt" if self.fmt == "letter" else self.fmt
        return f"ua-{self.ua}-tally.{suffix}"


@dataclass(frozen=True)
class Verified:
    """``differences`` between the running totals (``kept``) and a recount; empty when they agree."""

    ua: str
    kept: counters.Running
    differences: list[str]


def tally(
    session: Session,
    ua: str,
    *,
    clock: Clock,
    fmt: TallyFormat = "json",
    language: str | None = None,
    revision: int | None = None,
) -> RenderedTally:
    """The tally every reader shows, in ``fmt``: once closed the archived final one with its
    addendum, else counted now; with ``revision``, that archived final tally (1: the first close).
    Letters in ``language`` (default: the action's)."""
    action = store.get_action(session, ua)
    if revision is not None:
        chosen = tallies.archived_tally(session, action, revision)
    else:
        chosen = tallies.current_tally(session, action, now=clock.now())
    return RenderedTally(action.ua, fmt, render_bytes(chosen, fmt, language=language))


def history(session: Session, ua: str) -> list[dict[str, Any]]:
    """Every archived final tally of the action: revision, time, total, hash, superseded or not."""
    return tallies.history(session, store.get_action(session, ua))


def verify(session: Session, ua: str) -> Verified:
    """Recount every report of the action and compare with its running totals."""
    action = store.get_action(session, ua)
    assert action.id is not None
    kept = counters.running(session, action.id)
    return Verified(action.ua, kept, kept.differences(counters.recount(session, action.id)))


def running_totals(session: Session) -> list[dict[str, Any]]:
    """Each open action with its total so far (its running counters), for the dashboard."""
    found = store.list_actions(session, ActionStatus.OPEN)
    totals = counters.running_many(session, [a.id for a in found if a.id is not None])
    rows = []
    for action in found:
        assert action.id is not None
        counted = totals[action.id]
        rows.append(
            {
                "ua": action.ua,
                "title": action.title,
                "deadline": views.iso(action.deadline),
                "deadline_local": local_text(action.deadline, action.timezone),
                "total": counted.total,
                "late": counted.late,
                "reports": counted.reports,
                "by_kind": {kind: n for kind, n in counted.by_kind.items() if n},
            }
        )
    return rows
