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
from functools import partial
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from actions.models import Action, ActionStatus, Delivery, Event, FinalTally, OutboxStatus, ReminderSlot
from actions.store import create_action
from config.settings import load_settings
from scheduler.db import engine_for
from scheduler.service import open_service
from tests.factories import action_spec
from tests.support.processes import EXE
from tests.support.sinks import WebhookSink, free_port, wait_for

pytestmark = pytest.mark.slow
ACTIONS = 12
OFFSETS_S = (40, 30, 20, 10)
LEAD_S = 45
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
    deadline = add_actions(config, [f"{100 + n}.26" for n in range(ACTIONS)], LEAD_S)
    log = (tmp_path / "daemon.log").open("ab")
    rng = random.Random(int(os.environ.get("UA_SCHEDULER_TEST_SEED", "20")))

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(EXE), "--config", str(config), "run"], stdout=log, stderr=log)

    def started(times: int) -> bool:
        return (tmp_path / "daemon.log").read_text().count('"daemon.started"') >= times

    kills = kills_before_deadline = 0
    while kills < KILLS:
        process = start()
        # Killed at a random moment of its work, counted from its `daemon.started`: on a busy
        # machine a slow start would otherwise take every kill before any work began.
        assert wait_for(partial(started, kills + 1), timeout_s=60)
        time.sleep(rng.uniform(0.3, 1.4))
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
        kills_before_deadline += datetime.now(UTC) < deadline
    process = start()
    expected_tallies = ACTIONS
    try:
        arrived = wait_for(
            # Distinct tallies: repeats of the first ones (in flight at a kill) must not count for the rest.
            lambda: len({k for k in webhook.idempotency_keys() if "/final-tally/" in k}) >= expected_tallies,
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
        dropped = dict(
            session.exec(
                select(Delivery.key, Delivery.last_error).where(Delivery.status == OutboxStatus.DROPPED)
            ).all()
        )
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
        f"\ncrash test: {kills} kills ({kills_before_deadline} before the deadline), "
        f"{len(received)} distinct messages, "
        f"{sum(n - 1 for n in repeats.values())} repeats of {len(repeats)} messages in flight at a kill"
    )

    assert kills >= 20
    assert kills_before_deadline >= 3  # the kills fell among the reminders, not only after them
    assert open_left == []
    assert set(closed.values()) == {1}
    assert len(closed) == ACTIONS  # every action closed once
    assert set(tallies.values()) == {1}  # one final tally each
    assert statuses[OutboxStatus.PENDING] == statuses[OutboxStatus.SENDING] == 0
    assert statuses[OutboxStatus.FAILED] == 0
    # A reminder is dropped only when its deadline came first, and says so; never a tally.
    assert all("/reminder-" in key and reason for key, reason in dropped.items())
    assert sent_keys <= set(received) <= sent_keys | set(dropped)  # nothing lost, nothing unknown
    reminder_keys = {k for k in received if "/reminder-" in k} | set(dropped)
    # Every slot was sent, or skipped because a later one of the same action came due while down.
    assert len(reminder_keys) == 2 * slots["sent"]
    assert slots["sent"] + slots["skipped"] == ACTIONS * len(OFFSETS_S)
    tally_keys = [k for k in received if "/final-tally/" in k]
    assert len(tally_keys) == ACTIONS  # a receiver dropping repeats by key sees each tally once
    # Only what was in flight at a kill comes again: at most one claim's worth per kill.
    assert sum(n - 1 for n in repeats.values()) <= kills * 8


def add_actions(config: Path, numbers: list[str], lead_s: int) -> datetime:
    """The actions, written in-process (their deadline is near: no time lost to commands); the deadline."""
    service = open_service(load_settings(config))
    deadline = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead_s)
    with service.session() as session:
        for n, ua in enumerate(numbers):
            spec = action_spec(ua=ua, title=f"Case {n}", deadline=deadline.isoformat())
            create_action(
                session,
                spec,
                now=datetime.now(UTC),
                default_timezone="UTC",
                default_offsets=service.settings.reminders,
            )
        session.commit()
    service.engine.dispose()
    return deadline


FAN_CHANNELS = 20
NEAR_ACTIONS = 3
NEAR_OFFSETS_S = (40, 28, 18, 10, 5, 2)
NEAR_LEAD_S = 60


