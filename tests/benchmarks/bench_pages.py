"""7. Pages at scale: the action page and the report confirmation with a million reports stored."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import httpx
from itsdangerous import URLSafeSerializer
from sqlalchemy import text

from tests.benchmarks.daemon import Daemon, write_config
from tests.benchmarks.fill import add_actions, add_reports_sql, new_database, now
from tests.benchmarks.harness import Outcome, Row, Verdict, percentile, processes

P99_MS = 50.0
VS_EMPTY = 1.5
BUSY, QUIET = "61.20", "61.21"
SECRET = "b" * 40  # the benchmark daemon's secret_key (``write_config``)


def _receipt(report_id: int) -> str:
    """The signed confirmation link the report form redirects to (``scheduler.http.pages``)."""
    return str(URLSafeSerializer(SECRET.encode(), salt="report-receipt").dumps(report_id))


def _latencies_ms(client: httpx.Client, url: str, requests: int) -> list[float]:
    found = []
    for _ in range(requests):
        began = time.perf_counter()
        answer = client.get(url)
        found.append((time.perf_counter() - began) * 1000)
        if answer.status_code != 200:
            raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
    return found


def run(workdir: Path, quick: bool) -> Outcome:
    stored = 10_000 if quick else 1_000_000
    requests = 60 if quick else 400
    outcome = Outcome(
        workload=(
            f"One `ua-scheduler run` subprocess on SQLite; UA {BUSY} has {stored:,} reports stored "
            f"(filled by SQL, running totals set from a recount), UA {QUIET} has one. {requests} sequential "
            "GETs of each page per action, interleaved, after 10 warm-up requests; latency at the client. "
            "Baseline: the "
            f"same page of UA {QUIET} (no reports to speak of) from the same process in the same run."
        )
    )
    database = workdir / "pages.db"
    engine = new_database(database)
    busy, quiet = add_actions(
        engine, 2, deadline=now() + timedelta(days=30), offsets_s=[86400], first_ua=6020
    )
    add_reports_sql(engine, busy, stored)
    add_reports_sql(engine, quiet, 1)
    with engine.connect() as connection:
        ids = {
            action: int(
                connection.execute(
                    text("SELECT MAX(id) FROM report WHERE action_id = :a"), {"a": action}
                ).scalar_one()
            )
            for action in (busy, quiet)
        }
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    pages = {
        "action page": "/ua/{ua}",
        "report confirmation": "/ua/{ua}/reported?id={receipt}",
    }
    with processes() as group:
        config, port = write_config(workdir, database)
        daemon = Daemon.start(group, config, port, workdir / "daemon.log")
        daemon.wait_ready(next_due=True)
        daemon.wait_warm()  # steady state: what a supporter meets, not the start's one-time loading
        timings: dict[tuple[str, str], list[float]] = {}
        with httpx.Client(base_url=daemon.base, timeout=30) as client:
            for page, path in pages.items():
                urls = {
                    ua: path.format(ua=ua, receipt=_receipt(ids[action]))
                    for ua, action in ((BUSY, busy), (QUIET, quiet))
                }
                for url in urls.values():
                    _latencies_ms(client, url, 10)
                for ua in (BUSY, QUIET):
                    timings[(page, ua)] = []
                for _ in range(requests):
                    for ua, url in urls.items():
                        timings[(page, ua)] += _latencies_ms(client, url, 1)
        group.stop(daemon.process)
    for page in pages:
        name = page.replace(" ", "_").replace("report_", "")
        full, empty = timings[(page, BUSY)], timings[(page, QUIET)]
        p99, p99_empty = percentile(full, 99), percentile(empty, 99)
        outcome.rows += [
            Row(
                f"{page} p50, {stored:,} reports",
                percentile(full, 50),
                "ms",
                percentile(empty, 50),
                "no reports",
            ),
            Row(f"{page} p99, {stored:,} reports", p99, "ms", p99_empty, "no reports"),
        ]
        outcome.verdicts += [
            Verdict(f"{name}_p99", p99, "ms", f"<={P99_MS:g}", p99 <= P99_MS),
            Verdict(f"{name}_vs_empty", p99 / p99_empty, "x", f"<={VS_EMPTY:g}", p99 / p99_empty <= VS_EMPTY),
        ]
    return outcome
