"""Recording a supporter's report: the one write path of every door (web form, JSON, CSV, CLI).

The report door is the busiest writer, so a report costs one guarded insert and one counter
upsert in one transaction:

- the action is looked up once and kept (``ActionCache``); the insert itself re-checks the row it
  was decided on (``INSERT … SELECT … FROM action WHERE id, status, deadline, late_reports_welcome``
  are as cached), so a stale entry never writes: it is dropped and the report decided again;
- a retried request is recognised by the unique ``(action_id, idempotency_key)``: the insert does
  nothing (``ON CONFLICT DO NOTHING``) and the report stored first is answered;
- the running totals (``actions.counters``) change in the same transaction, merging one supporter's
  reports exactly as the tally does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, select
from sqlalchemy.engine import Connection, Engine

from actions import counters
from actions.errors import InvalidInputError, LifecycleError, NotFoundError
from actions.models import Action, ActionStatus, Report, Target
from actions.specs import ReportCounts, normalise_ua
from actions.upsert import insert_for
from config.settings import ACTION_KINDS

ACTION: Table = Action.__table__  # type: ignore[attr-defined]
REPORT: Table = Report.__table__  # type: ignore[attr-defined]
TARGET: Table = Target.__table__  # type: ignore[attr-defined]
ATTEMPTS = 3
"""Times a report is decided again when its action changed under it (an extension, a close)."""


class ReportRaceError(LifecycleError):
    """The action kept changing while a report was being stored: the request may be retried."""


@dataclass(frozen=True)
class ActionRef:
    """What deciding a report needs of its action; the insert checks these are still current."""

    id: int
    ua: str
    status: ActionStatus
    deadline: datetime
    late_reports_welcome: bool

    @classmethod
    def of(cls, action: Action) -> ActionRef:
        assert action.id is not None
        return cls(action.id, action.ua, action.status, action.deadline, action.late_reports_welcome)


@dataclass(frozen=True)
class Stored:
    """A report as stored (or as stored by an earlier request with the same idempotency key)."""

    id: int
    ua: str
    late: bool
    received_at: datetime
    new: bool
    held: bool = False


@dataclass(frozen=True)
class Draft:
    """A report as a door received it, before it is decided."""

    counts: ReportCounts
    country: str | None = None
    source: str = "cli"
    supporter_hash: str | None = None
    idempotency_key: str | None = None
    target: str | None = None
    held: bool = False


def is_late(ref: ActionRef | Action, now: datetime) -> bool:
    """A report received now counts apart from the total, as late: the action has ended, at its
    deadline or at an earlier close by staff."""
    return ref.status is ActionStatus.CLOSED or now >= ref.deadline


def _country(country: str | None, codes: frozenset[str]) -> str | None:
    if country is None:
        return None
    code = country.strip().upper()
    if code not in codes:
        raise InvalidInputError("country", f"{code!r} is not an ISO 3166 country code such as NL")
    return code


def decide(ref: ActionRef, draft: Draft, now: datetime, codes: frozenset[str]) -> tuple[bool, str | None]:
    """Whether the report is late, and its country code; ``InvalidInputError`` if it is refused."""
    if ref.status is ActionStatus.CANCELLED:
        raise InvalidInputError("ua", f"UA {ref.ua} was cancelled: reports are not taken")
    if draft.counts.total() == 0:
        raise InvalidInputError("counts", "report at least one action (for example --letters 1)")
    country = _country(draft.country, codes)
    late = is_late(ref, now)
    if late and not ref.late_reports_welcome:
        raise InvalidInputError(
            "received_at", f"UA {ref.ua} closed at its deadline and takes no late reports"
        )
    return late, country


def name_key(name: str) -> str:
    """A target's name as compared: case and spacing aside."""
    return " ".join(name.casefold().split())


def target_id(connection: Connection, ref: ActionRef, name: str) -> int:
    """The id of the action's target called ``name`` (case and spacing aside)."""
    rows = connection.execute(
        select(TARGET.c.id, TARGET.c.name).where(TARGET.c.action_id == ref.id).order_by(TARGET.c.position)
    ).all()
    for found_id, found_name in rows:
        if name_key(found_name) == name_key(name):
            return int(found_id)
    names = ", ".join(str(n) for _i, n in rows) or "none"
    raise InvalidInputError("target", f"UA {ref.ua} has no target {name!r} (its targets: {names})")


def earlier(connection: Connection, ref: ActionRef, key: str) -> Stored | None:
    """The report a request with this idempotency key stored before, if any."""
    row = connection.execute(
        select(REPORT.c.id, REPORT.c.late, REPORT.c.received_at, REPORT.c.held).where(
            REPORT.c.action_id == ref.id, REPORT.c.idempotency_key == key
        )
    ).first()
    if row is None:
        return None
    return Stored(int(row[0]), ref.ua, bool(row[1]), row[2], new=False, held=bool(row[3]))


