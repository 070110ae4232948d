"""The dispatcher: claims outbox rows, sends each through its channel, settles it.

One dispatcher lives as long as its process: its pool of ``delivery_concurrency`` workers and what it
knows of channel health are kept between runs. Sends run side by side and the outcomes that end
together are written in one transaction, so a slow or failing channel holds one worker, never the
others.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime

import structlog
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from actions.clock import Clock
from actions.models import Delivery, FinalTally, OutboxStatus, Subscription, Target
from config.settings import Settings
from jobs import health, outbox, reasons, transport
from jobs.channels import ChannelRef, email_to, mail_channel
from jobs.notify import Attachment, Message, Outcome, deliver
from jobs.secrets import Redactor

log = structlog.get_logger("ua_scheduler.dispatch")

SUBSCRIBER_PREFIX = "subscriber:"
TOO_LATE = "the deadline came before it could be sent: dropped, not sent late"
LOG_SCHEME = "log"


@dataclass(frozen=True)
class Attempt:
    """One send's outcome, waiting to be written; no outcome: the row could not be sent at all."""

    row: Delivery
    outcome: Outcome | None
    reason: str


@dataclass
class DispatchResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    dropped: int = 0
    keys: list[str] = field(default_factory=list)

    def total(self) -> int:
        return self.sent + self.retried + self.failed + self.dropped


