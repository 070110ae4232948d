"""The tables: actions, their targets, supporters' reports, reminder slots, channels, final tallies."""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, Text, UniqueConstraint, and_, event, false, inspect
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Field, SQLModel, col

from actions.columns import UTCDateTime

KINDS = ("letter", "email", "fax", "call", "post", "other")
"""Ways of acting a supporter reports; ``post`` is a social-media post, ``letter`` a posted letter."""


class ActionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class SlotStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    SKIPPED = "skipped"  # superseded by a later reminder after downtime, or past when planned
    EXPIRED = "expired"  # the action closed or was cancelled first


class Review(StrEnum):
    """Staff's decision on a report held for review."""

    APPROVED = "approved"
    REJECTED = "rejected"


def _instant(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


class Action(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    ua: str = Field(unique=True, index=True, max_length=32)
    update_ordinal: int | None = None
    index_number: str | None = None
    title: str
    title_i18n: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    """The title in other languages, by language code (``{"ru": "…"}``)."""
    subject: str | None = None
    subjects: list[dict[str, str | None]] = Field(default_factory=list, sa_column=Column(JSON))
    country: str | None = None
    status: ActionStatus = Field(default=ActionStatus.OPEN, index=True)
    deadline: datetime = _instant(index=True)
    deadline_date: date | None = None
    deadline_text: str | None = None
    timezone: str = "UTC"
    preferred_languages: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    sample_letter: str | None = Field(default=None, sa_column=Column(Text))
    additional_information: str | None = Field(default=None, sa_column=Column(Text))
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    reminder_offsets_s: list[int] | None = Field(default=None, sa_column=Column(JSON))
    late_reports_welcome: bool = True
    created_at: datetime = _instant()
    updated_at: datetime = _instant()
    closed_at: datetime | None = _instant(nullable=True)


class Target(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    position: int = 0
    name: str
    title: str | None = None
    rank: str | None = None
    salutation: str | None = None
    salutations: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))
    """The salutation in other languages, by language code; ``salutation`` is the English one."""
    postal_address: str | None = None
    postal_note: str | None = None
    emails: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    phones: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    faxes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    social: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON))


class Report(SQLModel, table=True):
    """One report as received. Every report is kept; the tally merges one supporter's reports."""

    __table_args__ = (UniqueConstraint("action_id", "idempotency_key", name="uq_report_idempotency"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    received_at: datetime = _instant()
    late: bool = False
    country: str | None = Field(default=None, max_length=2)
    source: str = "cli"
    supporter_hash: str | None = Field(default=None, index=True, max_length=64)
    idempotency_key: str | None = Field(default=None, max_length=128)
    target_id: int | None = Field(default=None, foreign_key="target.id")
    """The target the supporter wrote to, when they said."""
    held: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    """Held for review: kept, counted apart, not in the total until approved."""
    review: Review | None = Field(default=None, index=True)
    """Staff's decision on a held report: approved (counted since) or rejected (never counted)."""
    reviewed_at: datetime | None = _instant(nullable=True)
    review_note: str | None = Field(default=None, sa_column=Column(Text))
    letter: int = 0
    email: int = 0
    fax: int = 0
    call: int = 0
    post: int = 0
    other: int = 0


class ActionCounter(SQLModel, table=True):
    """An action's running totals, one row per lateness and review state, kept in the transaction of
    every report that changes them (``actions.counters``). The full count stays the reference: the
    counter equals what ``actions.tally`` counts from the reports, merging each supporter's reports."""

    action_id: int = Field(foreign_key="action.id", primary_key=True)
    late: bool = Field(primary_key=True)
    held: bool = Field(primary_key=True)
    reports: int = 0
    """Reports as counted: one per supporter (and target), one per anonymous report."""
    letter: int = 0
    email: int = 0
    fax: int = 0
    call: int = 0
    post: int = 0
    other: int = 0


class ReminderSlot(SQLModel, table=True):
    """One planned reminder: the action's deadline minus an offset. What is due lives here."""

    __table_args__ = (
        UniqueConstraint("action_id", "offset_s"),
        Index("ix_reminderslot_status_due", "status", "due_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    offset_s: int
    due_at: datetime = _instant()
    status: SlotStatus = SlotStatus.PENDING
    claimed_at: datetime | None = _instant(nullable=True)
    sent_at: datetime | None = _instant(nullable=True)
    channels_ok: int = 0
    channels_failed: int = 0


class FinalTally(SQLModel, table=True):
    """The tally built at close: once closed, every reader of the action's tally serves this one.

    Reopening the action marks it superseded (it stays retrievable); the next close archives another.
    """

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    created_at: datetime = _instant()
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))
    markdown: str = Field(sa_column=Column(Text, nullable=False))
    html: str = Field(sa_column=Column(Text, nullable=False))
    csv: str | None = Field(default=None, sa_column=Column(Text))
    pdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary))
    content_hash: str | None = Field(default=None, max_length=64)
    """SHA-256 of the canonical JSON of the frozen numbers (late and held reports are not in it)."""
    superseded_at: datetime | None = _instant(nullable=True)


