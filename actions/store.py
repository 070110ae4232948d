"""Commands and queries on actions. Each takes a session and ``now``; the caller commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

import pycountry
from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from actions import counters, reporting
from actions.deadlines import DateWindow, Deadline, deadline_on, parse_deadline
from actions.errors import DuplicateError, InvalidInputError, NotFoundError
from actions.lifecycle import Transition, next_status
from actions.models import (
    Action,
    ActionStatus,
    Delivery,
    Event,
    FinalTally,
    OutboxStatus,
    ReminderSlot,
    Report,
    SlotStatus,
    Subscription,
    Target,
    never_taken,
)
from actions.specs import ActionSpec, ReportCounts, TargetSpec, normalise_ua

COUNTRY_CODES = frozenset(c.alpha_2 for c in pycountry.countries)
"""The countries a report may name: ISO 3166-1 alpha-2, from pycountry."""


def get_action(session: Session, ua: str) -> Action:
    try:
        key = normalise_ua(ua)
    except ValueError as exc:
        raise InvalidInputError("ua", str(exc)) from None
    action = session.exec(select(Action).where(Action.ua == key)).first()
    if action is None:
        raise NotFoundError(f"no action UA {key}: see `ua-scheduler actions list --status all`")
    return action


def get_action_by_id(session: Session, action_id: int) -> Action:
    action = session.get(Action, action_id)
    if action is None:
        raise NotFoundError(f"no action with id {action_id}")
    return action


def list_actions(session: Session, status: ActionStatus | None = None) -> Sequence[Action]:
    query = select(Action).order_by(col(Action.deadline), col(Action.ua))
    if status is not None:
        query = query.where(Action.status == status)
    return session.exec(query).all()


def targets_of(session: Session, action: Action) -> Sequence[Target]:
    return session.exec(
        select(Target).where(Target.action_id == action.id).order_by(col(Target.position))
    ).all()


def slots_of(session: Session, action: Action) -> Sequence[ReminderSlot]:
    return session.exec(
        select(ReminderSlot).where(ReminderSlot.action_id == action.id).order_by(col(ReminderSlot.due_at))
    ).all()


def history_of(session: Session, action: Action) -> Sequence[Event]:
    return session.exec(
        select(Event).where(Event.action_id == action.id).order_by(col(Event.at), col(Event.id))
    ).all()


def resolve_deadline(
    spec_deadline: date | datetime | str, zone_name: str, window: DateWindow | None = None
) -> Deadline:
    if isinstance(spec_deadline, datetime):
        if spec_deadline.tzinfo is None:
            raise InvalidInputError("deadline", "an instant needs a UTC offset (Z or +02:00)")
        return parse_deadline(spec_deadline.isoformat(), zone_name, window)
    if isinstance(spec_deadline, date):
        return deadline_on(spec_deadline, zone_name, window)
    return parse_deadline(spec_deadline, zone_name, window)


def record(session: Session, action: Action, now: datetime, kind: str, **detail: Any) -> None:
    """Add an event to the action's history."""
    assert action.id is not None
    session.add(Event(action_id=action.id, at=now, kind=kind, detail=detail))


_COPIED_FIELDS = (
    "title",
    "subject",
    "country",
    "preferred_languages",
    "sample_letter",
    "additional_information",
    "tags",
    "late_reports_welcome",
    "update_ordinal",
    "index_number",
    "deadline_text",
    "title_i18n",
)


def _apply_fields(action: Action, spec: ActionSpec) -> list[str]:
    changed = []
    for name in _COPIED_FIELDS:
        value = getattr(spec, name)
        if getattr(action, name) != value:
            setattr(action, name, value)
            changed.append(name)
    subjects = [s.model_dump() for s in spec.subjects]
    if action.subjects != subjects:
        action.subjects = subjects
        changed.append("subjects")
    offsets = [int(o.total_seconds()) for o in spec.reminders] if spec.reminders else None
    if action.reminder_offsets_s != offsets:
        action.reminder_offsets_s = offsets
        changed.append("reminders")
    return changed


def _target_row(action_id: int, position: int, spec: TargetSpec) -> Target:
    return Target(action_id=action_id, position=position, **spec.model_dump())