def write(
    connection: Connection,
    ref: ActionRef,
    draft: Draft,
    *,
    now: datetime,
    late: bool,
    country: str | None,
    target: int | None,
) -> int | None:
    """Insert the report and count it, in the caller's transaction; its id, or None when nothing
    was written (and nothing counted): the idempotency key was used already, or the action is no
    longer as ``ref`` says."""
    values: dict[str, Any] = {
        "action_id": ref.id,
        "received_at": now,
        "late": late,
        "held": draft.held,
        "country": country,
        "source": draft.source,
        "supporter_hash": draft.supporter_hash,
        "idempotency_key": draft.idempotency_key,
        "target_id": target,
        **{kind: getattr(draft.counts, kind) for kind in ACTION_KINDS},
    }
    slot = (late, draft.held)
    counted = {kind: values[kind] for kind in ACTION_KINDS}
    if draft.supporter_hash is None:
        new_id = _guarded_insert(connection, ref, values)
        if new_id is not None:
            counters.count_new(connection, ref.id, slot, counted, supporter_hash=None, target_id=None)
        return new_id
    # Merging reads the supporter's earlier reports, so the counter row is taken first.
    added = counters.count_new(
        connection, ref.id, slot, counted, supporter_hash=draft.supporter_hash, target_id=target
    )
    new_id = _guarded_insert(connection, ref, values)
    if new_id is None:
        counters.add(connection, ref.id, {slot: counters.ZERO - added})
    return new_id


WRITTEN = (
    "action_id",
    "received_at",
    "late",
    "held",
    "country",
    "source",
    "supporter_hash",
    "idempotency_key",
    "target_id",
    *ACTION_KINDS,
)


@cache
def _guarded_insert_statement(dialect: str) -> Any:
    """``INSERT INTO report … SELECT :values FROM action WHERE`` the action is as decided on,
    ``ON CONFLICT DO NOTHING RETURNING id`` (built once per dialect)."""
    chosen = select(*(bindparam(n, type_=REPORT.c[n].type) for n in WRITTEN)).where(
        ACTION.c.id == bindparam("ref_id"),
        ACTION.c.status == bindparam("ref_status", type_=ACTION.c.status.type),
        ACTION.c.deadline == bindparam("ref_deadline", type_=ACTION.c.deadline.type),
        ACTION.c.late_reports_welcome == bindparam("ref_welcome", type_=ACTION.c.late_reports_welcome.type),
    )
    return (
        insert_for(dialect, REPORT)
        .from_select(list(WRITTEN), chosen)
        .on_conflict_do_nothing()
        .returning(REPORT.c.id)
    )


def _guarded_insert(connection: Connection, ref: ActionRef, values: Mapping[str, Any]) -> int | None:
    found = connection.execute(
        _guarded_insert_statement(connection.dialect.name),
        {
            **values,
            "ref_id": ref.id,
            "ref_status": ref.status,
            "ref_deadline": ref.deadline,
            "ref_welcome": ref.late_reports_welcome,
        },
    ).scalar()
    return None if found is None else int(found)


class ActionCache:
    """UA number → ``ActionRef``, shared by a process's request threads. Entries are never trusted
    for writing: the guarded insert re-checks them, and a mismatch drops the entry."""

    def __init__(self) -> None:
        self._refs: dict[str, ActionRef] = {}
        self._lock = threading.Lock()

    def get(self, connection: Connection, ua: str) -> ActionRef:
        try:
            key = normalise_ua(ua)
        except ValueError as exc:
            raise InvalidInputError("ua", str(exc)) from None
        found = self._refs.get(key)
        if found is not None:
            return found
        row = connection.execute(
            select(
                ACTION.c.id, ACTION.c.ua, ACTION.c.status, ACTION.c.deadline, ACTION.c.late_reports_welcome
            ).where(ACTION.c.ua == key)
        ).first()
        if row is None:
            raise NotFoundError(f"no action UA {key}: see `ua-scheduler actions list --status all`")
        ref = ActionRef(int(row[0]), str(row[1]), ActionStatus(row[2]), row[3], bool(row[4]))
        with self._lock:
            self._refs[key] = ref
        return ref

    def forget(self, ua: str) -> None:
        with self._lock:
            self._refs.pop(ua, None)


class ReportDoor:
    """The report door of one process: its action cache and, on SQLite, one writer at a time.

    SQLite lets one transaction write at once and makes the others sleep and retry; with many
    request threads those sleeps, not the writes, set the pace. So this process's report writes take
    turns on a lock of their own, each holding SQLite's write lock only for its two statements.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.actions = ActionCache()
        self._turns: AbstractContextManager[object] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    def record(
        self,
        ua: str,
        draft: Draft,
        *,
        now: datetime,
        codes: frozenset[str],
        then: Callable[[Connection, int], object] | None = None,
    ) -> Stored:
        """Record one report in a transaction of its own; see the module's notes.

        ``then`` is called with the connection and the action's id after a new report is written
        and before the commit: what must change with the report changes in its transaction.
        """
        for _attempt in range(ATTEMPTS):
            with self.engine.connect() as connection:
                ref = self.actions.get(connection, ua)
                late, country = decide(ref, draft, now, codes)
                target = target_id(connection, ref, draft.target) if draft.target else None
                with self._turns:
                    new_id = write(connection, ref, draft, now=now, late=late, country=country, target=target)
                    if new_id is not None:
                        if then is not None:
                            then(connection, ref.id)
                        connection.commit()
                        return Stored(new_id, ref.ua, late, now, new=True, held=draft.held)
                    connection.rollback()
                if draft.idempotency_key is not None:
                    found = earlier(connection, ref, draft.idempotency_key)
                    if found is not None:
                        return found
            self.actions.forget(ref.ua)  # the action changed since it was cached: decide again
        raise ReportRaceError(f"UA {ua}: the action changed while the report was stored; send it again")
