"""3. Report ingestion over HTTP: the JSON report door of the real daemon against a bare endpoint."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from scheduler.db import engine_for
from scheduler.migrate import upgrade
from tests.benchmarks.daemon import Daemon, write_config
from tests.benchmarks.fill import add_actions, add_reports_sql, new_database, now
from tests.benchmarks.harness import PYTHON, Outcome, Processes, Row, Verdict, processes
from tests.support.databases import postgres_problem, postgres_schema
from tests.support.sinks import free_port

TARGET_RATIO = 0.7
FLAT = 0.8
"""The rate with a million reports stored, as a share of the rate with none: the cost must not grow."""
CONNECTIONS = 32
UA = "61.20"
BODY = '{"counts": {"letter": 1, "email": 2}, "country": "NL"}'
WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%(body)s'
wrk.headers["Content-Type"] = "application/json"
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("tid", threads)
end
counter = 0
request = function()
  counter = counter + 1
  local key = string.format("wrk-%(run)s-%%d-%%d", tid, counter)
  return wrk.format(nil, nil, {["Content-Type"] = "application/json", ["Idempotency-Key"] = key})
end
"""


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    errors: int

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def _wrk(workdir: Path, url: str, seconds: float, connections: int) -> Load:
    script = workdir / f"report-{time.monotonic_ns()}.lua"
    script.write_text(WRK_SCRIPT % {"body": BODY, "run": time.monotonic_ns()})
    done = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    )
    with (workdir / "wrk.log").open("a") as log:
        log.write(f"{url}\n{done.stdout}\n")
    requests = re.search(r"(\d+) requests in ([\d.]+)(m?s)", done.stdout)
    if requests is None:
        raise RuntimeError(f"cannot read wrk's output: {done.stdout}")
    elapsed = float(requests[2]) / (1000 if requests[3] == "ms" else 1)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    socket_errors = re.search(r"Socket errors: (.*)", done.stdout)
    errors = int(bad[1]) if bad else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors[1]))
    return Load(int(requests[1]), elapsed, errors)


async def _httpx(url: str, seconds: float, connections: int) -> Load:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    counter = {"ok": 0, "bad": 0, "n": 0}
    stop_at = time.monotonic() + seconds
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:

        async def worker() -> None:
            while time.monotonic() < stop_at:
                counter["n"] += 1
                answer = await client.post(
                    url,
                    content=BODY,
                    headers={"Content-Type": "application/json", "Idempotency-Key": f"h-{counter['n']}"},
                )
                counter["ok" if answer.status_code in (200, 201) else "bad"] += 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(connections)))
        elapsed = time.monotonic() - began
    return Load(counter["ok"] + counter["bad"], elapsed, counter["bad"])


def _load(workdir: Path, url: str, seconds: float, connections: int = CONNECTIONS) -> Load:
    probe = httpx.post(
        url,
        content=BODY,
        headers={"Content-Type": "application/json", "Idempotency-Key": f"probe-{time.monotonic_ns()}"},
        timeout=10,
    )
    if probe.status_code not in (200, 201):
        raise RuntimeError(f"{url} answered {probe.status_code}: {probe.text[:300]}")
    if shutil.which("wrk"):
        return _wrk(workdir, url, seconds, connections)
    return asyncio.run(_httpx(url, seconds, connections))


def _wait_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the bare app exited")
        try:
            httpx.get(url, timeout=1)
        except httpx.HTTPError:
            time.sleep(0.05)
            continue
        return
    raise RuntimeError("the bare app did not start")


def _bare(group: Processes, workdir: Path, database: Path, action_id: int, seconds: float) -> Load:
    port = free_port()
    process = group.start(
        [str(PYTHON), "-m", "tests.benchmarks.bare_app", str(database), str(port), str(action_id)],
        log=workdir / "bare.log",
    )
    url = f"http://127.0.0.1:{port}/api/v1/actions/{UA}/reports"
    _wait_serving(f"http://127.0.0.1:{port}/docs", process)
    _load(workdir, url, 1.0)  # warm-up
    load = _load(workdir, url, seconds)
    group.stop(process)
    return load


def _database(workdir: Path, name: str, stored: int) -> tuple[Path, int]:
    """A SQLite file with the action and ``stored`` reports of it (made once, copied per use)."""
    database = workdir / f"{name}.db"
    engine = new_database(database)
    (action_id,) = add_actions(
        engine, 1, deadline=now() + timedelta(days=30), offsets_s=[86400], first_ua=6020
    )
    if stored:
        add_reports_sql(engine, action_id, stored)
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return database, action_id


def _copy(database: Path, name: str) -> Path:
    target = database.with_name(name)
    shutil.copyfile(database, target)
    return target