def _replace_targets(session: Session, action: Action, specs: list[TargetSpec]) -> bool:
    assert action.id is not None
    current = targets_of(session, action)
    wanted = [_target_row(action.id, i, spec) for i, spec in enumerate(specs)]
    same = [t.model_dump(exclude={"id"}) for t in current] == [t.model_dump(exclude={"id"}) for t in wanted]
    if same:
        return False
    for target in current:
        session.delete(target)
    session.add_all(wanted)
    return True


def offsets_for(action: Action, default_offsets: Sequence[timedelta]) -> list[timedelta]:
    if action.reminder_offsets_s is not None:
        return [timedelta(seconds=s) for s in action.reminder_offsets_s]
    return list(default_offsets)


def plan_slots(session: Session, action: Action, offsets: Sequence[timedelta], *, now: datetime) -> None:
    """Make one slot per offset; slots already sent keep their time, the rest follow the deadline.

    A slot prepared ahead but not yet due counts as not sent: its outbox rows are withdrawn here, in
    the caller's transaction, and it is decided again for its new time.
    """
    assert action.id is not None
    existing = {s.offset_s: s for s in slots_of(session, action)}
    wanted = {int(o.total_seconds()) for o in offsets}
    withdrawn = [s for s in existing.values() if _prepared(s, now)]
    _withdraw(session, [s.id for s in withdrawn if s.id is not None])
    for rearmed in withdrawn:
        rearmed.status, rearmed.sent_at = SlotStatus.PENDING, None
    for offset_s in sorted(wanted):
        try:
            due_at = action.deadline - timedelta(seconds=offset_s)
        except OverflowError:
            raise InvalidInputError(
                "reminders", f"{timedelta(seconds=offset_s)} before the deadline is out of range"
            ) from None
        slot = existing.get(offset_s)
        if slot is None:
            session.add(ReminderSlot(action_id=action.id, offset_s=offset_s, due_at=due_at))
        elif slot.status not in (SlotStatus.SENT, SlotStatus.SENDING):
            slot.due_at = due_at
            slot.status = SlotStatus.PENDING
    for offset_s, slot in existing.items():
        if offset_s not in wanted and slot.status == SlotStatus.PENDING:
            session.delete(slot)


def _prepared(slot: ReminderSlot, now: datetime) -> bool:
    """Decided ahead and not yet due: its rows wait in the outbox for the slot's time."""
    return slot.status is SlotStatus.SENT and slot.sent_at is not None and slot.sent_at > now


def _withdraw(session: Session, slot_ids: Sequence[int]) -> int:
    """Take back the rows of prepared reminders that have not gone out."""
    if not slot_ids:
        return 0
    result = session.exec(delete(Delivery).where(col(Delivery.slot_id).in_(slot_ids)).where(*never_taken()))
    return int(result.rowcount)


def create_action(
    session: Session,
    spec: ActionSpec,
    *,
    now: datetime,
    default_timezone: str,
    default_offsets: Sequence[timedelta],
    window: DateWindow | None = None,
) -> Action:
    """Create an open action with its targets and reminder slots; ``DuplicateError`` if it exists.

    Its deadline must lie in ``window`` (by default, 1990 to ten years ahead).
    """
    if session.exec(select(Action).where(Action.ua == spec.ua)).first() is not None:
        raise DuplicateError(
            f"UA {spec.ua} already exists: use `actions extend` or import its update instead"
        )
    zone_name = spec.timezone or default_timezone
    deadline = resolve_deadline(spec.deadline, zone_name, window or DateWindow.around(now))
    action = Action(
        ua=spec.ua,
        title=spec.title,
        deadline=deadline.at,
        deadline_date=deadline.local_date,
        timezone=zone_name,
        created_at=now,
        updated_at=now,
    )
    _apply_fields(action, spec)
    if deadline.at <= now:
        action.status = ActionStatus.CLOSED
        action.closed_at = now
    session.add(action)
    session.flush()
    _replace_targets(session, action, spec.targets)
    record(session, action, now, "created", deadline=deadline.at.isoformat())
    if action.status is ActionStatus.OPEN:
        plan_slots(session, action, offsets_for(action, default_offsets), now=now)
    return action


