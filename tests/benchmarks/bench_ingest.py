"""3. Report ingestion over HTTP: the JSON report door of the real daemon against a bare endpoint."""

from __future__ import annotations

import asyncio
import re
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx

from tests.benchmarks.daemon import Daemon, write_config
from tests.benchmarks.fill import add_actions, new_database, now
from tests.benchmarks.harness import PYTHON, Outcome, Processes, Row, Verdict, processes
from tests.support.sinks import free_port

TARGET_RATIO = 0.7
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


def _wrk(workdir: Path, url: str, seconds: float) -> Load:
    script = workdir / "report.lua"
    script.write_text(WRK_SCRIPT % {"body": BODY, "run": time.monotonic_ns()})
    done = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "10s", "-s", str(script), url],
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


async def _httpx(url: str, seconds: float) -> Load:
    limits = httpx.Limits(max_connections=CONNECTIONS, max_keepalive_connections=CONNECTIONS)
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
        await asyncio.gather(*(worker() for _ in range(CONNECTIONS)))
        elapsed = time.monotonic() - began
    return Load(counter["ok"] + counter["bad"], elapsed, counter["bad"])


def _load(workdir: Path, url: str, seconds: float) -> Load:
    probe = httpx.post(
        url,
        content=BODY,
        headers={"Content-Type": "application/json", "Idempotency-Key": f"probe-{time.monotonic_ns()}"},
        timeout=10,
    )
    if probe.status_code not in (200, 201):
        raise RuntimeError(f"{url} answered {probe.status_code}: {probe.text[:300]}")
    if shutil.which("wrk"):
        return _wrk(workdir, url, seconds)
    return asyncio.run(_httpx(url, seconds))


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


def _bare(group: Processes, workdir: Path, action_id: int, seconds: float) -> Load:
    database = workdir / "bare.db"
    engine = new_database(database)
    add_actions(engine, 1, deadline=now() + timedelta(days=30), offsets_s=[86400], first_ua=6020)
    engine.dispose()
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


def run(workdir: Path, quick: bool) -> Outcome:
    seconds = 4.0 if quick else 20.0
    client = "wrk -t2" if shutil.which("wrk") else "httpx.AsyncClient"
    outcome = Outcome(
        workload=(
            f"POST /api/v1/actions/{UA}/reports (JSON counts + country, a fresh Idempotency-Key each) for "
            f"{seconds:g} s from {CONNECTIONS} concurrent connections ({client}) after a 1 s warm-up, to the "
            "`ua-scheduler run` subprocess on SQLite with report_rate_limit 100000000/minute. Baseline: a "
            "tiny FastAPI app (tests/benchmarks/bare_app.py) on uvicorn, same uvicorn settings, doing the "
            "same single-row insert into a SQLite report table with the service's engine settings."
        )
    )
    with processes() as group:
        database = workdir / "ingest.db"
        engine = new_database(database)
        (action_id,) = add_actions(
            engine, 1, deadline=now() + timedelta(days=30), offsets_s=[86400], first_ua=6020
        )
        engine.dispose()
        config, port = write_config(workdir, database, report_rate_limit="100000000/minute")
        daemon = Daemon.start(group, config, port, workdir / "daemon.log")
        daemon.wait_ready(next_due=True)
        url = f"{daemon.base}/api/v1/actions/{UA}/reports"
        _load(workdir, url, 1.0)
        real = _load(workdir, url, seconds)
        group.stop(daemon.process)
        bare = _bare(group, workdir, action_id, seconds)
    ratio = real.rate / bare.rate
    outcome.rows += [
        Row("reports per second", real.rate, "req/s", bare.rate, "bare endpoint"),
        Row("requests answered", real.requests, "req", bare.requests, "bare endpoint"),
        Row("errors (non-2xx, socket)", real.errors, "req", bare.errors, "bare endpoint"),
    ]
    if real.errors or bare.errors:
        outcome.notes.append(f"errors: daemon {real.errors}, bare {bare.errors}")
    outcome.verdicts.append(
        Verdict("report_ingest_ratio", ratio, "x", f">={TARGET_RATIO:g}", ratio >= TARGET_RATIO)
    )
    return outcome