def test_sigkill_inside_fan_outs_up_to_the_deadline_sends_no_reminder_after_it(
    tmp_path: Path, database_url: str, webhook: WebhookSink, record_property: Callable[[str, object], None]
) -> None:
    """Killed again and again while it fans reminders out to many channels, right up to the deadline."""
    webhook.delay_s = 0.15
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "urls:\n"
        + "".join(f"  - {webhook.url(f'r{n}')}:\n      tag: reminders\n" for n in range(FAN_CHANNELS))
        + f"  - {webhook.url('coord')}:\n      tag: coordinators\n"
    )
    config = tmp_path / "ua-scheduler.toml"
    config.write_text(
        f'database_url = "{database_url}"\nchannels_file = "channels.yaml"\n'
        f"reminders = {[f'{s}s' for s in NEAR_OFFSETS_S]}\n".replace("'", '"')
        + 'poll_interval = "1s"\ndelivery_lease = "2s"\ndelivery_concurrency = 8\n'
        f'http_port = {free_port()}\nlog_format = "json"\n'
    )
    deadline = add_actions(config, [f"{200 + n}.26" for n in range(NEAR_ACTIONS)], NEAR_LEAD_S)
    log = (tmp_path / "daemon.log").open("ab")
    rng = random.Random(int(os.environ.get("UA_SCHEDULER_TEST_SEED", "13")))
    engine = engine_for(database_url)
    in_flight: Counter[str] = Counter()  # key -> claims cut short by a kill
    seen_claims: set[tuple[int, datetime | None]] = set()

    started_log = tmp_path / "daemon.log"

    def start() -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(EXE), "--config", str(config), "run"], stdout=log, stderr=log)

    def started(times: int) -> bool:
        return started_log.read_text().count('"daemon.started"') >= times

    def arrived(count: int) -> bool:
        return len(webhook.hooks) >= count or datetime.now(UTC) >= deadline

    kills = 0
    try:
        while datetime.now(UTC) < deadline:
            process = start()
            assert wait_for(partial(started, kills + 1), timeout_s=60)
            # Kill inside a fan-out: after a random number of arrivals, or a random time if none comes.
            enough = len(webhook.hooks) + rng.randint(1, 2 * FAN_CHANNELS)
            wait_for(partial(arrived, enough), timeout_s=15)
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills += 1
            with Session(engine) as session:
                claimed = session.exec(
                    select(Delivery.id, Delivery.key, Delivery.claimed_at).where(
                        Delivery.status == OutboxStatus.SENDING
                    )
                ).all()
            for row_id, key, claimed_at in claimed:
                assert row_id is not None
                if (row_id, claimed_at) not in seen_claims:
                    seen_claims.add((row_id, claimed_at))
                    in_flight[key] += 1
        process = start()

        def settled() -> bool:
            with Session(engine) as session:
                open_rows = session.exec(
                    select(Delivery.id).where(
                        col(Delivery.status).in_([OutboxStatus.PENDING, OutboxStatus.SENDING])
                    )
                ).all()
                tallies = session.exec(select(FinalTally.id)).all()
            return len(tallies) == NEAR_ACTIONS and not open_rows

        done = wait_for(settled, timeout_s=90, step_s=0.2)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=15)
        log.close()
    assert done, (tmp_path / "daemon.log").read_text()[-3000:]

    with Session(engine) as session:
        rows = session.exec(select(Delivery)).all()
    engine.dispose()
    by_status = Counter(r.status for r in rows)
    sent_keys = {r.key for r in rows if r.status is OutboxStatus.SENT}
    dropped = [r for r in rows if r.status is OutboxStatus.DROPPED]
    reminders = [h for h in webhook.hooks if "/reminder-" in h.headers.get("Idempotency-Key", "")]
    received = Counter(webhook.idempotency_keys())
    repeats = {key: n - 1 for key, n in received.items() if n > 1}
    after = [h for h in reminders if h.received_at >= deadline.timestamp()]
    record_property("kills", kills)
    record_property("repeats", sum(repeats.values()))
    print(
        f"\ncrash test up to the deadline: {kills} kills, {len(received)} distinct messages, "
        f"{len(reminders)} reminder arrivals, {len(dropped)} dropped, {sum(repeats.values())} repeats "
        f"({sum(in_flight.values())} claims in flight at a kill), {len(after)} after the deadline"
    )

    assert kills >= 2  # a start takes seconds on a busy machine: at least two fan-outs cut short
    assert after == []  # not one reminder reached its channel at or after the deadline
    assert by_status[OutboxStatus.PENDING] == by_status[OutboxStatus.SENDING] == 0
    assert by_status[OutboxStatus.FAILED] == 0
    assert all(r.kind in ("reminder", "personal") and r.last_error for r in dropped)  # each says why
    assert sent_keys <= set(received)  # every row marked sent arrived
    assert set(received) <= {r.key for r in rows}  # nothing arrived that the log does not know
    assert len([k for k in received if "/final-tally/" in k]) == NEAR_ACTIONS
    # Every decided reminder is in the log, sent or dropped: one row per slot sent and channel.
    assert len([r for r in rows if r.kind == "reminder"]) % FAN_CHANNELS == 0
    # A message comes again only if it was in flight at a kill, at most once per such claim.
    assert all(n <= in_flight[key] for key, n in repeats.items()), (repeats, in_flight)
