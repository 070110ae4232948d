"""A stop (SIGTERM) while a pass sends: the sends in flight end and are written; nothing stays claimed."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from sqlmodel import Session, select

from actions.models import Delivery, OutboxStatus
from jobs import outbox
from scheduler.daemon import Daemon
from scheduler.service import Service
from tests.factories import add_channel
from tests.support.sinks import WebhookSink, wait_for

MESSAGES = 12


def test_a_stop_during_a_pass_leaves_no_message_claimed(
    make_service: Callable[..., Service], webhook: WebhookSink
) -> None:
    """APScheduler cancelled the running wake at shutdown: the stop then went on while the pass's
    thread kept claiming, and the process could end with messages claimed but never written."""
    webhook.delay_s = 0.2
    service = make_service(poll_interval="1h", delivery_concurrency=2)
    add_channel(service, "hook", webhook.url("h"), "reminders")
    with Session(service.engine) as session:
        for n in range(MESSAGES):
            outbox.enqueue(
                session,
                key=f"k{n}",
                kind="reminder",
                channel="hook",
                title=f"t{n}",
                body="b",
                now=service.clock.now(),
            )
        session.commit()

    async def scenario() -> Counter[str]:
        daemon = Daemon(service, http=False)
        stop = asyncio.Event()
        running = asyncio.create_task(daemon.run(stop))
        assert await asyncio.to_thread(wait_for, lambda: len(webhook.hooks) >= 1, 30)
        stop.set()
        await running  # "daemon.stopped": what it claimed must be written by now
        with Session(service.engine) as session:
            return Counter(session.exec(select(Delivery.status)).all())

    statuses = asyncio.run(scenario())
    assert statuses[OutboxStatus.SENDING] == 0
    assert statuses[OutboxStatus.SENT] >= 1
    assert statuses[OutboxStatus.SENT] + statuses[OutboxStatus.PENDING] == MESSAGES
    assert statuses[OutboxStatus.SENT] == len(webhook.hooks)  # each sent message is known as sent
