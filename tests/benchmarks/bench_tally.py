"""4. The JSON tally over many reports, against the raw SQL aggregate it needs."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session

from actions.models import Action
from actions.tally import count
from jobs.report import render_tally
from tests.benchmarks.fill import add_actions, add_reports, new_database, now
from tests.benchmarks.harness import Outcome, Row, Verdict, median

TARGET_RATIO = 1.5
SUPPORTER_SHARE = 0.3
LATE_SHARE = 0.05
KINDS_SUM = "SUM(letter), SUM(email), SUM(fax), SUM(call), SUM(post), SUM(other)"
# The aggregates the tally needs, written by hand: one supporter's reports merged (the most of each
# kind per target), grouped by lateness, country and target; distinct supporters; anonymous
# reports; actions per day.
RAW_SQL = [
    text(
        f"SELECT late, country, target_id, COUNT(*), {KINDS_SUM} FROM ("
        " SELECT late, MAX(country) AS country, target_id, MAX(letter) AS letter, MAX(email) AS email,"
        " MAX(fax) AS fax, MAX(call) AS call, MAX(post) AS post, MAX(other) AS other"
        " FROM report WHERE action_id = :action AND supporter_hash IS NOT NULL"
        " GROUP BY supporter_hash, late, target_id"
        " UNION ALL SELECT late, country, target_id, letter, email, fax, call, post, other"
        " FROM report WHERE action_id = :action AND supporter_hash IS NULL"
        ") GROUP BY late, country, target_id"
    ),
    text("SELECT COUNT(DISTINCT supporter_hash) FROM report WHERE action_id = :action AND late = 0"),
    text("SELECT COUNT(*) FROM report WHERE action_id = :action AND late = 0 AND supporter_hash IS NULL"),
    text(
        "SELECT date(received_at), COUNT(*), SUM(letter + email + fax + call + post + other)"
        " FROM report WHERE action_id = :action GROUP BY date(received_at)"
    ),
]


def _timed(work: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return median(times)


def run(workdir: Path, quick: bool) -> Outcome:
    reports = 10_000 if quick else 1_000_000
    repeats = 5
    outcome = Outcome(
        workload=(
            f"{reports:,} reports of one open action in SQLite ({SUPPORTER_SHARE:.0%} with a supporter hash "
            "from a pool a third that size, so ~3 reports per supporter; "
            f"{LATE_SHARE:.0%} late; 11 countries), "
            f"plus 999 other actions' reports; median of {repeats} runs, warm cache. Figure: "
            "actions.tally.count + jobs.report.render_tally(..., 'json'). Baseline: the aggregates the "
            "tally needs as hand-written SQL on the same database (supporters' reports merged, grouped by "
            "lateness, country and target; distinct supporters; anonymous reports; actions per day)."
        )
    )
    engine = new_database(workdir / "tally.db")
    ids = add_actions(engine, 1_000, deadline=now() + timedelta(days=30), offsets_s=[86400])
    add_reports(engine, ids[0], reports, supporter_share=SUPPORTER_SHARE, late_share=LATE_SHARE)
    for other in ids[1:]:
        add_reports(engine, other, 3, supporter_share=SUPPORTER_SHARE, late_share=LATE_SHARE, seed=other)
    at = datetime.now(UTC)
    try:
        with Session(engine) as session:
            action = session.get(Action, ids[0])
            assert action is not None

            def tally() -> object:
                return render_tally(count(session, action, now=at), "json")

            def raw() -> object:
                return [session.execute(sql, {"action": ids[0]}).all() for sql in RAW_SQL]

            tally()  # warm the page cache and the statement caches
            raw()
            tally_s = _timed(tally, repeats)
            raw_s = _timed(raw, repeats)
    finally:
        engine.dispose()
    ratio = tally_s / raw_s
    outcome.rows += [
        Row("JSON tally", tally_s * 1000, "ms", raw_s * 1000, "raw SQL"),
        Row(
            "per 1,000 reports",
            tally_s * 1000 / (reports / 1000),
            "ms",
            raw_s * 1000 / (reports / 1000),
            "raw",
        ),
    ]
    outcome.verdicts.append(Verdict("tally_ratio", ratio, "x", f"<={TARGET_RATIO:g}", ratio <= TARGET_RATIO))
    return outcome