def update_action(
    session: Session,
    spec: ActionSpec,
    *,
    now: datetime,
    default_timezone: str,
    default_offsets: Sequence[timedelta],
    source: str | None = None,
    window: DateWindow | None = None,
) -> tuple[Action, list[str]]:
    """Create the action or bring it in line with ``spec``; return it and the names of what changed."""
    existing = session.exec(select(Action).where(Action.ua == spec.ua)).first()
    if existing is None:
        action = create_action(
            session,
            spec,
            now=now,
            default_timezone=default_timezone,
            default_offsets=default_offsets,
            window=window,
        )
        return action, ["created"]
    changed = _apply_fields(existing, spec)
    if _replace_targets(session, existing, spec.targets):
        changed.append("targets")
    zone_name = spec.timezone or existing.timezone
    deadline = resolve_deadline(spec.deadline, zone_name, window or DateWindow.around(now))
    if deadline.at != existing.deadline or zone_name != existing.timezone:
        offsets = offsets_for(existing, default_offsets)
        extend_deadline(session, existing, deadline, now=now, offsets=offsets, source=source)
        changed.append("deadline")
    elif "reminders" in changed and existing.status is ActionStatus.OPEN:
        plan_slots(session, existing, offsets_for(existing, default_offsets), now=now)
    if changed:
        existing.updated_at = now
    return existing, changed


def extend_deadline(
    session: Session,
    action: Action,
    deadline: Deadline,
    *,
    now: datetime,
    offsets: Sequence[timedelta],
    source: str | None = None,
) -> None:
    """Move the deadline; only reminders not sent yet are re-armed to the new date."""
    action.status = next_status(action.ua, action.status, Transition.EXTEND)
    if deadline.at <= now:
        raise InvalidInputError(
            "deadline", f"{deadline.at.isoformat()} has already passed: close the action instead"
        )
    old = action.deadline
    action.deadline = deadline.at
    action.deadline_date = deadline.local_date
    action.timezone = deadline.timezone
    action.updated_at = now
    plan_slots(session, action, offsets, now=now)
    record(
        session,
        action,
        now,
        "extended",
        old=old.isoformat(),
        new=deadline.at.isoformat(),
        source=source,
    )


def extend_later(
    session: Session,
    action: Action,
    deadline: str,
    *,
    now: datetime,
    default_offsets: Sequence[timedelta],
    source: str,
    window: DateWindow | None = None,
) -> None:
    """Staff move the deadline: it must be later than the one in force (and still ahead).

    A closed action is reopened first: staff do extend actions after their close.
    """
    new = resolve_deadline(deadline, action.timezone, window or DateWindow.around(now))
    if new.at <= action.deadline and action.status is ActionStatus.OPEN:
        shown_new, shown_old = new.at.isoformat(), action.deadline.isoformat()
        raise InvalidInputError("deadline", f"{shown_new} is not later than {shown_old}")
    if new.at <= now:
        raise InvalidInputError("deadline", f"{new.at.isoformat()} has already passed")
    if action.status is ActionStatus.CLOSED:
        reopen_action(session, action, now=now, reason=f"extended ({source})")
    extend_deadline(
        session, action, new, now=now, offsets=offsets_for(action, default_offsets), source=source
    )


def close_action(session: Session, action: Action, *, now: datetime, reason: str) -> None:
    action.status = next_status(action.ua, action.status, Transition.CLOSE)
    _finish(session, action, now, "closed", reason)


def reopen_action(session: Session, action: Action, *, now: datetime, reason: str) -> None:
    """Open a closed action again. Its final tally stays in the archive, marked superseded; the
    reports received since the close count toward the next close, which archives a new one."""
    action.status = next_status(action.ua, action.status, Transition.REOPEN)
    action.closed_at = None
    action.updated_at = now
    superseded = session.exec(
        update(FinalTally)
        .where(col(FinalTally.action_id) == action.id)
        .where(col(FinalTally.superseded_at).is_(None))
        .values(superseded_at=now)
    )
    assert action.id is not None
    late = session.exec(select(Report).where(Report.action_id == action.id).where(col(Report.late))).all()
    with counters.keeping_counts(session, action.id, late):
        for report in late:
            report.late = False
            session.add(report)
    record(
        session,
        action,
        now,
        "reopened",
        reason=reason,
        tallies_superseded=superseded.rowcount,
        late_reports_counted_again=len(late),
    )


