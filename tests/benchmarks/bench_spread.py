"""9. Timer lateness with reminders spread evenly: many due within a minute, each at its own instant."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.benchmarks.daemon import Daemon, write_channels, write_config
from tests.benchmarks.fill import add_actions, new_database
from tests.benchmarks.harness import Outcome, Row, Verdict, percentile, processes, wait_until
from tests.benchmarks.sink import Sink

TARGET_P99_S = 0.25
OFFSET_S = 3600


def _index(key: str) -> int:
    """The action's position from its key, ``ua-<n>.<nn>/reminder-…`` (``fill.ua_number``)."""
    major, minor = key.split("/", maxsplit=1)[0].removeprefix("ua-").split(".")
    return (int(major) - 1) * 100 + int(minor)


def run(workdir: Path, quick: bool) -> Outcome:
    count, window_s = (500, 10.0) if quick else (10_000, 60.0)
    lead_s = 15.0 if quick else 65.0  # full: the first ones are decided ahead as they come, not at start
    spread_s = window_s / count
    outcome = Outcome(
        workload=(
            f"{count:,} open actions, each with one reminder slot, due one every {spread_s * 1000:g} ms "
            f"over {window_s:g} s starting about {lead_s:g} s after they are added to the database of a "
            "ready `ua-scheduler run` subprocess (SQLite, prepare_ahead 1 minute); one json:// channel "
            "to a local sink process; lateness = arrival at the sink - that reminder's own due time."
        )
    )
    with processes() as group:
        sink = Sink.start(group, workdir)
        database = workdir / "spread.db"
        engine = new_database(database)
        channels = write_channels(workdir, sink.apprise_url("reminder"))
        config, port = write_config(workdir, database, channels_file=str(channels), reminders=["1h"])
        daemon = Daemon.start(group, config, port, workdir / "daemon.log")
        daemon.wait_ready(next_due=False)
        daemon.wait_warm()  # steady state: not the start's one-time loading of the PDF stack
        first_due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=lead_s + 2)
        deadline = first_due + timedelta(seconds=OFFSET_S)
        add_actions(engine, count, deadline=deadline, offsets_s=[OFFSET_S], spread_s=spread_s)
        engine.dispose()
        if time.time() >= first_due.timestamp():
            raise RuntimeError("the daemon was ready only after the first due time: raise the lead")
        if not wait_until(lambda: sink.count() >= count, timeout_s=lead_s + window_s + 120, step_s=0.5):
            raise RuntimeError(f"only {sink.count()} of {count} reminders arrived: {daemon.tail()}")
        records = sink.records()
        group.stop(daemon.process)
    start = first_due.timestamp()
    late = [t - (start + _index(key) * spread_s) for t, _, key in records]
    p50, p99 = percentile(late, 50), percentile(late, 99)
    outcome.rows += [
        Row("lateness p50", p50, "s"),
        Row("lateness p99", p99, "s"),
        Row("lateness max", max(late), "s"),
        Row("earliest (negative: before its due time)", min(late), "s"),
    ]
    outcome.verdicts.append(Verdict("timer_spread_p99", p99, "s", f"<={TARGET_P99_S:g}", p99 <= TARGET_P99_S))
    return outcome
