"""A claim is held for as long as its dispatcher has the row in hand, however slow the channel.

A dispatcher claims ahead of its workers, so a row may wait in its queue or sit in a slow send long
after its ``delivery_lease``; it must not be taken again while in hand: not by its own next claim,
not by another dispatcher. Only a dispatcher that died lets its claims run out.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import Session, col, select

from actions.clock import ManualClock
from actions.models import Delivery, OutboxStatus
from jobs import outbox
from jobs.due import run_pass
from scheduler.service import Service
from tests.factories import add_action, add_channel
from tests.support.sinks import Hook, WebhookSink, wait_for

DEADLINE = datetime(2026, 5, 10, tzinfo=UTC)
CHANNELS = 8
HELD_S = 30.0
"""How long a held send waits at most for its release: a safety net, never reached when things work."""


def slow_first_send(
    webhook: WebhookSink, release: Callable[[], bool], at_each: Callable[[], object] = lambda: None
) -> tuple[threading.Event, list[str]]:
    """The first message to arrive is held at the receiver until ``release()`` holds, and
    ``at_each()`` runs at every arrival; returns the event set once the first arrived and its key."""
    arrived = threading.Event()
    first: list[str] = []

    def on_receive(hook: Hook) -> None:
        at_each()
        key = hook.headers.get("Idempotency-Key", "")
        if first:
            return
        first.append(key)
        arrived.set()
        wait_for(release, timeout_s=HELD_S, step_s=0.01)

    webhook.on_receive = on_receive
    return arrived, first


def reminder_to_channels(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink, **settings: object
) -> Service:
    service = make_service(**settings)
    for n in range(CHANNELS):
        # rto: the held send must outwait its release, not time out at apprise's default 4 s
        add_channel(service, f"hook-{n}", f"{webhook.url(f'h{n}')}?rto={HELD_S * 2:g}", "reminders")
    add_action(service, deadline="2026-05-09")
    clock.set(DEADLINE - timedelta(hours=3))
    return service


def test_a_dispatcher_never_claims_again_a_row_it_still_sends(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    """One send hangs while every other arrival moves the clock past the lease: the dispatcher's own
    claims ahead, made meanwhile, must not take the hanging row a second time."""
    lease = timedelta(minutes=1)
    service = reminder_to_channels(make_service, clock, webhook, delivery_concurrency=2, delivery_lease=lease)

    def released() -> bool:
        """Every other channel has its message, or the held one came again."""
        received = Counter(webhook.idempotency_keys())
        return len(received) == CHANNELS or max(received.values()) > 1

    arrived, first = slow_first_send(webhook, released, at_each=lambda: clock.advance(2 * lease))

    result = run_pass(service.work(), clock.now())

    assert arrived.is_set()
    assert first
    received = Counter(webhook.idempotency_keys())
    assert len(received) == CHANNELS
    assert max(received.values()) == 1, received  # the held row went once, not again after its lease
    assert result.deliveries.sent == CHANNELS
    with Session(service.engine) as session:
        statuses = Counter(session.exec(select(Delivery.status)).all())
    assert statuses == Counter({OutboxStatus.SENT: CHANNELS})


def test_a_slow_send_keeps_its_claim_fresh_so_no_other_dispatcher_takes_it(
    make_service: Callable[..., Service], clock: ManualClock, webhook: WebhookSink
) -> None:
    lease = timedelta(milliseconds=300)
    service = reminder_to_channels(make_service, clock, webhook, delivery_concurrency=1, delivery_lease=lease)
    release = threading.Event()
    arrived, first = slow_first_send(webhook, release.is_set)
    passing = threading.Thread(target=run_pass, args=(service.work(), clock.now()))
    passing.start()
    try:
        assert arrived.wait(HELD_S)

        def claim_of_first() -> datetime | None:
            with Session(service.engine) as session:
                return session.exec(select(Delivery.claimed_at).where(Delivery.key == first[0])).one()

        claimed_at = claim_of_first()
        assert claimed_at is not None
        # Time moves on past the lease while the send hangs: the dispatcher stamps its claim anew.
        clock.advance(timedelta(hours=1))
        assert wait_for(lambda: (claim_of_first() or claimed_at) > claimed_at)
        with Session(service.engine) as session:
            taken = outbox.claim(session, now=clock.now(), owner="another:1:0", limit=CHANNELS, lease=lease)
        assert first[0] not in {row.key for row in taken}  # still in hand: not another's to take
        with Session(service.engine) as session:  # give back what the other took, unsent
            session.exec(
                update(Delivery)
                .where(col(Delivery.id).in_([row.id for row in taken]))
                .values(status=OutboxStatus.PENDING, claimed_at=None)
            )
            session.commit()
    finally:
        release.set()
        passing.join(HELD_S)
    assert Counter(webhook.idempotency_keys())[first[0]] == 1


def test_renewing_stamps_only_the_owners_claims(
    make_service: Callable[..., Service], clock: ManualClock
) -> None:
    service = make_service()
    start, lease = clock.now(), timedelta(minutes=1)
    with Session(service.engine, expire_on_commit=False) as session:
        for n in range(3):
            outbox.enqueue(session, key=f"k{n}", kind="reminder", channel="c", title="t", body="b", now=start)
        session.commit()
        mine = [(r.id, r.key) for r in outbox.claim(session, now=start, owner="a", limit=2, lease=lease)]
        theirs = [(r.id, r.key) for r in outbox.claim(session, now=start, owner="b", limit=2, lease=lease)]
        later = start + timedelta(seconds=50)
        renewed = outbox.renew(session, [i for i, _ in mine + theirs if i is not None], owner="a", now=later)
        stamps = dict(session.exec(select(Delivery.key, Delivery.claimed_at)).all())
    assert renewed == len(mine) == 2
    assert [stamps[k] for _, k in mine] == [later, later]
    assert [stamps[k] for _, k in theirs] == [start]
    # A minute after the first claims, only the renewed ones are still held.
    with Session(service.engine) as session:
        taken = outbox.claim(session, now=start + timedelta(seconds=70), owner="c", limit=3, lease=lease)
        assert [r.key for r in taken] == [k for _, k in theirs]