def _daemons(group: Processes, workdir: Path, database_url: str, instances: int, seconds: float) -> Load:
    """``instances`` daemons on one database, each loaded by its share of the connections at once."""
    started = []
    for n in range(instances):
        config, port = write_config(
            workdir, workdir / "unused.db", database_url=database_url, report_rate_limit="100000000/minute"
        )
        started.append(Daemon.start(group, config, port, workdir / f"daemon-{instances}-{n}.log"))
    for daemon in started:
        daemon.wait_ready(next_due=True)
        daemon.wait_warm()  # steady state: not the start's one-time loading of the PDF stack
    urls = [f"{daemon.base}/api/v1/actions/{UA}/reports" for daemon in started]
    share = CONNECTIONS // instances
    with ThreadPoolExecutor(max_workers=instances) as pool:
        list(pool.map(lambda url: _load(workdir, url, 1.0, share), urls))
        loads = list(pool.map(lambda url: _load(workdir, url, seconds, share), urls))
    for daemon in started:
        group.stop(daemon.process)
    return Load(
        sum(load.requests for load in loads),
        max(load.seconds for load in loads),
        sum(load.errors for load in loads),
    )


def _postgres(group: Processes, workdir: Path, seconds: float) -> list[Row]:
    rows = []
    for instances in (1, 2):
        with postgres_schema() as url:
            engine = engine_for(url)
            upgrade(engine)
            add_actions(engine, 1, deadline=now() + timedelta(days=30), offsets_s=[86400], first_ua=6020)
            engine.dispose()
            load = _daemons(group, workdir, url, instances, seconds)
        rows.append(Row(f"PostgreSQL, {instances} instance(s): reports per second", load.rate, "req/s"))
        rows.append(Row(f"PostgreSQL, {instances} instance(s): errors", load.errors, "req"))
    return rows


def run(workdir: Path, quick: bool) -> Outcome:
    seconds = 4.0 if quick else 20.0
    filled = 10_000 if quick else 1_000_000
    client = "wrk -t2" if shutil.which("wrk") else "httpx.AsyncClient"
    outcome = Outcome(
        workload=(
            f"POST /api/v1/actions/{UA}/reports (JSON counts + country, a fresh Idempotency-Key each) for "
            f"{seconds:g} s from {CONNECTIONS} concurrent connections ({client}) after a 1 s warm-up, to the "
            "`ua-scheduler run` subprocess on SQLite with report_rate_limit 100000000/minute, with 0 and "
            f"with {filled:,} reports of the action already stored (filled by SQL); then on PostgreSQL "
            "with 1 and 2 instances sharing the connections (no baseline: reported beside SQLite). "
            "Baseline: a tiny FastAPI app (tests/benchmarks/bare_app.py) on uvicorn, same uvicorn settings, "
            "doing the same single-row insert into a copy of the same SQLite database with the service's "
            "engine settings."
        )
    )
    rates: dict[int, float] = {}
    with processes() as group:
        for stored in (0, filled):
            database, action_id = _database(workdir, f"stored-{stored}", stored)
            real = _daemons(group, workdir, f"sqlite:///{_copy(database, f'daemon-{stored}.db')}", 1, seconds)
            bare = _bare(group, workdir, _copy(database, f"bare-{stored}.db"), action_id, seconds)
            ratio = real.rate / bare.rate
            rates[stored] = real.rate
            label = f"{stored:,} stored"
            outcome.rows += [
                Row(f"reports per second, {label}", real.rate, "req/s", bare.rate, "bare endpoint"),
                Row(f"requests answered, {label}", real.requests, "req", bare.requests, "bare endpoint"),
                Row(f"errors (non-2xx, socket), {label}", real.errors, "req", bare.errors, "bare endpoint"),
            ]
            if real.errors or bare.errors:
                outcome.notes.append(f"errors with {label}: daemon {real.errors}, bare {bare.errors}")
            name = "report_ingest_ratio" if stored == 0 else "report_ingest_ratio_filled"
            outcome.verdicts.append(Verdict(name, ratio, "x", f">={TARGET_RATIO:g}", ratio >= TARGET_RATIO))
        flat = rates[filled] / rates[0]
        outcome.rows.append(Row(f"rate with {filled:,} stored / with 0", flat, "x"))
        outcome.verdicts.append(Verdict("report_ingest_flat", flat, "x", f">={FLAT:g}", flat >= FLAT))
        problem = postgres_problem()
        if problem is None:
            outcome.rows += _postgres(group, workdir, seconds)
        else:
            outcome.notes.append(f"PostgreSQL skipped: {problem}")
    return outcome