def add_targets(session: Session, action: Action, specs: Sequence[TargetSpec]) -> list[str]:
    """Add the targets not there yet (same name, ignoring case and spacing); return their names."""
    assert action.id is not None
    current = targets_of(session, action)
    known = {reporting.name_key(t.name) for t in current}
    added: list[str] = []
    for spec in specs:
        if reporting.name_key(spec.name) in known:
            continue
        session.add(_target_row(action.id, len(current) + len(added), spec))
        known.add(reporting.name_key(spec.name))
        added.append(spec.name)
    return added


def cancel_action(session: Session, action: Action, *, now: datetime, reason: str) -> None:
    action.status = next_status(action.ua, action.status, Transition.CANCEL)
    _finish(session, action, now, "cancelled", reason)


def _finish(session: Session, action: Action, now: datetime, kind: str, reason: str) -> None:
    action.closed_at = now
    action.updated_at = now
    prepared = session.exec(
        select(ReminderSlot.id)
        .where(ReminderSlot.action_id == action.id)
        .where(ReminderSlot.status == SlotStatus.SENT)
        .where(col(ReminderSlot.sent_at) > now)
    ).all()
    withdrawn = _withdraw(session, [i for i in prepared if i is not None])
    # Reminders released but not yet taken, or waiting for a retry, do not go out either.
    dropped = session.exec(
        update(Delivery)
        .where(col(Delivery.action_id) == action.id)
        .where(col(Delivery.kind).in_(("reminder", "personal")))
        .where(col(Delivery.status) == OutboxStatus.PENDING)
        .values(status=OutboxStatus.DROPPED, last_error=f"the action was {kind} before it went out")
    )
    session.exec(
        update(ReminderSlot)
        .where(col(ReminderSlot.action_id) == action.id)
        .where(
            (col(ReminderSlot.status) == SlotStatus.PENDING)
            | ((col(ReminderSlot.status) == SlotStatus.SENT) & (col(ReminderSlot.sent_at) > now))
        )
        .values(status=SlotStatus.EXPIRED, sent_at=None)
    )
    # Supporters' addresses are kept only as long as they serve: not past the action's end.
    removed = session.exec(delete(Subscription).where(col(Subscription.action_id) == action.id))
    record(
        session,
        action,
        now,
        kind,
        reason=reason,
        subscriptions_deleted=removed.rowcount,
        reminders_withdrawn=withdrawn + int(dropped.rowcount),
    )


def add_report(
    session: Session,
    action: Action,
    counts: ReportCounts,
    *,
    country: str | None,
    now: datetime,
    source: str,
    supporter_hash: str | None = None,
    idempotency_key: str | None = None,
    target: str | None = None,
    held: bool = False,
) -> reporting.Stored:
    """Store a supporter's report in the session's transaction (the CLI, a CSV import, several
    reports in one transaction); one that arrives after the close (the deadline, or an earlier close
    by staff) is stored and flagged late, one
    ``held`` for review is stored and counted apart. The action's counters follow.

    With an ``idempotency_key`` already used for this action, the report stored then is returned and
    nothing is added: a retried request counts once.
    """
    session.flush()  # the action as this session sees it, and reports added before this one
    connection = session.connection()
    ref = reporting.ActionRef.of(action)
    draft = reporting.Draft(counts, country, source, supporter_hash, idempotency_key, target, held)
    for _attempt in range(2):  # a request with the same key may be storing it right now
        if idempotency_key is not None:
            found = reporting.earlier(connection, ref, idempotency_key)
            if found is not None:
                return found
        late, code = reporting.decide(ref, draft, now, COUNTRY_CODES)
        target_id = reporting.target_id(connection, ref, target) if target else None
        new_id = reporting.write(connection, ref, draft, now=now, late=late, country=code, target=target_id)
        if new_id is not None:
            return reporting.Stored(new_id, ref.ua, late, now, new=True, held=held)
        if idempotency_key is None:
            break
    raise reporting.ReportRaceError(
        f"UA {action.ua} changed while the report was stored: nothing was stored, send it again"
    )
