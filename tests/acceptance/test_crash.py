"""Kill the daemon with SIGKILL at random moments while it fans out, restart it, lose nothing."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from actions.models import Action, ActionStatus, Delivery, Event, FinalTally, OutboxStatus, ReminderSlot
from scheduler.db import engine_for
from tests.support.processes import EXE, command
from tests.support.sinks import WebhookSink, free_port, wait_for

pytestmark = pytest.mark.slow
ACTIONS = 12
OFFSETS_S = (32, 24, 16, 8)
KILLS = 22


def test_sigkill_at_random_moments_loses_nothing_and_repeats_only_in_flight_messages(
    tmp_path: Path, database_url: str, webhook: WebhookSink, record_property: Callable[[str, object], None]
) -> None:
    webhook.delay_s = 0.15
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "urls:\n"
        f"  - {webhook.url('a')}:\n      tag: reminders\n"
        f"  - {webhook.url('b')}:\n      tag: reminders\n"
        f"  - {webhook.url('coord')}:\n      tag: coordinators\n"
    )
    config = tmp_path / "ua-scheduler.toml"
    config.write_text(
        f'database_url = "{database_url}"\nchannels_file = "channels.yaml"\n'
        f"reminders = {[f'{s}s' for s in OFFSETS_S]}\n".replace("'", '"')
        + f'poll_interval = "1s"\ndelivery_lease = "2s"\ndelivery_concurrency = 8\n'
        f'http_port = {free_port()}\nlog_format = "json"\n'
    )
    deadline = datetime.now(UTC) + timedelta(seconds=40)
    for n in range(ACTIONS):
        command(
            config,
            "actions",
            "add",
            "--ua",
            f"{100 + n}.26",
            "--title",
            f"Case {n}",
            "--deadline",
            deadline.isoformat(),
        )
    log = (tmp_path / "daemon.log").open("ab")
    rng = random.Random(int(os.environ.get("UA_SCHEDULER_TEST_SEED", "20")))

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(EXE), "--config", str(config), "run"], stdout=log, stderr=log)

    kills = 0
    while kills < KILLS:
        process = start()
        time.sleep(rng.uniform(0.3, 1.4))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    process = start()
    expected_tallies = ACTIONS
    try:
        arrived = wait_for(
            lambda: sum(1 for k in webhook.idempotency_keys() if "/final-tally/" in k) >= expected_tallies,
            timeout_s=60,
        )
        time.sleep(3)  # anything still to come would be a repeat
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
    assert arrived, (tmp_path / "daemon.log").read_text()[-3000:]

    engine = engine_for(database_url)
    with Session(engine) as session:
        sent_keys = set(session.exec(select(Delivery.key).where(Delivery.status == OutboxStatus.SENT)).all())
        statuses = Counter(session.exec(select(Delivery.status)).all())
        slots = Counter(session.exec(select(ReminderSlot.status)).all())
        closed = Counter(session.exec(select(Event.action_id).where(col(Event.kind) == "closed")).all())
        tallies = Counter(session.exec(select(FinalTally.action_id)).all())
        open_left = session.exec(select(Action).where(Action.status == ActionStatus.OPEN)).all()
    engine.dispose()

    received = Counter(webhook.idempotency_keys())
    repeats = {key: n for key, n in received.items() if n > 1}
    record_property("kills", kills)
    record_property("messages", len(received))
    record_property("repeats", sum(n - 1 for n in repeats.values()))
    print(
        f"\ncrash test: {kills} kills, {len(received)} distinct messages, "
        f"{sum(n - 1 for n in repeats.values())} repeats of {len(repeats)} messages in flight at a kill"
    )

    assert kills >= 20
    assert open_left == []
    assert set(closed.values()) == {1}
    assert len(closed) == ACTIONS  # every action closed once
    assert set(tallies.values()) == {1}  # one final tally each
    assert statuses[OutboxStatus.PENDING] == statuses[OutboxStatus.SENDING] == 0
    assert statuses[OutboxStatus.FAILED] == statuses[OutboxStatus.DROPPED] == 0
    assert set(received) == sent_keys  # nothing lost, nothing unknown
    reminder_keys = {k for k in received if "/reminder-" in k}
    # Every slot was sent, or skipped because a later one of the same action came due while down.
    assert len(reminder_keys) == 2 * slots["sent"]
    assert slots["sent"] + slots["skipped"] == ACTIONS * len(OFFSETS_S)
    tally_keys = [k for k in received if "/final-tally/" in k]
    assert len(tally_keys) == ACTIONS  # a receiver dropping repeats by key sees each tally once
    # Only what was in flight at a kill comes again: at most one claim's worth per kill.
    assert sum(n - 1 for n in repeats.values()) <= kills * 8
