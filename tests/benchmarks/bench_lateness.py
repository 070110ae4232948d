"""2. Timer lateness: many reminders due in the same second, delivered to a local webhook sink."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.bare_client import apprise_payload, post_all
from tests.benchmarks.daemon import Daemon, write_channels, write_config
from tests.benchmarks.fill import add_actions, new_database
from tests.benchmarks.harness import Outcome, Row, Verdict, percentile, processes, wait_until
from tests.benchmarks.sink import Sink

TARGET_P99_S = 1.0
TARGET_FIRST_S = 0.05
TARGET_P99_VS_BARE = 1.2
LEAD_S = 8.0  # the due instant is this long after the daemon is started (quick)
LEAD_FULL_S = 25.0  # time to decide 1,000 reminders ahead on a loaded machine
CONCURRENCY = 16  # the daemon's delivery_concurrency default


def run(workdir: Path, quick: bool) -> Outcome:
    count = 100 if quick else 1_000
    lead_s = LEAD_S if quick else LEAD_FULL_S
    outcome = Outcome(
        workload=(
            f"{count:,} open actions, each with one reminder slot due at the same instant, about "
            f"{lead_s:g} s after they are added to the database of a ready `ua-scheduler run` subprocess "
            "(SQLite; the daemon decides them up to prepare_ahead, 1 minute, before); one json:// "
            "channel tagged reminders "
            "to a local sink process; lateness = arrival at the sink - due time. Baseline: the same sink "
            f"receiving {count:,} POSTs from a bare httpx/asyncio client ({CONCURRENCY} in flight) started "
            "at the due time."
        )
    )
    with processes() as group:
        sink = Sink.start(group, workdir)
        database = workdir / "lateness.db"
        engine = new_database(database)
        channels = write_channels(workdir, sink.apprise_url("reminder"))
        config, port = write_config(workdir, database, channels_file=str(channels), reminders=["1h"])
        daemon = Daemon.start(group, config, port, workdir / "daemon.log")
        daemon.wait_ready(next_due=False)
        daemon.wait_warm()  # steady state: not the start's one-time loading of the PDF stack
        # Added once the daemon is ready (it finds them within its poll_interval), so a slow start
        # on a busy machine does not eat into the lead.
        due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead_s + 2)
        add_actions(engine, count, deadline=due + timedelta(hours=1), offsets_s=[3600], spread_s=0)
        engine.dispose()
        if time.time() >= due.timestamp():
            raise RuntimeError("the daemon was ready only after the due time: raise the lead")
        if not wait_until(lambda: sink.count() >= count, timeout_s=120 + count * 0.2, step_s=0.2):
            raise RuntimeError(f"only {sink.count()} of {count} reminders arrived: {daemon.tail()}")
        late = [t - due.timestamp() for t, _, _ in sink.records()]
        group.stop(daemon.process)
        sink.reset()
        at = time.time() + 1.0
        payloads = [(f"bare-{i}", apprise_payload(f"Reminder {i}", "x" * 600)) for i in range(count)]
        post_all(f"{sink.base}/bare", payloads, concurrency=CONCURRENCY, at=at)
        bare = [t - at for t, _, _ in sink.records()]
    p50, p99, worst = percentile(late, 50), percentile(late, 99), max(late)
    outcome.rows += [
        Row("lateness p50", p50, "s", percentile(bare, 50), "bare client"),
        Row("lateness p99", p99, "s", percentile(bare, 99), "bare client"),
        Row("lateness max", worst, "s", max(bare), "bare client"),
        Row("earliest arrival", min(late), "s", min(bare), "bare client"),
    ]
    bare_p99 = percentile(bare, 99)
    outcome.verdicts += [
        Verdict("timer_lateness_p99", p99, "s", f"<{TARGET_P99_S:g}", p99 < TARGET_P99_S),
        Verdict("timer_first_arrival", min(late), "s", f"<={TARGET_FIRST_S:g}", min(late) <= TARGET_FIRST_S),
        Verdict(
            "timer_lateness_p99_vs_bare",
            p99 / bare_p99,
            "x",
            f"<={TARGET_P99_VS_BARE:g}",
            p99 <= TARGET_P99_VS_BARE * bare_p99,
        ),
    ]
    return outcome