class Channel(SQLModel, table=True):
    """A notification channel added with the CLI; ``url`` holds secrets and is never shown as is."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    url: str
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    digest: str | None = Field(default=None, max_length=32)
    """``daily@09:00`` or ``weekly@mon 09:00``: one round-up instead of each reminder."""
    quiet_hours: str | None = Field(default=None, max_length=16)
    """``22:00-08:00``: reminders falling inside go out just before the window starts."""
    language: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    """The zone of ``digest`` and ``quiet_hours``; none means the ``timezone`` setting."""
    created_at: datetime = _instant()


class Event(SQLModel, table=True):
    """The action's history: created, extended, reminded, closed, cancelled, tally delivered."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    at: datetime = _instant()
    kind: str
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON))


class Subscription(SQLModel, table=True):
    """A supporter's request for reminders by email: confirmed by a link, deleted at the close."""

    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id", index=True)
    email: str = Field(max_length=320)
    token: str = Field(unique=True, max_length=64)
    created_at: datetime = _instant()
    confirmed_at: datetime | None = _instant(nullable=True)


class ConfirmationSent(SQLModel, table=True):
    """A confirmation email sent for a reminder request: the per-address daily cap counts these.

    The address is kept only as a salted hash, and only for a day.
    """

    __table_args__ = (Index("ix_confirmationsent_address_action_at", "address_hash", "action_id", "sent_at"),)
    id: int | None = Field(default=None, primary_key=True)
    action_id: int = Field(foreign_key="action.id")
    address_hash: str = Field(max_length=64)
    sent_at: datetime = _instant()