@dataclass
class Dispatcher:
    """Made once per process and run again and again; ``close`` stops its workers."""

    engine: Engine
    settings: Settings
    owner: str
    """Names this process on the rows it claims (``host:pid:start``)."""
    channels: Callable[[Session], Sequence[ChannelRef]]
    on_sent: Callable[[str, Sequence[Outcome]], None] = lambda _kind, _outcomes: None
    clock: Clock | None = None
    """Stamps claims and outcomes as they happen: a pass's ``now`` may be long past by then, and a
    claim stamped in the past would look expired to another instance, which would send it again."""
    redactor: Redactor | None = None
    """Masks the secrets a failure's reason may quote before it is stored."""
    _troubled: set[str] | None = field(default=None, repr=False)
    """Channels with failures not yet cleared; None until read from the database."""
    _pool: ThreadPoolExecutor | None = field(default=None, repr=False)
    _running: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _stopping: threading.Event = field(default_factory=threading.Event, repr=False)
    _mail: ChannelRef | None = field(default=None, repr=False)
    """The service's mail channel, parsed and masked once: each supporter's is a copy aimed at them."""

    @property
    def policy(self) -> outbox.RetryPolicy:
        return outbox.RetryPolicy(
            max_attempts=self.settings.delivery_max_attempts,
            base=self.settings.delivery_backoff,
            cap=self.settings.delivery_backoff_max,
        )

    def run(self, now: datetime) -> DispatchResult:
        """Send everything due at ``now``; return when nothing due is left and every send has ended.

        Workers only send; the outcomes that ended together are written in one transaction, so the
        database's single writer is not the bottleneck. A crash between a send and its write leaves
        the row claimed: it goes again after its lease, with the same key. With nothing due, a run
        costs one query.
        """
        with self._running:
            try:
                return self._run(now)
            finally:
                transport.close_idle()  # one run is one batch: its SMTP connections end with it

    def _run(self, now: datetime) -> DispatchResult:
        result = DispatchResult()
        limit = self.settings.delivery_concurrency
        claimed = self._claim(2 * limit, now)
        if not claimed:
            return result
        pool = self._workers()
        with Session(self.engine) as session:
            channels = {c.name: c for c in self.channels(session)}
            self._read_health(session)
        channels |= self._supporters(claimed)
        held: dict[Future[Attempt], int] = {}

        def submit(rows: Sequence[Delivery]) -> None:
            for row in rows:
                assert row.id is not None
                held[pool.submit(self._send, row, channels)] = row.id

        submit(claimed)
        renew_every = self.settings.delivery_lease.total_seconds() / 3
        renewed = time.monotonic()
        while held:
            done, _ = wait(held, timeout=renew_every, return_when=FIRST_COMPLETED)
            attempts = []
            for future in done:
                del held[future]
                try:
                    attempts.append(future.result())
                except Exception:  # the row stays claimed and is taken again after its lease
                    log.exception("delivery.crashed")
            if attempts:
                for row, status in self._settle(attempts, channels, self._live(now)):
                    self._count(result, row, status)
            if held and time.monotonic() - renewed >= renew_every:
                self._renew(held.values())
                renewed = time.monotonic()
            # Claim ahead (up to twice the workers) so workers never wait for a claim; rows
            # queued in the pool are claimed like the ones being sent, under the same lease.
            if len(held) < limit:
                more = self._claim(2 * limit - len(held), now, held=set(held.values()))
                channels |= self._supporters(more)
                submit(more)
        return result

    def stop_claiming(self) -> None:
        """Claim nothing more, for a stop: the sends in flight end and are written, then ``run`` returns."""
        self._stopping.set()

    def close(self) -> None:
        """Stop the workers once their sends end; a later run starts new ones."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)

    def _workers(self) -> ThreadPoolExecutor:
        if self._pool is None:
            transport.limit_smtp(self.settings.mail_connections)
            self._pool = ThreadPoolExecutor(
                max_workers=self.settings.delivery_concurrency, thread_name_prefix="deliver"
            )
        return self._pool

    def _read_health(self, session: Session) -> None:
        """Know which channels are troubled: read once, then kept here as this process settles.

        With one instance (SQLite) only this process writes health, so memory stays true; with
        several (PostgreSQL) another instance may note a failure, so it is read again each run.
        """
        if self._troubled is None or self.engine.dialect.name != "sqlite":
            self._troubled = health.troubled(session)

    def _now(self) -> datetime:
        """The time at a hand-off: the clock's, else the wall clock's."""
        return self.clock.now() if self.clock is not None else datetime.now(UTC)

    def _live(self, now: datetime) -> datetime:
        return max(now, self.clock.now()) if self.clock is not None else now

    def _claim(self, limit: int, now: datetime, held: Collection[int] = ()) -> list[Delivery]:
        if self._stopping.is_set():
            return []
        with Session(self.engine, expire_on_commit=False) as session:
            return outbox.claim(
                session,
                now=self._live(now),
                owner=self.owner,
                limit=limit,
                lease=self.settings.delivery_lease,
                held=held,
            )

    def _renew(self, ids: Collection[int]) -> None:
        """Keep the claims on rows still queued or being sent from running out under a slow channel."""
        try:
            with Session(self.engine) as session:
                outbox.renew(session, list(ids), owner=self.owner, now=self._now())
        except SQLAlchemyError:  # the claims may lapse: at worst a message in flight goes twice
            log.exception("delivery.claims_not_renewed")

    def _supporters(self, rows: Sequence[Delivery]) -> dict[str, ChannelRef]:
        """The mail channel aimed at each supporter the rows go to: one query for the whole batch."""
        ids = {
            int(r.channel.removeprefix(SUBSCRIBER_PREFIX))
            for r in rows
            if r.channel.startswith(SUBSCRIBER_PREFIX)
        }
        if not ids or self.settings.mail_url is None:
            return {}
        if self._mail is None:
            self._mail = mail_channel(self.settings.mail_url.get_secret_value())
        with Session(self.engine) as session:
            found = session.exec(
                select(Subscription.id, Subscription.email).where(col(Subscription.id).in_(ids))
            )
            return {
                f"{SUBSCRIBER_PREFIX}{i}": email_to(self._mail, email, name=f"{SUBSCRIBER_PREFIX}{i}")
                for i, email in found
            }

    def _send(self, row: Delivery, channels: Mapping[str, ChannelRef]) -> Attempt:
        channel, reason = self._resolve(row, channels)
        if channel is not None and row.final_tally_id is not None:
            with Session(self.engine) as session:  # most rows need nothing but the channel
                attachments = _attachments_of(session, row)
        else:
            attachments = ()
        if channel is None:
            return Attempt(row, None, reason)
        # The last check before the message leaves: a reminder is never handed over at or after its
        # deadline (less the margin its arrival needs), however long it waited for a worker.
        if row.not_after is not None and self._now() >= row.not_after - self.settings.deadline_margin:
            return Attempt(row, None, TOO_LATE)
        message = Message(row.title, row.body, row.key, attachments, published=self._published(row, channel))
        outcome = deliver(channel, message)
        self.on_sent(row.kind, [outcome])
        return Attempt(row, outcome, "")

    def _published(self, row: Delivery, channel: ChannelRef) -> frozenset[str]:
        """For ``log://``: the action's officials' addresses, shown in the log as sent."""
        if row.action_id is None or not channel.url.lower().startswith(f"{LOG_SCHEME}://"):
            return frozenset()
        with Session(self.engine) as session:
            lists = session.exec(select(Target.emails).where(Target.action_id == row.action_id)).all()
        return frozenset(address for emails in lists for address in emails or [])

    def _settle(
        self, attempts: Sequence[Attempt], channels: Mapping[str, ChannelRef], now: datetime
    ) -> list[tuple[Delivery, OutboxStatus]]:
        outcomes = []
        for attempt in attempts:
            row, outcome = attempt.row, attempt.outcome
            if outcome is None:
                outcomes.append(outbox.drop(row, reason=attempt.reason))
                self.on_sent(row.kind, [Outcome(row.channel, ok=False, dropped=True)])
                continue
            error = None if outcome.ok else self._masked(outcome.error or reasons.UNKNOWN)
            outcomes.append(outbox.settle(row, ok=outcome.ok, error=error, now=now, policy=self.policy))
        with Session(self.engine, expire_on_commit=False) as session:
            outbox.write_settled(session, outcomes)
            for attempt in attempts:
                if attempt.outcome is not None:
                    ok = attempt.outcome.ok
                    self._note_health(session, attempt.row.channel, ok=ok, now=now, channels=channels)
            session.commit()
        return [(settled.row, settled.status) for settled in outcomes]

    def _masked(self, text: str) -> str:
        return self.redactor.redact(text) if self.redactor is not None else text

    def _note_health(
        self, session: Session, channel: str, *, ok: bool, now: datetime, channels: Mapping[str, ChannelRef]
    ) -> None:
        troubled = self._troubled if self._troubled is not None else set()
        if channel.startswith(SUBSCRIBER_PREFIX) or (ok and channel not in troubled):
            return  # healthy and staying so: nothing to write
        if ok:
            troubled.discard(channel)
        else:
            troubled.add(channel)
        self._troubled = troubled
        try:
            with session.begin_nested():  # a health write that fails must not undo the settles
                health.record(session, channel, ok=ok, now=now, settings=self.settings, channels=channels)
        except SQLAlchemyError:
            log.exception("channel.health_not_recorded", channel=channel)

    def _count(self, result: DispatchResult, row: Delivery, status: OutboxStatus) -> None:
        bound = log.bind(delivery=row.id, key=row.key, channel=row.channel, attempts=row.attempts)
        if status is OutboxStatus.SENT:
            result.sent += 1
            result.keys.append(row.key)
            bound.info("delivery.sent")
        elif status is OutboxStatus.PENDING:
            result.retried += 1
            bound.warning("delivery.retry_later")
        elif status is OutboxStatus.FAILED:
            result.failed += 1
            bound.error("delivery.failed")
        else:
            result.dropped += 1
            bound.warning("delivery.dropped", reason=row.last_error)

    def _resolve(self, row: Delivery, channels: Mapping[str, ChannelRef]) -> tuple[ChannelRef | None, str]:
        if row.channel.startswith(SUBSCRIBER_PREFIX):
            if self.settings.mail_url is None:
                return None, "mail_url is not set"
            supporter = channels.get(row.channel)
            if supporter is None:
                return None, "the supporter unsubscribed, or the action ended"
            return supporter, ""
        channel = channels.get(row.channel)
        if channel is None:
            return None, f"channel {row.channel!r} no longer exists"
        return channel, ""


def _attachments_of(session: Session, row: Delivery) -> tuple[Attachment, ...]:
    """A final tally travels with its archived PDF and CSV."""
    if row.final_tally_id is None:
        return ()
    record = session.get(FinalTally, row.final_tally_id)
    if record is None:
        return ()
    name = f"ua-{record.data.get('ua', 'tally')}-final-tally"
    found = []
    if record.pdf:
        found.append(Attachment(f"{name}.pdf", record.pdf, "application/pdf"))
    if record.csv:
        found.append(Attachment(f"{name}.csv", record.csv.encode(), "text/csv"))
    return tuple(found)
