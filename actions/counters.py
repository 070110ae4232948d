"""Running totals: each action's counts kept as reports arrive, so no page counts every report.

One row per action, lateness and review state (``ActionCounter``) holds the reports as counted and
the actions by kind. It changes only in the transaction of the reports it counts, with the tally's own
rules: one supporter's reports are merged (the most of each kind, per target), anonymous reports count
as they come. ``recount`` counts the same numbers from the reports themselves; ``verify`` compares.

Writers:

- a new report: ``count_new`` (before the report row is written, in the same transaction);
- any later change to stored reports (held → approved, rejected, moved between on time and late):
  ``keeping_counts`` around the change.

Concurrency: a writer first takes the counter row of the report's slot (an upsert, which locks the
row on PostgreSQL and takes the write lock on SQLite), and only then reads what the supporter
reported before, so two reports of one supporter can never both count as the first.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, func, or_, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session

from actions.models import ActionCounter, Report, Review
from actions.upsert import insert_for
from config.settings import ACTION_KINDS

COUNTER: Table = ActionCounter.__table__  # type: ignore[attr-defined]
REPORT: Table = Report.__table__  # type: ignore[attr-defined]
NUMBERS = ("reports", *ACTION_KINDS)
NOT_REJECTED = or_(REPORT.c.review.is_(None), REPORT.c.review != Review.REJECTED)
"""Reports staff rejected are kept but never counted, held or not."""

Slot = tuple[bool, bool]
"""(late, held): where a report counts."""
ON_TIME: Slot = (False, False)
SLOTS: tuple[Slot, ...] = ((False, False), (False, True), (True, False), (True, True))


@dataclass(frozen=True)
class Counts:
    """One slot's numbers: reports as counted and actions by kind."""

    reports: int = 0
    by_kind: Mapping[str, int] = field(default_factory=lambda: dict.fromkeys(ACTION_KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.reports + other.reports, {k: self.by_kind[k] + other.by_kind[k] for k in ACTION_KINDS}
        )

    def __sub__(self, other: Counts) -> Counts:
        return Counts(
            self.reports - other.reports, {k: self.by_kind[k] - other.by_kind[k] for k in ACTION_KINDS}
        )

    def is_zero(self) -> bool:
        return self.reports == 0 and not any(self.by_kind.values())

    @classmethod
    def of_row(cls, row: Sequence[Any]) -> Counts:
        """From ``reports, letter, email, …`` as a query returns them (``None`` as 0)."""
        return cls(int(row[0] or 0), {k: int(v or 0) for k, v in zip(ACTION_KINDS, row[1:], strict=True)})


ZERO = Counts()


@dataclass(frozen=True)
class Running:
    """An action's running totals: on time (the total), late (counted apart) and held for review."""

    slots: Mapping[Slot, Counts] = field(default_factory=dict)

    def _sum(self, *, late: bool | None = None, held: bool) -> Counts:
        found = ZERO
        for (is_late, is_held), counts in self.slots.items():
            if is_held == held and (late is None or is_late == late):
                found += counts
        return found

    @property
    def on_time(self) -> Counts:
        return self._sum(late=False, held=False)

    @property
    def late_counts(self) -> Counts:
        return self._sum(late=True, held=False)

    @property
    def held_counts(self) -> Counts:
        return self._sum(held=True)

    @property
    def total(self) -> int:
        return self.on_time.total

    @property
    def reports(self) -> int:
        return self.on_time.reports

    @property
    def by_kind(self) -> Mapping[str, int]:
        return self.on_time.by_kind

    @property
    def late(self) -> int:
        return self.late_counts.total

    @property
    def late_reports(self) -> int:
        return self.late_counts.reports

    @property
    def held(self) -> int:
        return self.held_counts.total

    @property
    def held_reports(self) -> int:
        return self.held_counts.reports

    def without_zeros(self) -> dict[Slot, Counts]:
        return {slot: counts for slot, counts in self.slots.items() if not counts.is_zero()}

    def differences(self, other: Running) -> list[str]:
        """Each slot and number where ``other`` differs, as ``late=… held=… letter: 3 != 4``."""
        found = []
        for slot in sorted(set(self.slots) | set(other.slots)):
            mine, theirs = self.slots.get(slot, ZERO), other.slots.get(slot, ZERO)
            for name in NUMBERS:
                a = mine.reports if name == "reports" else mine.by_kind[name]
                b = theirs.reports if name == "reports" else theirs.by_kind[name]
                if a != b:
                    found.append(
                        f"late={str(slot[0]).lower()} held={str(slot[1]).lower()} {name}: {a} != {b}"
                    )
        return found


def running(connection: Session | Connection, action_id: int) -> Running:
    """The action's counters: one indexed read, whatever the number of reports."""
    rows = connection.execute(
        select(COUNTER.c.late, COUNTER.c.held, *(COUNTER.c[n] for n in NUMBERS)).where(
            COUNTER.c.action_id == action_id
        )
    ).all()
    return Running({(bool(r[0]), bool(r[1])): Counts.of_row(r[2:]) for r in rows})


def running_many(connection: Session | Connection, action_ids: Iterable[int]) -> dict[int, Running]:
    """Counters of several actions in one read (the dashboard's open actions)."""
    ids = list(action_ids)
    slots: dict[int, dict[Slot, Counts]] = {i: {} for i in ids}
    if ids:
        rows = connection.execute(
            select(
                COUNTER.c.action_id, COUNTER.c.late, COUNTER.c.held, *(COUNTER.c[n] for n in NUMBERS)
            ).where(COUNTER.c.action_id.in_(ids))
        ).all()
        for r in rows:
            slots[int(r[0])][(bool(r[1]), bool(r[2]))] = Counts.of_row(r[3:])
    return {i: Running(found) for i, found in slots.items()}


# ------------------------------------------------------------------------------------------- recount


def merged(action_id: int, *conditions: ColumnElement[bool]) -> Any:
    """The action's reports as the tally counts them: one row per supporter, lateness, review state
    and target (the most of each kind they reported), and each anonymous report as it is. Optional
    ``conditions`` narrow the reports read (a few supporters, a few reports)."""
    kinds = [REPORT.c[k] for k in ACTION_KINDS]
    where = [REPORT.c.action_id == action_id, NOT_REJECTED, *conditions]
    keys = (REPORT.c.late, REPORT.c.held, REPORT.c.target_id)
    supporters = (
        select(
            *keys, func.max(REPORT.c.country).label("country"), *(func.max(k).label(k.name) for k in kinds)
        )
        .where(*where, REPORT.c.supporter_hash.is_not(None))
        .group_by(REPORT.c.supporter_hash, *keys)
    )
    anonymous = select(*keys, REPORT.c.country, *kinds).where(*where, REPORT.c.supporter_hash.is_(None))
    return supporters.union_all(anonymous).subquery("merged")


def _by_slot(connection: Session | Connection, rows: Any) -> Running:
    sums = [func.coalesce(func.sum(rows.c[k]), 0) for k in ACTION_KINDS]
    found = connection.execute(
        select(rows.c.late, rows.c.held, func.count(), *sums).group_by(rows.c.late, rows.c.held)
    ).all()
    return Running({(bool(r[0]), bool(r[1])): Counts.of_row(r[2:]) for r in found})


def recount(connection: Session | Connection, action_id: int) -> Running:
    """The counters' numbers counted from every report of the action (the reference)."""
    return _by_slot(connection, merged(action_id))


def verify(session: Session, action_id: int) -> list[str]:
    """Where the counters differ from a recount; empty when they agree."""
    return running(session, action_id).differences(recount(session, action_id))


# ------------------------------------------------------------------------------------------- writers


@cache
def _upsert_statement(dialect: str) -> Any:
    """Add to one slot's counter row, made at the numbers added if it is new (built once)."""
    statement = insert_for(dialect, COUNTER).values(
        {name: bindparam(name) for name in ("action_id", "late", "held", *NUMBERS)}
    )
    return statement.on_conflict_do_update(
        index_elements=[COUNTER.c.action_id, COUNTER.c.late, COUNTER.c.held],
        set_={n: COUNTER.c[n] + statement.excluded[n] for n in NUMBERS},
    )


def _upsert(connection: Connection, action_id: int, slot: Slot, delta: Counts) -> None:
    values = {
        "action_id": action_id,
        "late": slot[0],
        "held": slot[1],
        "reports": delta.reports,
        **delta.by_kind,
    }
    connection.execute(_upsert_statement(connection.dialect.name), values)


def add(connection: Connection, action_id: int, changes: Mapping[Slot, Counts]) -> None:
    """Add ``changes`` (which may be negative) to the action's counters, in the caller's transaction."""
    for slot in sorted(changes):  # one order for every writer: no deadlock between two of them
        if not changes[slot].is_zero():
            _upsert(connection, action_id, slot, changes[slot])


def _lock(connection: Connection, action_id: int, slot: Slot) -> None:
    """Take the slot's counter row until the transaction ends (made at zero if it is new)."""
    _upsert(connection, action_id, slot, ZERO)


def _supporter_so_far(
    connection: Connection, action_id: int, slot: Slot, supporter_hash: str, target_id: int | None
) -> tuple[bool, dict[str, int]]:
    """Whether the supporter reported before in this slot and for this target, and the most of
    each kind they reported."""
    target = REPORT.c.target_id.is_(None) if target_id is None else REPORT.c.target_id == target_id
    row = connection.execute(
        select(func.count(), *(func.max(REPORT.c[k]) for k in ACTION_KINDS)).where(
            REPORT.c.action_id == action_id,
            REPORT.c.supporter_hash == supporter_hash,
            REPORT.c.late == slot[0],
            REPORT.c.held == slot[1],
            NOT_REJECTED,
            target,
        )
    ).one()
    return int(row[0]) > 0, {k: int(v or 0) for k, v in zip(ACTION_KINDS, row[1:], strict=True)}


def count_new(
    connection: Connection,
    action_id: int,
    slot: Slot,
    counts: Mapping[str, int],
    *,
    supporter_hash: str | None,
    target_id: int | None,
) -> Counts:
    """Count a report about to be written in this transaction; return what it added.

    Call it before the report's row is written: a supporter's report adds only what goes beyond what
    they reported before (in the same slot, for the same target), and counts as a report only the
    first time.
    """
    if supporter_hash is None:
        delta = Counts(1, {k: counts.get(k, 0) for k in ACTION_KINDS})
        _upsert(connection, action_id, slot, delta)
        return delta
    _lock(connection, action_id, slot)
    before, most = _supporter_so_far(connection, action_id, slot, supporter_hash, target_id)
    delta = Counts(0 if before else 1, {k: max(0, counts.get(k, 0) - most[k]) for k in ACTION_KINDS})
    if not delta.is_zero():
        _upsert(connection, action_id, slot, delta)
    return delta


def _groups_of(reports: Sequence[Report]) -> ColumnElement[bool]:
    """The reports whose merged rows ``reports`` take part in: their supporters' (per target) and
    the anonymous reports themselves."""
    supporters = {(r.supporter_hash, r.target_id) for r in reports if r.supporter_hash is not None}
    ids = [r.id for r in reports if r.supporter_hash is None and r.id is not None]
    parts: list[ColumnElement[bool]] = []
    if ids:
        parts.append(REPORT.c.id.in_(ids))
    for supporter, target in supporters:
        same_target = REPORT.c.target_id.is_(None) if target is None else REPORT.c.target_id == target
        parts.append((REPORT.c.supporter_hash == supporter) & same_target)
    if not parts:
        return REPORT.c.id.is_(None)  # nothing
    found = parts[0]
    for part in parts[1:]:
        found = found | part
    return found


@contextmanager
def keeping_counts(session: Session, action_id: int, reports: Sequence[Report]) -> Iterator[None]:
    """Keep the counters right across a change to stored ``reports`` of one action.

    Around any change of their ``late``, ``held`` or counts, or their deletion (not of their
    supporter or target), in the caller's transaction: what those reports' merged rows counted is
    read before and after the change and the difference added to the counters. Used by review
    (approve, reject) and any re-filing of reports between on time and late.
    """
    connection = session.connection()
    for slot in SLOTS:
        _lock(connection, action_id, slot)
    where = _groups_of(reports)
    before = _by_slot(connection, merged(action_id, where))
    yield
    session.flush()
    after = _by_slot(connection, merged(action_id, where))
    slots = set(before.slots) | set(after.slots)
    add(connection, action_id, {s: after.slots.get(s, ZERO) - before.slots.get(s, ZERO) for s in slots})