class ApiToken(SQLModel, table=True):
    """A staff token; only its hash is stored."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=64)
    token_hash: str = Field(unique=True, max_length=64)
    created_at: datetime = _instant()
    revoked_at: datetime | None = _instant(nullable=True)
    last_used_at: datetime | None = _instant(nullable=True)


class StaffSession(SQLModel, table=True):
    """A dashboard sign-in: the cookie carries its id (signed), the server decides whether it is live.

    Signing out revokes it at once; it expires ``expires_at`` whatever the cookie says.
    """

    id: int | None = Field(default=None, primary_key=True)
    key_hash: str = Field(unique=True, max_length=64)
    """SHA-256 of the random session key the cookie carries; the key itself is never stored."""
    token_id: int = Field(foreign_key="apitoken.id", index=True)
    created_at: datetime = _instant()
    expires_at: datetime = _instant()
    revoked_at: datetime | None = _instant(nullable=True)


class ServiceSecret(SQLModel, table=True):
    """Keys the service makes for itself on first use (signing cookies, salting supporter hashes)."""

    name: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=256)


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    SENDING = "sending"  # claimed by a dispatcher
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt: shown to operators, retried by hand
    DROPPED = "dropped"  # could no longer arrive in time, or its channel is gone


class Delivery(SQLModel, table=True):
    """One message to one channel: the outbox row written with the decision to send it.

    ``key`` (action, slot, channel) travels with the message where the channel allows, so a
    receiver can drop a repeat; the only repeat possible is a message in flight at a crash.
    """

    __table_args__ = (Index("ix_delivery_status_next", "status", "next_attempt_at"),)
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=200)
    kind: str = Field(max_length=16)  # reminder | tally | personal | confirm | ops
    action_id: int | None = Field(default=None, foreign_key="action.id", index=True)
    channel: str = Field(max_length=100, index=True)
    final_tally_id: int | None = Field(default=None, foreign_key="finaltally.id")
    """For a final tally: the archived report whose PDF and CSV go along where the channel takes them."""
    title: str = Field(sa_column=Column(Text, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    status: OutboxStatus = OutboxStatus.PENDING
    attempts: int = 0
    created_at: datetime = _instant()
    next_attempt_at: datetime = _instant()
    not_after: datetime | None = _instant(nullable=True)
    not_before: datetime | None = _instant(nullable=True)
    """A reminder decided ahead goes out at this instant (its slot's due time), not before."""
    slot_id: int | None = Field(default=None, foreign_key="reminderslot.id", index=True)
    """The reminder slot a reminder's row belongs to: a change before it is due rewrites them."""
    claimed_at: datetime | None = _instant(nullable=True)
    claimed_by: str | None = Field(default=None, max_length=64)
    """The instance (``host:pid:start``) that claimed the row last; kept after its attempt."""
    sent_at: datetime | None = _instant(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text))


def never_taken() -> tuple[ColumnElement[bool], ...]:
    """Outbox rows no dispatcher has ever claimed: only these may be withdrawn or rewritten.

    A row claimed and then released (its process killed mid-send) is ``pending`` with no attempt
    counted, yet its message may have arrived; ``claimed_by`` stays set and keeps it in the log.
    """
    return (
        col(Delivery.status) == OutboxStatus.PENDING,
        col(Delivery.attempts) == 0,
        col(Delivery.claimed_by).is_(None),
    )


def ever_taken() -> ColumnElement[bool]:
    """The rows :func:`never_taken` leaves out: claimed at least once, and perhaps arrived."""
    return ~and_(*never_taken())


class ChannelHealth(SQLModel, table=True):
    """Consecutive failures of a channel, and whether operators were told (once per incident)."""

    channel: str = Field(primary_key=True, max_length=100)
    consecutive_failures: int = 0
    alerting: bool = False
    since: datetime | None = _instant(nullable=True)
    last_error: str | None = Field(default=None, sa_column=Column(Text))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""C0 and C1 control characters but tab, line feed and carriage return: ESC would drive a terminal
(``actions show``), BEL ring it, and neither belongs in a calendar, a letter or a page."""


def without_controls(value: Any) -> Any:
    """``value`` with control characters taken out of every string in it (lists and tables too)."""
    if isinstance(value, str):
        return _CONTROL.sub("", value) if _CONTROL.search(value) else value
    if isinstance(value, list):
        return [without_controls(item) for item in value]
    if isinstance(value, dict):
        return {without_controls(key): without_controls(item) for key, item in value.items()}
    return value


@event.listens_for(Session, "before_flush")
def _strip_controls(session: Session, _context: Any, _instances: Any) -> None:
    """Every text stored, whichever door it came in by (CLI, API, pages, imports), leaves controls out."""
    for row in (*session.new, *session.dirty):
        if not isinstance(row, SQLModel):
            continue
        for key in inspect(row).mapper.column_attrs.keys():  # noqa: SIM118  (a view, not a dict)
            value = row.__dict__.get(key)
            if isinstance(value, str | list | dict):
                cleaned = without_controls(value)
                if cleaned != value:
                    setattr(row, key, cleaned)
