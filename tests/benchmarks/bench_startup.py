"""1. Planning scale: start to ready, and peak RSS, with many planned reminders."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.benchmarks.daemon import Daemon, write_config
from tests.benchmarks.fill import add_actions, new_database, now
from tests.benchmarks.harness import Outcome, Row, Verdict, median, processes, vm_hwm_bytes

OFFSETS_S = (7 * 86400, 3 * 86400, 86400, 3 * 3600)
READY_TARGET_S = 3.0
RSS_TARGET_MB = 300.0
GROWTH_TARGET = 1.5
NOISE_S = 0.05  # start-to-ready differences below this are run-to-run noise
NOISE_MB = 5.0
MB = 1024 * 1024


def _start(workdir: Path, database: Path, label: str, *, next_due: bool) -> tuple[float, float]:
    """One start of the real daemon: seconds to ready, and peak RSS in MB once ready."""
    config, port = write_config(workdir, database)
    with processes() as group:
        daemon = Daemon.start(group, config, port, workdir / f"daemon-{label}.log")
        ready = daemon.wait_ready(next_due=next_due)
        rss = vm_hwm_bytes(daemon.process.pid) / MB
        code = group.stop(daemon.process)
    if code != 0:
        raise RuntimeError(f"the daemon exited with {code}: {daemon.tail()}")
    return ready - daemon.started, rss


def run(workdir: Path, quick: bool) -> Outcome:
    sizes = (1_000, 10_000) if quick else (10_000, 100_000, 1_000_000)
    repeats = 3
    outcome = Outcome(
        workload=(
            "`ua-scheduler run` subprocess on SQLite; "
            f"{', '.join(f'{n:,}' for n in sizes)} planned reminders "
            f"(open actions x {len(OFFSETS_S)} offsets, deadlines a year ahead, nothing due); "
            "ready = /healthz 200 with next_due known; peak RSS = VmHWM once ready; "
            f"median of {repeats} starts. "
            "Baseline: the same start on an empty database."
        )
    )
    database = workdir / "planning.db"
    engine = new_database(database)
    empty = [_start(workdir, database, f"empty-{i}", next_due=False) for i in range(repeats)]
    base_s, base_mb = median([t for t, _ in empty]), median([r for _, r in empty])
    deadline = now() + timedelta(days=365)
    planned = 0
    per_size: dict[int, tuple[float, float]] = {}
    for size in sizes:
        actions = (size - planned) // len(OFFSETS_S)
        add_actions(engine, actions, deadline=deadline + timedelta(seconds=planned), offsets_s=OFFSETS_S)
        planned = size
        starts = [_start(workdir, database, f"{size}-{i}", next_due=True) for i in range(repeats)]
        per_size[size] = (median([t for t, _ in starts]), median([r for _, r in starts]))
    engine.dispose()
    for size, (ready_s, rss_mb) in per_size.items():
        outcome.rows.append(Row(f"ready, {size:,} reminders", ready_s, "s", base_s, "empty db"))
        outcome.rows.append(Row(f"peak RSS, {size:,} reminders", rss_mb, "MB", base_mb, "empty db"))
        outcome.rows.append(
            Row(f"ready cost per reminder, {size:,}", (ready_s - base_s) / size * 1e6, "us/reminder")
        )
        outcome.rows.append(
            Row(f"RSS cost per reminder, {size:,}", (rss_mb - base_mb) * MB / size, "B/reminder")
        )
    largest, middle = sizes[-1], sizes[-2]
    ready_s, rss_mb = per_size[largest]

    def growth(extra_large: float, extra_middle: float, noise: float) -> float:
        """Per-reminder cost at the largest size over that at the next one (differences from the
        empty start floored at the noise level, so noise alone never reads as growth)."""
        return (max(extra_large, noise) / largest) / (max(extra_middle, noise) / middle)

    time_growth = growth(ready_s - base_s, per_size[middle][0] - base_s, NOISE_S)
    rss_growth = growth(rss_mb - base_mb, per_size[middle][1] - base_mb, NOISE_MB)
    outcome.rows.append(Row(f"ready cost growth {middle:,} -> {largest:,}", time_growth, "x"))
    outcome.rows.append(Row(f"RSS cost growth {middle:,} -> {largest:,}", rss_growth, "x"))
    outcome.verdicts += [
        Verdict("startup_ready", ready_s, "s", f"<{READY_TARGET_S:g}", ready_s < READY_TARGET_S),
        Verdict("startup_rss", rss_mb, "MB", f"<{RSS_TARGET_MB:g}", rss_mb < RSS_TARGET_MB),
        Verdict(
            "startup_time_growth", time_growth, "x", f"<={GROWTH_TARGET:g}", time_growth <= GROWTH_TARGET
        ),
        Verdict("startup_rss_growth", rss_growth, "x", f"<={GROWTH_TARGET:g}", rss_growth <= GROWTH_TARGET),
    ]
    return outcome
