"""5. Restart with overdue reminders: all delivered, and how long the event loop stalls meanwhile."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx

from tests.benchmarks.daemon import Daemon, write_channels, write_config
from tests.benchmarks.fill import add_actions, new_database, now
from tests.benchmarks.harness import Outcome, Row, Verdict, percentile, processes
from tests.benchmarks.sink import Sink

TARGET_STALL_MS = 100.0
POLL_S = 0.02
IDLE_S = 5.0


def _poll(client: httpx.Client, url: str, until: float) -> list[float]:
    """``/healthz`` latencies (ms), one request every ``POLL_S``, until the monotonic ``until``."""
    latencies: list[float] = []
    while time.monotonic() < until:
        began = time.monotonic()
        client.get(url)
        latencies.append((time.monotonic() - began) * 1000)
        time.sleep(max(0.0, POLL_S - (time.monotonic() - began)))
    return latencies


def run(workdir: Path, quick: bool) -> Outcome:
    count = 500 if quick else 5_000
    outcome = Outcome(
        workload=(
            f"{count:,} open actions (deadline tomorrow), each with one reminder slot due a minute before "
            "the `ua-scheduler run` subprocess starts (SQLite), one json:// channel to a local sink process. "
            f"/healthz polled every {POLL_S * 1000:g} ms from ready until every reminder arrived. Baseline: "
            f"the same service idle afterwards, polled the same way for {IDLE_S:g} s."
        )
    )
    with processes() as group:
        sink = Sink.start(group, workdir)
        database = workdir / "restart.db"
        engine = new_database(database)
        due = now() - timedelta(minutes=1)
        add_actions(engine, count, deadline=now() + timedelta(days=1), offsets_s=[86400], slot_due=due)
        engine.dispose()
        channels = write_channels(workdir, sink.apprise_url("reminder"))
        config, port = write_config(workdir, database, channels_file=str(channels), reminders=["1d"])
        daemon = Daemon.start(group, config, port, workdir / "daemon.log")
        daemon.wait_ready(next_due=False, step_s=0.002)
        ready_s = time.monotonic() - daemon.started
        url = f"{daemon.base}/healthz"
        catchup: list[float] = []
        limit = time.monotonic() + 120 + count * 0.1
        with httpx.Client(timeout=60) as client:
            while True:
                catchup += _poll(client, url, time.monotonic() + 0.5)
                arrived = sink.count()
                if arrived >= count:
                    break
                if time.monotonic() > limit or daemon.process.poll() is not None:
                    raise RuntimeError(f"only {arrived} of {count} reminders arrived: {daemon.tail()}")
            caught_up_s = time.monotonic() - daemon.started
            idle = _poll(client, url, time.monotonic() + IDLE_S)
        keys = {key for _, _, key in sink.records()}
        group.stop(daemon.process)
    if len(keys) != count:
        raise RuntimeError(f"{len(keys)} distinct reminders arrived, expected {count}")
    stall_p99, stall_max = percentile(catchup, 99), max(catchup)
    outcome.rows += [
        Row(
            "/healthz latency p50 during catch-up",
            percentile(catchup, 50),
            "ms",
            percentile(idle, 50),
            "idle",
        ),
        Row("/healthz latency p99 during catch-up", stall_p99, "ms", percentile(idle, 99), "idle"),
        Row("/healthz latency max during catch-up", stall_max, "ms", max(idle), "idle"),
        Row("delivered (distinct keys)", len(keys), "msgs", count, "expected"),
        Row("start to ready", ready_s, "s"),
        Row("start to all delivered", caught_up_s, "s"),
    ]
    outcome.verdicts += [
        Verdict("restart_delivered", len(keys), "msgs", f"=={count}", len(keys) == count),
        Verdict("restart_stall_max", stall_max, "ms", f"<{TARGET_STALL_MS:g}", stall_max < TARGET_STALL_MS),
    ]
    return outcome
