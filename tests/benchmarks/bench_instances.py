"""11. Fan-out on PostgreSQL with one and two instances, beside SQLite with one."""

from __future__ import annotations

import subprocess
import time
from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from jobs import outbox
from scheduler.db import engine_for
from scheduler.migrate import upgrade
from tests.benchmarks.daemon import write_channels
from tests.benchmarks.fill import add_actions, now
from tests.benchmarks.harness import PYTHON, Outcome, Processes, Row, Verdict, processes
from tests.benchmarks.sink import Sink
from tests.support.databases import POSTGRES_URL, postgres_problem, postgres_schema

BODY = "Please write to the Minister before the deadline. " * 12


def _fill(database_url: str, count: int, channel: str) -> None:
    engine = engine_for(database_url)
    upgrade(engine)
    (action_id,) = add_actions(engine, 1, deadline=now() + timedelta(days=3), offsets_s=[3600])
    at = now()
    with Session(engine) as session:
        for i in range(count):
            outbox.enqueue(
                session,
                key=f"ua-1.00/reminder-{i}s/{channel}",
                kind="reminder",
                channel=channel,
                title=f"Reminder {i}",
                body=BODY,
                now=at,
                action_id=action_id,
                not_after=at + timedelta(days=3),
            )
            if i % 1000 == 999:
                session.commit()
        session.commit()
    engine.dispose()


def _dispatch(group: Processes, workdir: Path, database_url: str, channels: Path, instances: int) -> float:
    """Start ``instances`` dispatching processes, let them go together; seconds until all are done."""
    workers = []
    for n in range(instances):
        worker = subprocess.Popen(
            [str(PYTHON), "-m", "tests.benchmarks.dispatch_worker", database_url, str(channels)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(workdir / f"worker-{n}.log").open("ab"),
            text=True,
        )
        workers.append(worker)
    for worker in workers:
        assert worker.stdout is not None
        if not _line_starting(worker, "READY"):
            raise RuntimeError("a dispatching process did not start: see worker-*.log")
    began = time.monotonic()
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        if not _line_starting(worker, "DONE"):
            raise RuntimeError("a dispatching process stopped early: see worker-*.log")
        worker.wait(timeout=600)
    return time.monotonic() - began


def _line_starting(worker: subprocess.Popen[str], word: str) -> bool:
    """Read the worker's output up to a line starting with ``word`` (log lines may come first)."""
    assert worker.stdout is not None
    return any(line.startswith(word) for line in worker.stdout)


def run(workdir: Path, quick: bool) -> Outcome:
    count = 1_000 if quick else 10_000
    outcome = Outcome(
        workload=(
            f"{count:,} outbox rows to one json:// channel (a local sink process), sent by 1 or 2 "
            "processes each running the service's dispatcher (delivery_concurrency 16), started "
            "together once ready; PostgreSQL (local, one schema) claims with FOR UPDATE SKIP LOCKED. "
            "Beside it: the same with one process on SQLite."
        )
    )
    problem = postgres_problem()
    if problem:
        outcome.notes.append(problem)
    with processes() as group:
        sink = Sink.start(group, workdir)
        channels = write_channels(workdir, sink.apprise_url("fanout"))
        channel = "channels.yaml#1"
        runs: list[tuple[str, str, int]] = [("SQLite", f"sqlite:///{workdir / 'one.db'}", 1)]
        if not problem:
            runs += [("PostgreSQL", "", 1), ("PostgreSQL", "", 2)]
        for database, url, instances in runs:
            sink.reset()
            if database == "SQLite":
                _fill(url, count, channel)
                seconds = _dispatch(group, workdir, url, channels, instances)
            else:
                with postgres_schema() as schema_url:
                    _fill(schema_url, count, channel)
                    seconds = _dispatch(group, workdir, schema_url, channels, instances)
            arrived = sink.count()
            if arrived != count:
                raise RuntimeError(f"{database} with {instances}: {arrived} of {count} arrived")
            rate = count / seconds
            label = f"{database}, {instances} instance{'s' if instances > 1 else ''}"
            outcome.rows.append(Row(f"deliveries per second, {label}", rate, "msg/s"))
            name = f"fanout_{database.lower()}_{instances}_instance{'s' if instances > 1 else ''}"
            outcome.verdicts.append(Verdict(name, rate, "msg/s", "reported", True))
    outcome.notes.append(f"PostgreSQL: {POSTGRES_URL}")
    return outcome
