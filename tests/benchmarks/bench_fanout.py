"""6. Fan-out: outbox rows sent through the real dispatcher, against a bare async HTTP client."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

import structlog
from sqlmodel import Session

from actions.clock import SystemClock
from config.settings import Settings
from jobs import outbox
from jobs.channels import from_file
from jobs.dispatch import Dispatcher
from tests.benchmarks.bare_client import apprise_payload, post_all
from tests.benchmarks.daemon import write_channels
from tests.benchmarks.fill import add_actions, new_database, now
from tests.benchmarks.harness import Outcome, Row, Verdict, processes
from tests.benchmarks.sink import Sink

TARGET_RATIO = 0.7
BODY = "Please write to the Minister before the deadline. " * 12


def run(workdir: Path, quick: bool) -> Outcome:
    count = 1_000 if quick else 10_000
    settings = Settings()
    concurrency = settings.delivery_concurrency
    outcome = Outcome(
        workload=(
            f"{count:,} outbox rows (jobs.outbox.enqueue, one json:// channel to a local sink process, "
            f"{len(BODY)}-character body) sent by jobs.dispatch.Dispatcher.run() in this process "
            f"(SQLite, delivery_concurrency {concurrency}, service logging at warning). Baseline: a bare "
            f"httpx.AsyncClient posting the same payloads to the same sink, {concurrency} in flight."
        )
    )
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    with processes() as group:
        sink = Sink.start(group, workdir)
        channels_file = write_channels(workdir, sink.apprise_url("fanout"))
        channels = from_file(channels_file)
        engine = new_database(workdir / "fanout.db")
        (action_id,) = add_actions(engine, 1, deadline=now() + timedelta(days=3), offsets_s=[3600])
        at = now()
        with Session(engine) as session:
            for i in range(count):
                outbox.enqueue(
                    session,
                    key=f"ua-1.00/reminder-{i}s/{channels[0].name}",
                    kind="reminder",
                    channel=channels[0].name,
                    title=f"Reminder {i}",
                    body=BODY,
                    now=at,
                    action_id=action_id,
                    not_after=at + timedelta(days=3),
                )
                if i % 1000 == 999:
                    session.commit()
            session.commit()
        dispatcher = Dispatcher(
            engine=engine,
            settings=settings,
            owner="bench",
            channels=lambda _session: channels,
        )
        began = time.monotonic()
        result = dispatcher.run(SystemClock().now())
        real_s = time.monotonic() - began
        dispatcher.close()
        engine.dispose()
        arrived = sink.count()
        if result.sent != count or arrived != count:
            raise RuntimeError(f"sent {result.sent}, {arrived} arrived at the sink, of {count}")
        sink.reset()
        payloads = [(f"bare-{i}", apprise_payload(f"Reminder {i}", BODY)) for i in range(count)]
        bare_s = post_all(f"{sink.base}/bare", payloads, concurrency=concurrency)
        if sink.count() != count:
            raise RuntimeError("the bare client's posts did not all arrive")
    real_rate, bare_rate = count / real_s, count / bare_s
    ratio = real_rate / bare_rate
    outcome.rows += [
        Row("deliveries per second", real_rate, "msg/s", bare_rate, "bare client"),
        Row("time for all", real_s, "s", bare_s, "bare client"),
    ]
    outcome.verdicts.append(Verdict("fanout_ratio", ratio, "x", f">={TARGET_RATIO:g}", ratio >= TARGET_RATIO))
    return outcome
